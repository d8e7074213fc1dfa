"""What the delivery queue holds, asked in plain SQL: a poll with nothing queued
must not load the delivery machinery (SQLAlchemy, adapters) to find that out, nor
to say what its round planned."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from syndicator.store.sql import sql_of


def has_waiting(connection: Any) -> bool:
    """True when some delivery is pending or retrying (due now or later)."""
    rows = sql_of(connection).rows(
        "SELECT 1 FROM deliveries WHERE state IN ('pending', 'retry') LIMIT 1"
    )
    return bool(rows)


@dataclass(frozen=True)
class Planned:
    """What planning made of a round's new articles, counted from the post log."""

    to_send: int = 0  # pending: will be sent (now or when pacing allows)
    held: int = 0  # waiting for 'syndicator approve'
    baselined: int = 0  # articles recorded on a first poll, not posted
    skipped: int = 0  # deliveries not to be sent: filters, age, duplicates, flood guard


def planned_since(connection: Any, since: datetime) -> Planned:
    """The deliveries created since ``since`` (a round's start), by what becomes of
    them; baselined counts articles, the rest deliveries."""
    sql = sql_of(connection)
    rows = sql.rows(
        "SELECT state, reason LIKE 'baseline:%', COUNT(*), COUNT(DISTINCT article_id) "
        "FROM deliveries WHERE created_at >= ? GROUP BY state, reason LIKE 'baseline:%'",
        [sql.stamp(since)],
    )
    counts = {"to_send": 0, "held": 0, "baselined": 0, "skipped": 0}
    for state, baseline, deliveries, articles in rows:
        if baseline:
            counts["baselined"] += int(articles)
        elif state in ("pending", "retry", "sending", "sent", "failed"):
            counts["to_send"] += int(deliveries)
        elif state == "held":
            counts["held"] += int(deliveries)
        else:
            counts["skipped"] += int(deliveries)
    return Planned(**counts)
