"""What the dashboard's pages read from the post log, in one place.

Every list is paged (``PAGE_SIZE`` rows, newest first) and filtered in SQL on indexed
columns, so a page costs the same with a hundred deliveries or a hundred thousand
(``tests/web/test_queries.py`` checks the plans; ``bench/web_pages.py`` the times).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Select, and_, func, or_, select

from syndicator.clock import as_utc, to_naive_utc
from syndicator.models import DeliveryState
from syndicator.store import schema
from syndicator.store.delivery_rows import DeliveryRow, row_of, select_rows

PAGE_SIZE = 50

d = schema.deliveries
a = schema.articles


@dataclass(frozen=True)
class DeliveryFilter:
    target: str | None = None
    state: DeliveryState | None = None
    since: datetime | None = None
    until: datetime | None = None


def _filtered(statement: Select[Any], chosen: DeliveryFilter) -> Select[Any]:
    if chosen.target:
        statement = statement.where(d.c.target == chosen.target)
    if chosen.state is not None:
        statement = statement.where(d.c.state == chosen.state.value)
    if chosen.since is not None:
        statement = statement.where(d.c.updated_at >= to_naive_utc(chosen.since))
    if chosen.until is not None:
        statement = statement.where(d.c.updated_at < to_naive_utc(chosen.until))
    return statement


def deliveries_page(
    connection: Connection, chosen: DeliveryFilter, *, page: int, size: int = PAGE_SIZE
) -> tuple[list[DeliveryRow], int]:
    """One page of deliveries, most recently changed first, and how many match."""
    statement = _filtered(select_rows(), chosen).order_by(d.c.updated_at.desc(), d.c.id.desc())
    rows = connection.execute(statement.limit(size).offset(max(0, page - 1) * size))
    total = connection.execute(_filtered(select(func.count()).select_from(d), chosen)).scalar_one()
    return [row_of(r) for r in rows], int(total)


def all_deliveries(connection: Connection, chosen: DeliveryFilter) -> list[DeliveryRow]:
    """Every matching delivery, for the CSV export."""
    statement = _filtered(select_rows(), chosen).order_by(d.c.updated_at.desc(), d.c.id.desc())
    return [row_of(r) for r in connection.execute(statement)]


def held(connection: Connection) -> list[DeliveryRow]:
    statement = select_rows().where(d.c.state == DeliveryState.HELD.value).order_by(d.c.id)
    return [row_of(r) for r in connection.execute(statement.limit(500))]


@dataclass(frozen=True)
class ArticleRow:
    id: int
    url: str
    title: str
    source: str
    published: datetime | None
    first_seen: datetime
    states: str  # "sent, held": the states of its deliveries


def articles_page(
    connection: Connection,
    *,
    query: str = "",
    source: str | None = None,
    state: DeliveryState | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    page: int = 1,
    size: int = PAGE_SIZE,
) -> tuple[list[ArticleRow], int]:
    """Articles newest first, matching a title or URL search, a source, a date range
    (first seen) and the state of one of their deliveries."""
    conditions = []
    if query:
        pattern = f"%{query.replace('%', '').replace('_', '')}%"
        conditions.append(or_(a.c.title.ilike(pattern), a.c.url.ilike(pattern)))
    if source:
        conditions.append(a.c.source == source)
    if since is not None:
        conditions.append(a.c.first_seen >= to_naive_utc(since))
    if until is not None:
        conditions.append(a.c.first_seen < to_naive_utc(until))
    if state is not None:
        # An IN list the database builds once from the state index, not a correlated
        # EXISTS per article (that took 35 s with 100,000 deliveries on SQLite).
        conditions.append(a.c.id.in_(select(d.c.article_id).where(d.c.state == state.value)))
    where = and_(*conditions) if conditions else None
    statement = select(a.c.id, a.c.url, a.c.title, a.c.source, a.c.published, a.c.first_seen)
    counting = select(func.count()).select_from(a)
    if where is not None:
        statement, counting = statement.where(where), counting.where(where)
    statement = statement.order_by(a.c.first_seen.desc(), a.c.id.desc())
    rows = list(connection.execute(statement.limit(size).offset(max(0, page - 1) * size)))
    states = _states_of(connection, [r.id for r in rows])
    found = [
        ArticleRow(
            id=r.id,
            url=r.url,
            title=r.title,
            source=r.source,
            published=as_utc(r.published),
            first_seen=as_utc(r.first_seen) or datetime.min,
            states=", ".join(states.get(r.id, [])),
        )
        for r in rows
    ]
    return found, int(connection.execute(counting).scalar_one())


def _states_of(connection: Connection, article_ids: list[int]) -> dict[int, list[str]]:
    if not article_ids:
        return {}
    rows = connection.execute(
        select(d.c.article_id, d.c.target, d.c.state)
        .where(d.c.article_id.in_(article_ids))
        .order_by(d.c.article_id, d.c.target)
    )
    found: dict[int, list[str]] = {}
    for article_id, target, state in rows:
        found.setdefault(article_id, []).append(f"{target}: {state}")
    return found


def recent_errors(connection: Connection, limit: int = 10) -> list[DeliveryRow]:
    statement = (
        select_rows()
        .where(d.c.error.is_not(None), d.c.state.in_(["failed", "retry", "unknown"]))
        .order_by(d.c.updated_at.desc())
        .limit(limit)
    )
    return [row_of(r) for r in connection.execute(statement)]


def notes_for(
    connection: Connection, delivery_ids: list[int]
) -> dict[int, list[tuple[datetime, str]]]:
    """The team's notes on these deliveries, oldest first."""
    if not delivery_ids:
        return {}
    e = schema.events
    rows = connection.execute(
        select(e.c.delivery_id, e.c.at, e.c.detail)
        .where(e.c.delivery_id.in_(delivery_ids), e.c.kind == "note")
        .order_by(e.c.id)
    )
    found: dict[int, list[tuple[datetime, str]]] = {}
    for delivery_id, at, detail in rows:
        found.setdefault(delivery_id, []).append((as_utc(at) or datetime.min, detail))
    return found
