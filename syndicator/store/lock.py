"""One service per post log.

Two ``syndicator run`` on the same store would both send every due delivery. The lock
is one the operating system or the database drops by itself when its holder dies
(``flock`` on a file beside the SQLite database, a PostgreSQL session advisory lock), so
a killed process never blocks the next start.
"""

from __future__ import annotations

import fcntl
import os
from pathlib import Path
from typing import TextIO

from sqlalchemy import Connection, Engine, text

from syndicator.errors import SyndicatorError

_ADVISORY_KEY = 0x53594E44  # "SYND"


class AlreadyRunning(SyndicatorError):
    """Another process holds the service lock on this store."""


class RunLock:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._file: TextIO | None = None
        self._connection: Connection | None = None

    def acquire(self) -> None:
        url = self.engine.url
        if url.get_backend_name() == "sqlite" and url.database not in (None, "", ":memory:"):
            path = Path(str(url.database) + ".lock")
            handle = path.open("a+")
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                handle.seek(0)
                holder = handle.read().strip() or "another process"
                handle.close()
                raise AlreadyRunning(
                    f"the service is already running on this store ({holder}); "
                    "stop it first, or use a different store.url"
                ) from None
            handle.seek(0)
            handle.truncate()
            handle.write(f"pid {os.getpid()}\n")
            handle.flush()
            self._file = handle
        elif url.get_backend_name() == "postgresql":
            connection = self.engine.connect()
            got = connection.execute(text("SELECT pg_try_advisory_lock(:k)"), {"k": _ADVISORY_KEY})
            if not got.scalar():
                connection.close()
                raise AlreadyRunning(
                    "the service is already running on this PostgreSQL store; stop it first"
                )
            connection.commit()
            self._connection = connection

    def holder(self) -> tuple[bool, int | None]:
        """Whether a service holds this store now, and its process id when known
        (SQLite: from the lock file; PostgreSQL names only its backend). Asked
        without taking the lock away from a service that is starting."""
        url = self.engine.url
        if url.get_backend_name() == "sqlite" and url.database not in (None, "", ":memory:"):
            path = Path(str(url.database) + ".lock")
            try:
                handle = path.open("r")
            except FileNotFoundError:
                return False, None
            with handle:
                try:
                    fcntl.flock(handle, fcntl.LOCK_SH | fcntl.LOCK_NB)
                except BlockingIOError:
                    words = handle.read().split()
                    pid = int(words[1]) if len(words) > 1 and words[1].isdigit() else None
                    return True, pid
                fcntl.flock(handle, fcntl.LOCK_UN)
                return False, None
        if url.get_backend_name() == "postgresql":
            with self.engine.connect() as connection:
                held = connection.execute(
                    text(
                        "SELECT 1 FROM pg_locks WHERE locktype = 'advisory' "
                        "AND objid = :k AND granted LIMIT 1"
                    ),
                    {"k": _ADVISORY_KEY},
                ).first()
            return held is not None, None
        return False, None

    def release(self) -> None:
        if self._file is not None:
            fcntl.flock(self._file, fcntl.LOCK_UN)
            self._file.close()
            self._file = None
        if self._connection is not None:
            self._connection.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": _ADVISORY_KEY})
            self._connection.close()
            self._connection = None

    def __enter__(self) -> RunLock:
        self.acquire()
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()
