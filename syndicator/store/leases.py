"""Claims with leases, for several workers sharing one PostgreSQL store.

PostgreSQL is the only coordinator: a claim is a row lock taken with
``SELECT ... FOR UPDATE SKIP LOCKED`` and a lease stamped in the same transaction, so
two workers never take the same source or delivery, and a worker that dies loses its
claims when their lease ends (its heartbeat renews them while it lives).

- **Sources**: a due source is claimed for one poll; its next poll time is pushed one
  interval on in the claim, so a worker killed mid-poll never makes another poll the
  source again within the same interval.
- **Deliveries**: the claim (``pending|retry -> sending``) stays in
  ``store/deliveries.py``; here the per-target lock under which pacing is checked and
  the next delivery claimed, and the take-over of claims whose lease ran out.
- **Wake-ups**: ``notify_due`` sends a NOTIFY when a delivery becomes due, delivered to
  the listening workers when the transaction commits.

On SQLite (one service, under the run lock) none of this is needed: ``coordinated``
is false and the functions that the single-process path also calls do nothing.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, Connection, and_, bindparam, func, or_, select, update
from sqlalchemy.dialects import postgresql

from syndicator.clock import to_naive_utc
from syndicator.models import DeliveryState
from syndicator.store import schema

s = schema.sources
d = schema.deliveries
locks = schema.target_locks

CHANNEL = "syndicator_due"  # LISTEN/NOTIFY channel: "a delivery became due"

__all__ = [
    "CHANNEL",
    "claim_sources",
    "coordinated",
    "ensure_targets",
    "hold_sources",
    "lock_target",
    "notify_due",
    "release_sources",
    "release_sources_of",
    "renew",
    "take_over_expired",
]


def coordinated(connection: Connection) -> bool:
    """Whether this store is shared by workers (PostgreSQL)."""
    return connection.dialect.name == "postgresql"


def _free(now: datetime) -> ColumnElement[bool]:
    return or_(s.c.lease_until.is_(None), s.c.lease_until <= to_naive_utc(now))


def _ensure_sources(connection: Connection, sources: Sequence[tuple[str, str]]) -> None:
    """A row for every source to claim: one never polled has none yet."""
    names = [name for name, _ in sources]
    known = {row[0] for row in connection.execute(select(s.c.name).where(s.c.name.in_(names)))}
    missing = [
        {"name": name, "url": url, "failures": 0, "articles_seen": 0}
        for name, url in sources
        if name not in known
    ]
    if missing:
        statement = postgresql.insert(s).on_conflict_do_nothing(index_elements=[s.c.name])
        connection.execute(statement, missing)


def claim_sources(
    connection: Connection,
    sources: Sequence[tuple[str, str, timedelta]],
    *,
    holder: str,
    now: datetime,
    lease: timedelta,
    limit: int | None = None,
) -> list[str]:
    """Claim, of ``(name, url, every)``, the sources that are due and that no live
    worker holds; return their names. Rows other workers are claiming are skipped,
    not waited for. Each claimed source's next poll moves to ``now + every`` (the poll
    records its own next time when it ends) and its lease to ``now + lease``."""
    if not sources:
        return []
    _ensure_sources(connection, [(name, url) for name, url, _ in sources])
    every = {name: interval for name, _, interval in sources}
    naive = to_naive_utc(now)
    statement = (
        select(s.c.name)
        .where(
            s.c.name.in_(list(every)),
            or_(s.c.next_poll_at.is_(None), s.c.next_poll_at <= naive),
            _free(now),
        )
        .order_by(s.c.next_poll_at.asc().nulls_first(), s.c.name)
        .with_for_update(skip_locked=True)
    )
    if limit is not None:
        statement = statement.limit(limit)
    names = [row[0] for row in connection.execute(statement)]
    if names:
        connection.execute(
            update(s)
            .where(s.c.name == bindparam("claimed"))
            .values(
                lease_holder=holder,
                lease_until=to_naive_utc(now + lease),
                next_poll_at=bindparam("next"),
            ),
            [{"claimed": name, "next": to_naive_utc(now + every[name])} for name in names],
        )
    return names


def hold_sources(
    connection: Connection, names: Iterable[str], *, holder: str, now: datetime, lease: timedelta
) -> list[str]:
    """Lease, whether due or not, those of ``names`` no live worker holds (to plan the
    articles a dead worker recorded but did not plan); return their names."""
    wanted = sorted(set(names))
    if not wanted:
        return []
    rows = connection.execute(
        select(s.c.name).where(s.c.name.in_(wanted), _free(now)).with_for_update(skip_locked=True)
    )
    held = [row[0] for row in rows]
    if held:
        connection.execute(
            update(s)
            .where(s.c.name.in_(held))
            .values(lease_holder=holder, lease_until=to_naive_utc(now + lease))
        )
    return held


def release_sources(connection: Connection, names: Iterable[str], *, holder: str) -> None:
    """End this worker's leases on ``names`` (its poll of them is recorded)."""
    wanted = list(set(names))
    if wanted:
        connection.execute(
            update(s)
            .where(s.c.name.in_(wanted), s.c.lease_holder == holder)
            .values(lease_holder=None, lease_until=None)
        )


def release_sources_of(connection: Connection, *, holder: str) -> None:
    """End every source lease ``holder`` has (a clean stop)."""
    connection.execute(
        update(s).where(s.c.lease_holder == holder).values(lease_holder=None, lease_until=None)
    )


def renew(connection: Connection, *, holder: str, now: datetime, lease: timedelta) -> None:
    """Extend every lease ``holder`` has (the heartbeat of a live worker)."""
    until = to_naive_utc(now + lease)
    connection.execute(
        update(s)
        .where(s.c.lease_holder == holder, s.c.lease_until.is_not(None))
        .values(lease_until=until)
    )
    connection.execute(
        update(d)
        .where(d.c.claimed_by == holder, d.c.state == DeliveryState.SENDING.value)
        .values(lease_until=until)
    )


def take_over_expired(
    connection: Connection, *, holder: str, now: datetime, lease: timedelta
) -> list[int]:
    """Take over the deliveries left in ``sending`` by workers whose lease ran out
    (or from before leases: none set), for recovery to settle; return their ids.
    The take-over is itself a claim: ``claimed_at`` moves to now, which pacing reads
    as the last moment the dead worker's post may have gone out."""
    naive = to_naive_utc(now)
    rows = connection.execute(
        select(d.c.id)
        .where(
            d.c.state == DeliveryState.SENDING.value,
            or_(d.c.lease_until.is_(None), d.c.lease_until <= naive),
        )
        .with_for_update(skip_locked=True)
    )
    ids = [row[0] for row in rows]
    if ids:
        connection.execute(
            update(d)
            .where(d.c.id.in_(ids))
            .values(claimed_by=holder, claimed_at=naive, lease_until=to_naive_utc(now + lease))
        )
    return ids


def ensure_targets(connection: Connection, targets: Iterable[str]) -> None:
    """A lock row for each target (idempotent; workers call it when they start)."""
    rows = [{"target": name} for name in sorted(set(targets))]
    if rows and coordinated(connection):
        connection.execute(
            postgresql.insert(locks).on_conflict_do_nothing(index_elements=[locks.c.target]), rows
        )


def lock_target(connection: Connection, target: str) -> None:
    """Hold ``target``'s lock row until this transaction ends, waiting for a worker
    that holds it (only ever for the length of a claim: the lock is never held across
    a network call). Nothing on SQLite, where one service sends."""
    if not coordinated(connection):
        return
    statement = select(locks.c.target).where(locks.c.target == target).with_for_update()
    if connection.execute(statement).first() is None:
        connection.execute(
            postgresql.insert(locks)
            .values(target=target)
            .on_conflict_do_nothing(index_elements=[locks.c.target])
        )
        connection.execute(statement)


def notify_due(connection: Connection) -> None:
    """Wake the listening workers when this transaction commits: a delivery became due
    (planned, approved, retried, posted by hand). Sent once per transaction."""
    if not coordinated(connection):
        return
    transaction = connection.get_transaction()
    if transaction is not None and connection.info.get("notified_due") is transaction:
        return
    connection.execute(select(func.pg_notify(CHANNEL, "")))
    connection.info["notified_due"] = transaction


def holdings(connection: Connection, *, now: datetime) -> dict[str, tuple[list[str], list[int]]]:
    """Per worker id: the sources it holds a live lease on, and its deliveries in
    ``sending`` (for ``syndicator status``)."""
    held: dict[str, tuple[list[str], list[int]]] = {}
    naive = to_naive_utc(now)
    for name, holder in connection.execute(
        select(s.c.name, s.c.lease_holder)
        .where(s.c.lease_holder.is_not(None), s.c.lease_until > naive)
        .order_by(s.c.name)
    ):
        held.setdefault(holder, ([], []))[0].append(name)
    for delivery_id, holder in connection.execute(
        select(d.c.id, d.c.claimed_by)
        .where(and_(d.c.state == DeliveryState.SENDING.value, d.c.claimed_by.is_not(None)))
        .order_by(d.c.id)
    ):
        held.setdefault(holder, ([], []))[1].append(int(delivery_id))
    return held
