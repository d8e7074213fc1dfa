"""What the delivery queue holds: whether anything waits to be sent (so a poll with
nothing queued does not bind the targets and their adapters to find that out), and
what a round's planning made of its new articles."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, func, select

from syndicator.clock import to_naive_utc
from syndicator.store.schema import deliveries as d


def has_waiting(connection: Connection) -> bool:
    """True when some delivery is pending or retrying (due now or later)."""
    found = connection.execute(
        select(d.c.id).where(d.c.state.in_(("pending", "retry"))).limit(1)
    ).first()
    return found is not None


@dataclass(frozen=True)
class Planned:
    """What planning made of a round's new articles, counted from the post log."""

    to_send: int = 0  # pending: will be sent (now or when pacing allows)
    held: int = 0  # waiting for 'syndicator approve'
    baselined: int = 0  # articles recorded on a first poll, not posted
    skipped: int = 0  # deliveries not to be sent: filters, age, duplicates, flood guard


def planned_since(connection: Connection, since: datetime) -> Planned:
    """The deliveries created since ``since`` (a round's start), by what becomes of
    them; baselined counts articles, the rest deliveries."""
    baseline = d.c.reason.like("baseline:%")
    rows = connection.execute(
        select(d.c.state, baseline, func.count(), func.count(func.distinct(d.c.article_id)))
        .where(d.c.created_at >= to_naive_utc(since))
        .group_by(d.c.state, baseline)
    )
    counts = {"to_send": 0, "held": 0, "baselined": 0, "skipped": 0}
    for state, is_baseline, deliveries, articles in rows:
        if is_baseline:
            counts["baselined"] += int(articles)
        elif state in ("pending", "retry", "sending", "sent", "failed"):
            counts["to_send"] += int(deliveries)
        elif state == "held":
            counts["held"] += int(deliveries)
        else:
            counts["skipped"] += int(deliveries)
    return Planned(**counts)
