"""``Store``: the post log behind a SQLAlchemy engine; every store function takes one
of its connections."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Connection, Engine

from syndicator.store.cache import StoreCache
from syndicator.store.database import open_engine, safe_url
from syndicator.store.lock import RunLock


class Store:
    def __init__(self, url: str) -> None:
        self.url = url
        self.engine: Engine = open_engine(url)

    @contextmanager
    def begin(self) -> Iterator[Connection]:
        """One transaction: committed when the block ends, rolled back on error."""
        with self.engine.begin() as connection:
            yield connection

    @contextmanager
    def read(self) -> Iterator[Connection]:
        """A connection for lookups; nothing it does is committed."""
        with self.engine.connect() as connection:
            yield connection

    def cache(self, namespace: str = "") -> StoreCache:
        return StoreCache(self.engine, namespace)

    def run_lock(self) -> RunLock:
        return RunLock(self.engine)

    def close(self) -> None:
        self.engine.dispose()

    def __repr__(self) -> str:
        return f"Store({safe_url(self.url)!r})"
