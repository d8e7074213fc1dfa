"""Each source's poll state: validators for conditional GET, when to poll next, and
how often it has failed in a row (for backoff and for reporting a dead source)."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from sqlalchemy import Connection, bindparam, insert, select, update

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
        return replace(self, **changes)  # type: ignore[arg-type]


_TIMES = ("baselined_at", "last_polled_at", "last_success_at", "next_poll_at")


def load_all(connection: Connection) -> dict[str, SourceState]:
    states = {}
    for row in connection.execute(select(s)):
        values = dict(row._mapping)
        for key in _TIMES:
            values[key] = as_utc(values[key])
        states[values["name"]] = SourceState(**values)
    return states


def load(connection: Connection, name: str) -> SourceState | None:
    row = connection.execute(select(s).where(s.c.name == name)).first()
    if row is None:
        return None
    values = dict(row._mapping)
    for key in _TIMES:
        values[key] = as_utc(values[key])
    return SourceState(**values)


def _columns(state: SourceState) -> dict[str, object]:
    """A state as the table's column values (names excluded)."""
    values: dict[str, object] = {
        "url": state.url,
        "etag": state.etag,
        "last_modified": state.last_modified,
        "failures": state.failures,
        "last_error": redact(state.last_error) if state.last_error else None,
        "articles_seen": state.articles_seen,
    }
    for key in _TIMES:
        values[key] = to_naive_utc(getattr(state, key))
    return values


def save(connection: Connection, state: SourceState) -> None:
    values = _columns(state)
    updated = connection.execute(update(s).where(s.c.name == state.name).values(**values))
    if updated.rowcount == 0:
        connection.execute(insert(s).values(name=state.name, **values))


def save_many(connection: Connection, states: list[SourceState]) -> None:
    """Save many sources' states with one UPDATE batch and one INSERT batch: a round
    over a thousand sources must not cost a thousand statements."""
    if not states:
        return
    rows = [{"b_name": state.name, **_columns(state)} for state in states]
    names = [state.name for state in states]
    existing: set[str] = set()
    for start in range(0, len(names), 500):
        chunk = names[start : start + 500]
        existing.update(connection.execute(select(s.c.name).where(s.c.name.in_(chunk))).scalars())
    old = [row for row in rows if row["b_name"] in existing]
    new = [{**row, "name": row["b_name"]} for row in rows if row["b_name"] not in existing]
    if old:
        connection.execute(update(s).where(s.c.name == bindparam("b_name")), old)
    if new:
        connection.execute(
            insert(s), [{k: v for k, v in row.items() if k != "b_name"} for row in new]
        )
