"""Whether the delivery queue holds anything to send, asked in plain SQL: a poll with
nothing queued must not load the delivery machinery (SQLAlchemy, adapters) to find
that out."""

from __future__ import annotations

from typing import Any

from syndicator.store.sql import sql_of


def has_waiting(connection: Any) -> bool:
    """True when some delivery is pending or retrying (due now or later)."""
    rows = sql_of(connection).rows(
        "SELECT 1 FROM deliveries WHERE state IN ('pending', 'retry') LIMIT 1"
    )
    return bool(rows)
