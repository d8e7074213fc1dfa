"""The workers sharing a store: who they are and when each last showed it lives.

A worker registers when ``syndicator run`` starts on a PostgreSQL store, renews its
heartbeat while it runs, and removes its row when it stops cleanly. One whose
heartbeat is older than the lease is dead: it is left out of ``live`` and its row is
removed by the next live worker's heartbeat.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Connection, delete, insert, select, update

from syndicator.clock import as_utc, to_naive_utc
from syndicator.store import schema

w = schema.workers

__all__ = ["WorkerRow", "beat", "deregister", "forget_dead", "live", "register"]


@dataclass(frozen=True)
class WorkerRow:
    id: str
    host: str
    pid: int
    version: str
    started: datetime
    heartbeat: datetime


def register(connection: Connection, row: WorkerRow) -> None:
    connection.execute(
        insert(w).values(
            id=row.id,
            host=row.host,
            pid=row.pid,
            version=row.version,
            started=to_naive_utc(row.started),
            heartbeat=to_naive_utc(row.heartbeat),
        )
    )


def beat(connection: Connection, row: WorkerRow, *, now: datetime) -> None:
    """Renew ``row``'s heartbeat; register it again if another worker took it for dead
    and removed it (a long pause), so it shows in ``status`` once more."""
    updated = connection.execute(
        update(w).where(w.c.id == row.id).values(heartbeat=to_naive_utc(now))
    )
    if not updated.rowcount:
        register(connection, WorkerRow(row.id, row.host, row.pid, row.version, row.started, now))


def deregister(connection: Connection, worker_id: str) -> None:
    connection.execute(delete(w).where(w.c.id == worker_id))


def forget_dead(connection: Connection, *, now: datetime, lease: timedelta) -> int:
    """Remove the rows of workers whose heartbeat stopped a lease ago; how many."""
    done = connection.execute(delete(w).where(w.c.heartbeat < to_naive_utc(now - lease)))
    return int(done.rowcount or 0)


def live(connection: Connection, *, now: datetime, lease: timedelta) -> list[WorkerRow]:
    """The workers whose heartbeat is younger than the lease, oldest first."""
    rows = connection.execute(
        select(w).where(w.c.heartbeat >= to_naive_utc(now - lease)).order_by(w.c.started, w.c.id)
    )
    return [
        WorkerRow(
            id=r.id,
            host=r.host,
            pid=int(r.pid),
            version=r.version,
            started=as_utc(r.started),  # type: ignore[arg-type]
            heartbeat=as_utc(r.heartbeat),  # type: ignore[arg-type]
        )
        for r in rows
    ]
