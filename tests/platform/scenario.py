"""Building blocks for engine tests on the local platform: config snippets, a clocked
engine, and articles queued through the real pipeline (record, plan, render)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path

from syndicator.clock import FrozenClock
from syndicator.config import load_config
from syndicator.engine import Engine
from syndicator.models import Article
from syndicator.pipeline import plan_deliveries
from syndicator.store import articles as article_store
from syndicator.store import deliveries as delivery_store
from syndicator.store.deliveries import DeliveryRow
from tests.engine_helpers import write_config

START = datetime(2026, 11, 20, 2, 0, tzinfo=UTC)  # 10:00 in Asia/Shanghai

SOURCE = """
[[sources]]
name = "news"
url = "http://127.0.0.1:9/feed.xml"
kind = "feed"
"""


def target(
    name: str, platform_url: str, *, adapter: str = "test_idempotent", **keys: object
) -> str:
    """A ``[[targets]]`` block on the local platform; ``keys`` are written as TOML."""
    lines = [
        "[[targets]]",
        f'name = "{name}"',
        f'adapter = "{adapter}"',
        f'url = "{platform_url}"',
        f'channel = "{name}"',
    ]
    tables = []
    for key, value in keys.items():
        if isinstance(value, dict):
            body = "\n".join(f"{k} = {_toml(v)}" for k, v in value.items())
            tables.append(f"[targets.{key}]\n{body}")
        else:
            lines.append(f"{key} = {_toml(value)}")
    tables.append('[targets.secrets]\ntoken = "env:PLATFORM_TOKEN"')
    return "\n".join(lines) + "\n" + "\n".join(tables) + "\n"


def _toml(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, list):
        return "[" + ", ".join(_toml(v) for v in value) + "]"
    return '"' + str(value).replace("\\", "\\\\").replace('"', '\\"') + '"'


def open_clocked(
    folder: Path, body: str, *, start: datetime = START, service: str = "", source: str = SOURCE
) -> Engine:
    path = write_config(folder, source + body)
    if service:
        text = path.read_text(encoding="utf-8").replace("[service]\n", f"[service]\n{service}\n", 1)
        path.write_text(text, encoding="utf-8")
    return Engine.open(load_config(path), clock=FrozenClock(start))


def article(
    number: int, *, title: str | None = None, published: datetime | None = None, **more: object
) -> Article:
    url = f"https://news.example.edu/2026-11/20/c_{number}.htm"
    return Article(
        key=f"url:{url}",
        url=url,
        title=title if title is not None else f"Campus story number {number}",
        source="news",
        summary=f"Teaser of story {number}.",
        published=published,
        **more,  # type: ignore[arg-type]
    )


def queue(engine: Engine, articles: Sequence[Article], *, first_poll: bool = False) -> list[int]:
    """Record ``articles`` (given oldest first) as one poll's new items and plan them;
    return their article ids in the same order."""
    newest_first = list(reversed(articles))
    with engine.store.begin() as connection:
        recorded = article_store.record_articles(connection, newest_first, now=engine.clock.now())
    plan_deliveries(
        engine,
        engine.config.source("news"),
        [r for r in recorded if r.is_new],
        first_poll=first_poll,
    )
    return [r.id for r in reversed(recorded)]


def rows(engine: Engine, target: str | None = None) -> list[DeliveryRow]:
    with engine.store.begin() as connection:
        found = delivery_store.listing(connection, target=target, limit=10_000)
    return sorted(found, key=lambda r: r.id)


def row(engine: Engine, delivery_id: int) -> DeliveryRow:
    with engine.store.begin() as connection:
        found = delivery_store.get(connection, delivery_id)
    assert found is not None
    return found


def advance(engine: Engine, **delta: float) -> datetime:
    clock = engine.clock
    assert isinstance(clock, FrozenClock)
    return clock.advance(timedelta(**delta))
