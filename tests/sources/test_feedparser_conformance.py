"""syndicator beside feedparser over feedparser's own test feeds.

The corpus is read from ``<repo>/../shared/conformance/feedparser`` (see
``feedparser_corpus.py``) and these tests skip where it is absent. Every
difference left after the rules of ``feedparser_differences.md`` must be listed
there with its reason.
"""

from __future__ import annotations

import pytest

from tests.sources.feedparser_corpus import CORPUS, FileReport, compare, corpus_files

pytestmark = pytest.mark.skipif(
    not CORPUS.is_dir(), reason=f"feedparser's test corpus is not at {CORPUS}"
)


@pytest.fixture(scope="module")
def reports() -> list[FileReport]:
    return [compare(path) for path in corpus_files()]


def _observed(reports: list[FileReport]) -> set[tuple[str, str]]:
    found = {(r.name, kind) for r in reports for kind, _, _ in r.differences}
    return found | {(r.name, "paths") for r in reports if not r.paths_agree}


def test_the_whole_corpus_is_read_without_a_crash(reports: list[FileReport]) -> None:
    assert len(reports) >= 1700  # compare() raised on none of them


def test_every_difference_from_feedparser_is_listed_with_its_reason(
    reports: list[FileReport],
) -> None:
    from tests.sources.feedparser_corpus import listed_differences

    listed = listed_differences()
    observed = _observed(reports)
    assert sorted(observed - listed.keys()) == [], "differences not in feedparser_differences.md"
    assert sorted(listed.keys() - observed) == [], "rows of feedparser_differences.md now agree"
    assert all(reason for reason in listed.values())


def test_link_guid_title_and_date_agree_with_feedparser_on_99_percent_of_items(
    reports: list[FileReport],
) -> None:
    items = sum(r.items for r in reports)
    agreeing = sum(r.agreeing for r in reports)
    assert items > 900
    assert agreeing / items >= 0.99


def test_no_item_feedparser_finds_is_lost_but_the_listed_one(reports: list[FileReport]) -> None:
    lost = [
        r.name
        for r in reports
        for kind, ours, theirs in r.differences
        if kind == "items" and int(ours) < int(theirs)
    ]
    assert lost == ["rss/item_category_image.xml"]  # an <image> title inside a <category>


def test_both_paths_give_the_same_articles_on_every_file_the_fast_path_takes_but_two(
    reports: list[FileReport],
) -> None:
    fast = [r for r in reports if r.fast]
    assert len(fast) > 1000
    differing = sorted(r.name for r in fast if not r.paths_agree)
    # Both are feedparser's own losses (listed as "paths" rows with the reason).
    assert differing == ["rss/item_category_image.xml", "rss/item_guid_isPermaLink_ValueError.xml"]


def test_empty_feeds_are_feeds_with_no_items(reports: list[FileReport]) -> None:
    import feedparser

    from syndicator.sources.feeds import parse_feed
    from tests.sources.feedparser_corpus import url_of

    empty = [p for p in corpus_files() if not feedparser.parse(p.read_bytes()).entries]
    assert len(empty) > 300
    for path in empty:
        for fast in (True, False):
            assert parse_feed(path.read_bytes(), url=url_of(path), source="t", fast=fast) == []
