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
from typing import Any

from sqlalchemy import Engine, text

from syndicator.errors import SyndicatorError

_ADVISORY_KEY = 0x53594E44  # "SYND"


class AlreadyRunning(SyndicatorError):
    """Another process holds the service lock on this store."""


class RunLock:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._file: Any = None
        self._connection: Any = None

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


def service_holder(engine: Engine) -> str | None:
    """Who runs the service on this store ("pid 1234"), or ``None`` if nobody does.
    Asks the same lock ``syndicator run`` takes, without taking it."""
    url = engine.url
    if url.get_backend_name() == "sqlite" and url.database not in (None, "", ":memory:"):
        path = Path(str(url.database) + ".lock")
        if not path.exists():
            return None
        with path.open("r") as handle:
            try:
                fcntl.flock(handle, fcntl.LOCK_SH | fcntl.LOCK_NB)
            except BlockingIOError:
                return handle.read().strip() or "another process"
            fcntl.flock(handle, fcntl.LOCK_UN)
        return None
    if url.get_backend_name() == "postgresql":
        with engine.connect() as connection:
            pid = connection.execute(
                text(
                    "SELECT pid FROM pg_locks WHERE locktype = 'advisory' "
                    "AND objid = :k AND granted LIMIT 1"
                ),
                {"k": _ADVISORY_KEY},
            ).scalar()
        return None if pid is None else f"PostgreSQL backend {pid}"
    return None
