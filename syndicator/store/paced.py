"""What a target's pacing counts, on a store any number of workers send from: the
last moment a post may have reached the platform (for ``min_interval``) and the posts
that count against today's cap (``max_per_day``). Read under the target's lock
(``leases.lock_target``) by the worker about to claim, so two workers never both
find the spacing free."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Connection, func, select

from syndicator.clock import as_utc, to_naive_utc
from syndicator.models import DeliveryState
from syndicator.store import schema
from syndicator.store.deliveries import last_sent_at, sent_since

d = schema.deliveries

__all__ = ["last_post_at", "posted_since"]


_OUT = (DeliveryState.SENDING.value, DeliveryState.UNKNOWN.value)  # may be on the platform


def last_post_at(connection: Connection, target: str, *, now: datetime) -> datetime | None:
    """The last moment a post to ``target`` may have reached the platform, for its
    ``min_interval``: the newest ``sent_at`` or claim (an attempt that ended in doubt, a
    take-over by recovery), and ``now`` while one is being sent (by any worker)."""
    sending = connection.execute(
        select(d.c.id)
        .where(d.c.state == DeliveryState.SENDING.value, d.c.target == target)
        .limit(1)
    ).first()
    if sending is not None:
        return now
    claimed = connection.execute(
        select(func.max(d.c.claimed_at)).where(d.c.target == target)
    ).scalar()
    moments = [m for m in (last_sent_at(connection, target), as_utc(claimed)) if m is not None]
    return max(moments) if moments else None


def posted_since(connection: Connection, target: str, since: datetime) -> int:
    """Posts that count against ``target``'s daily cap since ``since``: those sent, and
    those being sent or left in doubt (claimed since then), whichever worker has them."""
    doubtful = connection.execute(
        select(func.count())
        .select_from(d)
        .where(d.c.target == target, d.c.state.in_(_OUT), d.c.claimed_at >= to_naive_utc(since))
    ).scalar_one()
    return sent_since(connection, target, since) + int(doubtful)
