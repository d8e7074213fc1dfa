"""Deliveries: one row per (article, target), moved through its states by guarded
updates, so that two processes can never both claim the same delivery."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta

from sqlalchemy import Connection, and_, func, insert, select, update

from syndicator.clock import as_utc, to_naive_utc
from syndicator.models import DeliveryState, Post, Receipt
from syndicator.secrets import redact
from syndicator.store import schema
from syndicator.store.codec import post_to_json
from syndicator.store.delivery_rows import DeliveryRow, row_of, select_rows
from syndicator.store.leases import notify_due

d = schema.deliveries
a = schema.articles

_DUE_STATES = (DeliveryState.PENDING.value, DeliveryState.RETRY.value)


def existing_pairs(connection: Connection, article_ids: Iterable[int]) -> set[tuple[int, str]]:
    ids = list(set(article_ids))
    pairs: set[tuple[int, str]] = set()
    for start in range(0, len(ids), 500):
        rows = connection.execute(
            select(d.c.article_id, d.c.target).where(d.c.article_id.in_(ids[start : start + 500]))
        )
        pairs.update((row[0], row[1]) for row in rows)
    return pairs


def create(
    connection: Connection,
    *,
    article_id: int,
    target: str,
    state: DeliveryState,
    now: datetime,
    reason: str = "",
    due_at: datetime | None = None,
    post: Post | None = None,
    seq: int = 0,
    error: str | None = None,
) -> int:
    naive_now = to_naive_utc(now)
    row_id = connection.execute(
        insert(d)
        .values(
            article_id=article_id,
            target=target,
            seq=seq,
            state=state.value,
            reason=reason,
            attempts=0,
            idem_key=uuid.uuid4().hex,
            created_at=naive_now,
            updated_at=naive_now,
            due_at=to_naive_utc(due_at),
            text=post.text if post else "",
            length=post.length if post else None,
            post=post_to_json(post) if post else "{}",
            error=redact(error) if error else None,
        )
        .returning(d.c.id)
    ).scalar_one()
    add_event(connection, row_id, state.value, reason or error or "", now=now)
    if state.value in _DUE_STATES:
        notify_due(connection)  # other workers' drains wake for it
    return int(row_id)


def next_seq(connection: Connection, article_id: int, target: str) -> int:
    current = connection.execute(
        select(func.max(d.c.seq)).where(and_(d.c.article_id == article_id, d.c.target == target))
    ).scalar()
    return 0 if current is None else int(current) + 1


def add_event(
    connection: Connection, delivery_id: int, kind: str, detail: str, *, now: datetime
) -> None:
    connection.execute(
        insert(schema.events).values(
            delivery_id=delivery_id, at=to_naive_utc(now), kind=kind, detail=redact(detail)
        )
    )


def transition(
    connection: Connection,
    delivery_id: int,
    *,
    to: DeliveryState,
    now: datetime,
    expect: Sequence[DeliveryState] | None = None,
    event: str | None = None,
    **values: object,
) -> bool:
    """Move a delivery to ``to`` if it is still in one of the ``expect`` states. The
    guard makes the update a compare-and-set: the loser of a race changes nothing."""
    statement = update(d).where(d.c.id == delivery_id)
    if expect is not None:
        statement = statement.where(d.c.state.in_([s.value for s in expect]))
    for key in ("error", "reason"):
        if isinstance(values.get(key), str):
            values[key] = redact(values[key])  # type: ignore[arg-type]
    for key in ("due_at", "sent_at", "claimed_at"):
        if key in values:
            values[key] = to_naive_utc(values[key])  # type: ignore[arg-type]
    result = connection.execute(
        statement.values(state=to.value, updated_at=to_naive_utc(now), **values)
    )
    if result.rowcount != 1:
        return False
    detail = event if event is not None else str(values.get("error") or values.get("reason") or "")
    add_event(connection, delivery_id, to.value, detail, now=now)
    if to.value in _DUE_STATES:
        notify_due(connection)  # approved, retried, recovered: wake the workers' drains
    return True


def claim(
    connection: Connection,
    delivery_id: int,
    *,
    holder: str,
    now: datetime,
    lease: timedelta | None = None,
) -> bool:
    """pending|retry -> sending, counting the attempt. Committed before the network call.
    ``lease``: how long the claim holds unless the holder's heartbeat renews it (on a
    store shared by workers, recovery takes over a claim whose lease ran out)."""
    return transition(
        connection,
        delivery_id,
        to=DeliveryState.SENDING,
        now=now,
        expect=(DeliveryState.PENDING, DeliveryState.RETRY),
        event=f"claimed by {holder}",
        claimed_at=now,
        claimed_by=holder,
        lease_until=to_naive_utc(now + lease) if lease is not None else None,
        attempts=d.c.attempts + 1,
    )


def mark_sent(connection: Connection, delivery_id: int, receipt: Receipt, *, now: datetime) -> bool:
    return transition(
        connection,
        delivery_id,
        to=DeliveryState.SENT,
        now=now,
        expect=(DeliveryState.SENDING, DeliveryState.UNKNOWN, DeliveryState.FAILED),
        event=receipt.remote_url or receipt.remote_id or "sent",
        sent_at=now,
        remote_id=receipt.remote_id,
        remote_url=receipt.remote_url,
        error=None,
        reason="",
    )


def get(connection: Connection, delivery_id: int) -> DeliveryRow | None:
    row = connection.execute(select_rows().where(d.c.id == delivery_id)).first()
    return row_of(row) if row else None


def due(
    connection: Connection, *, now: datetime, target: str, limit: int = 50, lock: bool = False
) -> list[DeliveryRow]:
    """Due deliveries of a target, oldest article first: when pacing lets only some go,
    a trickle keeps the site's order (by publication date, else when first seen).
    ``lock``: hold their rows until the transaction ends, skipping rows another
    worker holds (PostgreSQL; SQLite has one writer anyway)."""
    statement = (
        select_rows()
        .where(d.c.target == target, d.c.state.in_(_DUE_STATES), d.c.due_at <= to_naive_utc(now))
        .order_by(func.coalesce(a.c.published, a.c.first_seen), d.c.id)
        .limit(limit)
    )
    if lock:
        statement = statement.with_for_update(skip_locked=True, of=d)
    rows = connection.execute(statement)
    return [row_of(r) for r in rows]


def earliest_due(connection: Connection) -> dict[str, datetime]:
    """Each target's earliest due time among its pending and retrying deliveries: the
    moments the service must wake for (one grouped query, whatever the queue's size)."""
    rows = connection.execute(
        select(d.c.target, func.min(d.c.due_at))
        .where(d.c.state.in_(_DUE_STATES))
        .group_by(d.c.target)
    )
    return {r[0]: moment for r in rows if (moment := as_utc(r[1])) is not None}


def note_waiting(connection: Connection, target: str, *, now: datetime, why: str) -> int:
    """Write why a blocked target's due deliveries wait (quiet hours until T, ...) on
    each of them, so ``syndicator why`` answers from the post log alone. No event is
    added: the reason changes with the clock, the delivery's state does not."""
    result = connection.execute(
        update(d)
        .where(
            d.c.target == target,
            d.c.state.in_(_DUE_STATES),
            d.c.due_at <= to_naive_utc(now),
            d.c.reason != why,
        )
        .values(reason=redact(why))
    )
    return int(result.rowcount or 0)


def replace_post(
    connection: Connection, delivery_id: int, post: Post, *, now: datetime, event: str
) -> bool:
    """Swap the stored post of a delivery not yet claimed (the article was edited
    before it went out). Guarded like ``transition``: a claimed delivery is left alone."""
    result = connection.execute(
        update(d)
        .where(
            d.c.id == delivery_id,
            d.c.state.in_([*_DUE_STATES, DeliveryState.HELD.value]),
        )
        .values(
            text=post.text,
            length=post.length,
            post=post_to_json(post),
            updated_at=to_naive_utc(now),
        )
    )
    if result.rowcount != 1:
        return False
    add_event(connection, delivery_id, "updated", event, now=now)
    return True


_LIVE_STATES = [
    s.value
    for s in DeliveryState
    if s not in (DeliveryState.SKIPPED, DeliveryState.REJECTED, DeliveryState.FAILED)
]


def recent_titles(
    connection: Connection, target: str, *, since: datetime
) -> list[tuple[int, str, str]]:
    """(article id, title, url) of articles sent or on their way to ``target`` since
    ``since``: the candidates an article may be a duplicate of."""
    rows = connection.execute(
        select(a.c.id, a.c.title, a.c.url)
        .select_from(d.join(a, a.c.id == d.c.article_id))
        .where(
            d.c.target == target,
            d.c.state.in_(_LIVE_STATES),
            d.c.created_at >= to_naive_utc(since),
        )
        .order_by(d.c.id)
    )
    return [(int(r[0]), r[1] or "", r[2] or "") for r in rows]


def errors_by_target(connection: Connection) -> dict[str, int]:
    """How many publish attempts failed, per target, over the post log's life (the
    ``retry`` and ``failed`` events): a counter that survives restarts."""
    e = schema.events
    rows = connection.execute(
        select(d.c.target, func.count())
        .select_from(e.join(d, d.c.id == e.c.delivery_id))
        .where(e.c.kind.in_([DeliveryState.RETRY.value, DeliveryState.FAILED.value]))
        .group_by(d.c.target)
    )
    return {r[0]: int(r[1]) for r in rows}


def in_state(
    connection: Connection, states: Sequence[DeliveryState], *, target: str | None = None
) -> list[DeliveryRow]:
    statement = select_rows().where(d.c.state.in_([s.value for s in states]))
    if target is not None:
        statement = statement.where(d.c.target == target)
    return [row_of(r) for r in connection.execute(statement.order_by(d.c.id))]


def for_article(connection: Connection, article_id: int) -> list[DeliveryRow]:
    rows = connection.execute(select_rows().where(d.c.article_id == article_id).order_by(d.c.id))
    return [row_of(r) for r in rows]


def listing(
    connection: Connection,
    *,
    target: str | None = None,
    states: Sequence[DeliveryState] | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    limit: int = 50,
) -> list[DeliveryRow]:
    """For ``syndicator log``: newest first by the time the log shows (when it was
    sent, else its last change), ``since <= time < until``."""
    shown = func.coalesce(d.c.sent_at, d.c.updated_at)
    statement = select_rows()
    if target:
        statement = statement.where(d.c.target == target)
    if states:
        statement = statement.where(d.c.state.in_([s.value for s in states]))
    if since is not None:
        statement = statement.where(shown >= to_naive_utc(since))
    if until is not None:
        statement = statement.where(shown < to_naive_utc(until))
    rows = connection.execute(statement.order_by(shown.desc(), d.c.id.desc()).limit(limit))
    return [row_of(r) for r in rows]


def exists(connection: Connection, *, target: str | None = None) -> bool:
    """Whether the post log holds any delivery (of ``target``)."""
    statement = select(d.c.id).limit(1)
    if target is not None:
        statement = statement.where(d.c.target == target)
    return connection.execute(statement).first() is not None


def last_sent_at(connection: Connection, target: str) -> datetime | None:
    value = connection.execute(select(func.max(d.c.sent_at)).where(d.c.target == target)).scalar()
    return as_utc(value)


def sent_since(connection: Connection, target: str, since: datetime) -> int:
    return int(
        connection.execute(
            select(func.count())
            .select_from(d)
            .where(d.c.target == target, d.c.sent_at >= to_naive_utc(since))
        ).scalar_one()
    )


def events_for(connection: Connection, delivery_id: int) -> list[tuple[datetime, str, str]]:
    e = schema.events
    rows = connection.execute(
        select(e.c.at, e.c.kind, e.c.detail).where(e.c.delivery_id == delivery_id).order_by(e.c.id)
    )
    return [(as_utc(r[0]), r[1], r[2]) for r in rows]  # type: ignore[misc]


def count_by_state(connection: Connection) -> dict[tuple[str, str], int]:
    rows = connection.execute(
        select(d.c.target, d.c.state, func.count()).group_by(d.c.target, d.c.state)
    )
    return {(r[0], r[1]): int(r[2]) for r in rows}


def references_media(connection: Connection, filename: str) -> bool:
    """Whether some delivery's stored post names the medium ``filename`` (a stored
    file's base name), for the media server: only such files are published."""
    found = connection.execute(
        select(d.c.id).where(d.c.post.contains(f'/{filename}"', autoescape=True)).limit(1)
    ).first()
    return found is not None
