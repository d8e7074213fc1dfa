"""When each target may send next: the moments the service wakes up for.

A delivery may go when it is due *and* its target's pacing allows (a pause the
platform asked for, quiet hours, the daily cap, the minimum spacing). The drain
asks ``pacing_block`` before each post; the service asks ``next_sends`` after each
drain and on every look at the post log, and sleeps until the earliest of them, so
a target paced at ``min_interval = "1s"`` sends one post a second rather than one
per drain tick. Both read the same rule, so the service never wakes for a post the
drain would then refuse. The counts are those of every worker on the store
(``store/paced.py``): a post in flight elsewhere holds back the next one here.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Connection

from syndicator.engine import Engine
from syndicator.pacing import blocked_until, next_allowed, start_of_day, target_zone
from syndicator.store import deliveries, paced, pauses
from syndicator.targets import BoundTarget

__all__ = ["next_send_at", "next_sends", "pacing_block"]


def pacing_block(
    connection: Connection, engine: Engine, bound: BoundTarget, at: datetime
) -> tuple[datetime, str] | None:
    """When and why ``bound`` must wait if it sent at ``at``; ``None`` if it may."""
    zone = target_zone(bound.config, engine.config.service.timezone)
    return blocked_until(
        bound.config,
        now=at,
        timezone=zone,
        last_sent=paced.last_post_at(connection, bound.name, now=at),
        sent_today=paced.posted_since(connection, bound.name, start_of_day(at, zone)),
        paused=pauses.paused(connection, bound.name, now=at),
        platform_max_per_day=bound.adapter_class.max_per_day,
    )


def next_send_at(
    connection: Connection, engine: Engine, bound: BoundTarget, due_at: datetime, now: datetime
) -> tuple[datetime, list[str]]:
    """The first moment, not before ``now``, when a delivery due at ``due_at`` may
    go, and why it waits until then (a retry's backoff, a pause, quiet hours, ...)."""
    start = max(now, due_at)
    zone = target_zone(bound.config, engine.config.service.timezone)
    reasons = [] if start <= now else [f"due at {start:%Y-%m-%d %H:%M:%S} UTC (a retry's backoff)"]
    moment, waits = next_allowed(
        bound.config,
        now=start,
        timezone=zone,
        last_sent=paced.last_post_at(connection, bound.name, now=now),
        sent_today=paced.posted_since(connection, bound.name, start_of_day(start, zone)),
        paused=pauses.paused(connection, bound.name, now=now),
        platform_max_per_day=bound.adapter_class.max_per_day,
    )
    return moment, reasons + waits


def next_sends(engine: Engine, connection: Connection, now: datetime) -> dict[str, datetime]:
    """For each enabled target with a delivery waiting: when its next post may go."""
    due = deliveries.earliest_due(connection)
    return {
        name: next_send_at(connection, engine, bound, due[name], now)[0]
        for name, bound in engine.targets.items()
        if bound.config.enabled and name in due
    }
