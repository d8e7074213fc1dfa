"""Whole-target pauses: when a platform says "wait until T" the limit is the
account's, so the next delivery must wait too, not hammer the platform with its own
request. Kept in the post log so a restart honours a pause it did not see begin."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Connection, delete, insert, select, update

from syndicator.clock import as_utc, to_naive_utc
from syndicator.secrets import redact
from syndicator.store.schema import target_pauses as p


def pause(connection: Connection, target: str, *, until: datetime, reason: str) -> None:
    """Pause ``target`` until ``until``; a later pause already in force is kept."""
    current = connection.execute(select(p.c.until).where(p.c.target == target)).scalar()
    values = {"until": to_naive_utc(until), "reason": redact(reason)}
    if current is None:
        connection.execute(insert(p).values(target=target, **values))
    elif as_utc(current) < until:  # type: ignore[operator]
        connection.execute(update(p).where(p.c.target == target).values(**values))


def paused(connection: Connection, target: str, *, now: datetime) -> tuple[datetime, str] | None:
    """``(until, reason)`` while the pause is in force, else ``None``."""
    row = connection.execute(select(p.c.until, p.c.reason).where(p.c.target == target)).first()
    if row is None:
        return None
    until = as_utc(row[0])
    assert until is not None
    return (until, row[1]) if until > now else None


def clear(connection: Connection, target: str) -> None:
    connection.execute(delete(p).where(p.c.target == target))
