"""Recording articles: once under every key, across batches larger than one IN list,
and nothing left behind by a transaction that fails."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from syndicator.models import Article
from syndicator.store import Store
from syndicator.store import articles as article_store

NOW = datetime(2026, 11, 29, 8, 0, 0, 250_000, tzinfo=UTC)


def _article(n: int, **extra: object) -> Article:
    url = f"https://news.example.edu/2026-11/{n:02d}/c_{n}.htm"
    values: dict[str, object] = {"key": f"url:{url}", "url": url, "title": f"Story {n}"}
    values.update(extra)
    return Article(source="s", **values)  # type: ignore[arg-type]


def test_a_recorded_article_reads_back_with_its_publication_time(store: Store) -> None:
    published = datetime(2026, 11, 28, 9, 30, 15, 123_456, tzinfo=UTC)
    with store.begin() as connection:
        [recorded] = article_store.record_articles(
            connection, [_article(1, guid="g-1", published=published)], now=NOW
        )
    with store.read() as connection:
        assert article_store.find_article_id(connection, "g-1") == recorded.id
        assert article_store.find_article_id(connection, _article(1).url) == recorded.id
        stored = article_store.load_article(connection, recorded.id)
    assert stored is not None and stored.published == published


def test_a_batch_larger_than_one_lookup_is_recorded_once(store: Store) -> None:
    batch = [_article(n) for n in range(1_200)]
    with store.begin() as connection:
        first = article_store.record_articles(connection, batch, now=NOW)
    with store.begin() as connection:
        again = article_store.record_articles(connection, [*batch, batch[0]], now=NOW)
        titles = article_store.titles(connection, [r.id for r in first])
    assert all(r.is_new for r in first) and len({r.id for r in first}) == 1_200
    assert not any(r.is_new or r.changed for r in again)
    assert [r.id for r in again] == [*(r.id for r in first), first[0].id]
    assert titles[first[1_100].id] == "Story 1100"


def test_an_edit_is_a_new_revision_of_the_same_article(store: Store) -> None:
    with store.begin() as connection:
        [first] = article_store.record_articles(connection, [_article(2)], now=NOW)
    with store.begin() as connection:
        [edited] = article_store.record_articles(
            connection, [_article(2, title="Story 2, corrected")], now=NOW
        )
    assert edited.changed and edited.id == first.id
    with store.read() as connection:
        assert article_store.titles(connection, [first.id]) == {first.id: "Story 2, corrected"}


def test_plan_marks_are_listed_until_cleared(store: Store) -> None:
    with store.begin() as connection:
        recorded = article_store.record_articles(
            connection, [_article(1), _article(2)], now=NOW, plans=["first", None]
        )
    with store.begin() as connection:
        assert article_store.marked(connection) == [(recorded[0].id, "s", "first")]
        article_store.mark_planned(connection, [recorded[0].id])
    with store.read() as connection:
        assert article_store.marked(connection) == []


def test_a_failed_transaction_leaves_nothing_behind(store: Store) -> None:
    with pytest.raises(RuntimeError), store.begin() as connection:
        article_store.record_articles(connection, [_article(1)], now=NOW)
        raise RuntimeError("crash between recording and commit")
    with store.read() as connection:
        assert article_store.known_keys(connection, [_article(1).key]) == {}
