"""The post log on SQLite and on a real PostgreSQL server: batched article recording
with aliases, guarded state changes, and SQLite's one-service lock (migrations:
``tests/store/test_migrations.py``)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from syndicator.models import Article, DeliveryState, Receipt
from syndicator.store import AlreadyRunning, Store
from syndicator.store import articles as article_store
from syndicator.store import deliveries as delivery_store

NOW = datetime(2026, 11, 29, 8, 0, tzinfo=UTC)


@pytest.fixture(params=["sqlite", "postgresql"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'log.db'}"
    else:
        url = request.getfixturevalue("fresh_postgres_url")
    opened = Store(url)
    yield opened
    opened.close()


def _article(n: int, **extra: object) -> Article:
    url = f"https://news.example.edu/2026-11/{n:02d}/c_{n}.htm"
    values: dict[str, object] = {
        "key": f"url:{url}",
        "url": url,
        "title": f"Story {n}",
        "source": "s",
    }
    values.update(extra)
    return Article(**values)  # type: ignore[arg-type]


def test_articles_are_recorded_once_under_every_key(store: Store) -> None:
    with store.begin() as connection:
        first = article_store.record_articles(connection, [_article(1), _article(2)], now=NOW)
    assert [r.is_new for r in first] == [True, True]
    same_story = _article(1, key="guid:tag:1", guid="tag:1", url=_article(1).url + "?utm_source=x")
    with store.begin() as connection:
        again = article_store.record_articles(
            connection, [same_story, _article(3), _article(3)], now=NOW
        )
    assert [r.is_new for r in again] == [False, True, False]
    assert again[0].id == first[0].id
    assert again[1].id == again[2].id
    with store.begin() as connection:
        assert article_store.find_article_id(connection, "tag:1") == first[0].id
        assert article_store.find_article_id(connection, _article(1).url + "#x") == first[0].id


def test_an_edited_title_is_recorded_as_a_change(store: Store) -> None:
    with store.begin() as connection:
        [original] = article_store.record_articles(connection, [_article(1)], now=NOW)
        [edited] = article_store.record_articles(
            connection, [_article(1, title="Story 1, updated")], now=NOW
        )
    assert edited.changed and not edited.is_new and edited.id == original.id


def test_a_claim_is_a_compare_and_set(store: Store) -> None:
    with store.begin() as connection:
        [recorded] = article_store.record_articles(connection, [_article(1)], now=NOW)
        delivery = delivery_store.create(
            connection,
            article_id=recorded.id,
            target="t",
            state=DeliveryState.PENDING,
            now=NOW,
            due_at=NOW,
        )
    with store.begin() as connection:
        assert delivery_store.claim(connection, delivery, holder="a", now=NOW)
    with store.begin() as connection:
        assert not delivery_store.claim(connection, delivery, holder="b", now=NOW)
        assert delivery_store.mark_sent(connection, delivery, Receipt("1", "https://x/1"), now=NOW)
        row = delivery_store.get(connection, delivery)
    assert row is not None and row.state is DeliveryState.SENT and row.attempts == 1
    with store.begin() as connection:
        kinds = [kind for _, kind, _ in delivery_store.events_for(connection, delivery)]
    assert kinds == ["pending", "sending", "sent"]


@pytest.fixture
def sqlite_store(tmp_path: Path) -> Iterator[Store]:
    """The one-service lock is SQLite's: a PostgreSQL store takes any number of
    workers (tests/test_workers.py)."""
    opened = Store(f"sqlite:///{tmp_path / 'log.db'}")
    yield opened
    opened.close()


def test_a_second_service_on_the_same_store_is_refused_until_the_first_stops(
    sqlite_store: Store,
) -> None:
    store = sqlite_store
    first = store.run_lock()
    first.acquire()
    other = Store(store.url)
    try:
        with pytest.raises(AlreadyRunning):
            other.run_lock().acquire()
        first.release()
        second = other.run_lock()
        second.acquire()
        second.release()
    finally:
        other.close()


def test_whether_a_service_holds_the_store_is_asked_without_taking_the_lock(
    sqlite_store: Store,
) -> None:
    import os

    store = sqlite_store
    other = Store(store.url)
    try:
        assert other.run_lock().holder() == (False, None)
        with store.run_lock():
            running, pid = other.run_lock().holder()
            assert running is True
            assert pid == os.getpid()
        assert other.run_lock().holder() == (False, None)
        with other.run_lock():  # asking left nothing behind
            assert store.run_lock().holder()[0] is True
    finally:
        other.close()


def test_the_shared_cache_expires(store: Store) -> None:
    cache = store.cache("wechat:")
    cache.put("token", "abc", ttl_seconds=60)
    assert cache.get("token") == "abc"
    cache.put("token", "old", ttl_seconds=-1)
    assert cache.get("token") is None
