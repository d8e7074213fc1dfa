"""Whether the delivery queue holds anything to send, so that a poll with nothing
queued does not bind the targets and their adapters to find that out."""

from __future__ import annotations

from sqlalchemy import Connection, select

from syndicator.store.schema import deliveries as d


def has_waiting(connection: Connection) -> bool:
    """True when some delivery is pending or retrying (due now or later)."""
    found = connection.execute(
        select(d.c.id).where(d.c.state.in_(("pending", "retry"))).limit(1)
    ).first()
    return found is not None
