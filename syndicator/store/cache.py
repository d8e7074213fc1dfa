"""A ``SharedCache`` (see ``syndicator.adapter``) kept in the post log, so that every
process on the same store shares one platform token."""

from __future__ import annotations

import time

from sqlalchemy import Engine, delete, insert, select

from syndicator.store import schema

c = schema.shared_cache


class StoreCache:
    def __init__(self, engine: Engine, namespace: str = "") -> None:
        self.engine = engine
        self.namespace = namespace

    def get(self, key: str) -> str | None:
        with self.engine.connect() as connection:
            row = connection.execute(
                select(c.c.value, c.c.expires_at).where(c.c.key == self.namespace + key)
            ).first()
        if row is None or row[1] < time.time():
            return None
        return str(row[0])

    def put(self, key: str, value: str, *, ttl_seconds: float) -> None:
        with self.engine.begin() as connection:
            connection.execute(delete(c).where(c.c.key == self.namespace + key))
            connection.execute(
                insert(c).values(
                    key=self.namespace + key, value=value, expires_at=time.time() + ttl_seconds
                )
            )
