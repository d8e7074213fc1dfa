"""Each source's poll state: validators for conditional GET, when to poll next, and
how often it has failed in a row (for backoff and for reporting a dead source)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, Row, select
from sqlalchemy.dialects import postgresql, sqlite

from syndicator.clock import as_utc, to_naive_utc
from syndicator.secrets import redact
from syndicator.store import schema

s = schema.sources


@dataclass(frozen=True)
class SourceState:
    name: str
    url: str = ""
    etag: str | None = None
    last_modified: str | None = None
    baselined_at: datetime | None = None
    last_polled_at: datetime | None = None
    last_success_at: datetime | None = None
    next_poll_at: datetime | None = None
    failures: int = 0
    last_error: str | None = None
    articles_seen: int = 0

    def evolve(self, **changes: object) -> SourceState:
        # Not ``dataclasses.replace``: a round evolves every source's state twice,
        # and replace re-reads the field list each time (a third of the cost).
        return SourceState(**{**self.__dict__, **changes})


_MOMENTS = ("baselined_at", "last_polled_at", "last_success_at", "next_poll_at")
# The poll state's own columns: the lease columns beside them belong to the workers'
# claims (``store/leases.py``) and are never read or overwritten from here.
_COLUMNS = [s.c[name] for name in SourceState.__dataclass_fields__]


def _state(row: Row[tuple[object, ...]]) -> SourceState:
    values = dict(row._mapping)
    for name in _MOMENTS:
        values[name] = as_utc(values[name])
    return SourceState(**values)


def load_all(connection: Connection) -> dict[str, SourceState]:
    return {row.name: _state(row) for row in connection.execute(select(*_COLUMNS))}


def load(connection: Connection, name: str) -> SourceState | None:
    row = connection.execute(select(*_COLUMNS).where(s.c.name == name)).first()
    return _state(row) if row is not None else None


def _values(state: SourceState) -> dict[str, object]:
    values: dict[str, object] = dict(state.__dict__)
    for name in _MOMENTS:
        values[name] = to_naive_utc(values[name])  # type: ignore[arg-type]
    values["last_error"] = redact(state.last_error) if state.last_error else None
    return values


def save(connection: Connection, state: SourceState) -> None:
    save_many(connection, [state])


def save_many(connection: Connection, states: list[SourceState]) -> None:
    """Save many sources' states in one statement (an upsert on the name): a round
    over a thousand sources must not cost a thousand statements."""
    latest = {state.name: state for state in states}  # one row per source
    if not latest:
        return
    dialect = postgresql if connection.dialect.name == "postgresql" else sqlite
    statement = dialect.insert(s)
    statement = statement.on_conflict_do_update(
        index_elements=[s.c.name],
        set_={c.name: statement.excluded[c.name] for c in _COLUMNS if c.name != "name"},
    )
    connection.execute(statement, [_values(state) for state in latest.values()])
