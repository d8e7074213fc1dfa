"""Each source's poll state: validators for conditional GET, when to poll next, and
how often it has failed in a row (for backoff and for reporting a dead source).

Plain SQL (``syndicator.store.sql``): a poll round loads and saves every state, and
must not pay for SQLAlchemy's import to do it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from syndicator.secrets import redact
from syndicator.store.sql import Sql, sql_of


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


# Column order of every statement below; ``name`` first.
_COLUMNS = (
    "name",
    "url",
    "etag",
    "last_modified",
    "baselined_at",
    "last_polled_at",
    "last_success_at",
    "next_poll_at",
    "failures",
    "last_error",
    "articles_seen",
)
_SELECT = f"SELECT {', '.join(_COLUMNS)} FROM sources"


def _state(sql: Sql, row: tuple[Any, ...], moments: dict[Any, datetime | None]) -> SourceState:
    """The state of a ``_SELECT`` row. ``moments`` holds each stored time read so
    far: the states a round saved share its "now", and reading each again costs
    more than the rest of the row."""
    (name, url, etag, last_modified, baselined, polled, success, next_poll, failures,
     last_error, seen) = row  # fmt: skip

    def moment(value: Any) -> datetime | None:
        if value is None:
            return None
        if value not in moments:
            moments[value] = sql.moment(value)
        return moments[value]

    return SourceState(
        name=name,
        url=url,
        etag=etag,
        last_modified=last_modified,
        baselined_at=moment(baselined),
        last_polled_at=moment(polled),
        last_success_at=moment(success),
        next_poll_at=moment(next_poll),
        failures=failures,
        last_error=last_error,
        articles_seen=seen,
    )


def load_all(connection: Any) -> dict[str, SourceState]:
    sql = sql_of(connection)
    moments: dict[Any, datetime | None] = {}
    return {row[0]: _state(sql, row, moments) for row in sql.rows(_SELECT)}


def load(connection: Any, name: str) -> SourceState | None:
    sql = sql_of(connection)
    rows = sql.rows(f"{_SELECT} WHERE name = ?", [name])
    return _state(sql, rows[0], {}) if rows else None


def _values(sql: Sql, state: SourceState, stamps: dict[datetime, Any]) -> list[Any]:
    """A state's column values after ``name``, in ``_COLUMNS`` order. ``stamps``
    holds the stored form of each moment met so far: a round's states share a
    handful (the round's "now"), and converting each again costs more than the rest."""

    def stamp(moment: datetime | None) -> Any:
        if moment is None:
            return None
        stored = stamps.get(moment)
        if stored is None:
            stored = stamps[moment] = sql.stamp(moment)
        return stored

    return [
        state.url,
        state.etag,
        state.last_modified,
        stamp(state.baselined_at),
        stamp(state.last_polled_at),
        stamp(state.last_success_at),
        stamp(state.next_poll_at),
        state.failures,
        redact(state.last_error) if state.last_error else None,
        state.articles_seen,
    ]


def save(connection: Any, state: SourceState) -> None:
    save_many(connection, [state])


def save_many(connection: Any, states: list[SourceState]) -> None:
    """Save many sources' states in one statement (an upsert): a round over a
    thousand sources must not cost a thousand statements."""
    sql = sql_of(connection)
    latest = {state.name: state for state in states}  # one row per source
    stamps: dict[datetime, Any] = {}
    sql.insert(
        "sources",
        _COLUMNS,
        ([s.name, *_values(sql, s, stamps)] for s in latest.values()),
        upsert_on="name",
    )
