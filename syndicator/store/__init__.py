"""The post log: sources' poll state, articles, deliveries and their events.

SQLAlchemy Core over SQLite by default, or any SQLAlchemy URL (PostgreSQL when several
workers share the work). Modules hold plain functions that take a connection; ``Store``
only owns the engine, so callers choose their transaction boundaries: a delivery's claim
is committed on its own, before the network call.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Connection, Engine

from syndicator.store.cache import StoreCache
from syndicator.store.database import open_engine, safe_url
from syndicator.store.lock import AlreadyRunning, RunLock


class Store:
    def __init__(self, url: str) -> None:
        self.url = url
        self.engine: Engine = open_engine(url)
        #: Held while articles are recorded, so concurrent polls in this process never
        #: insert the same article twice (one service per store covers other processes).
        self.record_lock = threading.Lock()

    @contextmanager
    def begin(self) -> Iterator[Connection]:
        """One transaction: committed when the block ends, rolled back on error."""
        with self.engine.begin() as connection:
            yield connection

    def cache(self, namespace: str = "") -> StoreCache:
        return StoreCache(self.engine, namespace)

    def run_lock(self) -> RunLock:
        return RunLock(self.engine)

    def close(self) -> None:
        self.engine.dispose()

    def __repr__(self) -> str:
        return f"Store({safe_url(self.url)!r})"


__all__ = ["AlreadyRunning", "Store"]
