"""One service per SQLite post log.

Two ``syndicator run`` on the same SQLite store would both send every due delivery.
The lock is one the operating system drops by itself when its holder dies (``flock``
on a file beside the database), so a killed process never blocks the next start.

A PostgreSQL store takes any number of workers (``syndicator/workers.py``): nothing is
locked here, and a service "holds" the store while a worker's heartbeat is alive.
"""

from __future__ import annotations

import fcntl
import os
from pathlib import Path
from typing import TextIO

from sqlalchemy import Engine

from syndicator.errors import SyndicatorError


class AlreadyRunning(SyndicatorError):
    """Another process holds the service lock on this store."""


class RunLock:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._file: TextIO | None = None

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

    def holder(self) -> tuple[bool, int | None]:
        """Whether a service holds this store now, and its process id when known
        (SQLite: from the lock file; PostgreSQL: a live worker, the oldest one's
        pid). Asked without taking the lock away from a service that is starting."""
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
            from datetime import UTC, datetime, timedelta

            from syndicator.store.registry import live

            with self.engine.connect() as connection:
                workers = live(connection, now=datetime.now(UTC), lease=timedelta(minutes=1))
            return bool(workers), workers[0].pid if workers else None
        return False, None

    def release(self) -> None:
        if self._file is not None:
            fcntl.flock(self._file, fcntl.LOCK_UN)
            self._file.close()
            self._file = None

    def __enter__(self) -> RunLock:
        self.acquire()
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()
