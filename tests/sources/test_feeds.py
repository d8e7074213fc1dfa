"""Feeds into articles: RSS 2.0, RSS 1.0, Atom, JSON Feed, broken and hostile feeds.

Fixtures are in tests/data/feeds (see the README there).
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from syndicator.errors import SourceError
from syndicator.sources.feed_xml import NotFast, parse_xml_fast
from syndicator.sources.feeds import parse_feed

FEEDS = Path(__file__).resolve().parent.parent / "data" / "feeds"


def _parse(name: str, *, fast: bool = True, timezone: str = "UTC"):  # type: ignore[no-untyped-def]
    body = (FEEDS / name).read_bytes()
    return parse_feed(
        body, url=f"https://feeds.example.org/{name}", source="test", fast=fast, timezone=timezone
    )


def test_rss2_items_keep_document_order_and_fields() -> None:
    first, second, third = _parse("rss2.xml")
    assert first.title.startswith("The International Exchange of Postgraduates")
    assert first.key == "guid:bit-news-123456" and first.guid == "bit-news-123456"
    assert first.url == "https://english.bit.edu.cn/News/BITNews/2020-02/09/c_123456.htm"
    assert first.published == datetime(2020, 2, 8, 20, 7, tzinfo=UTC)
    assert first.author == "News Agency of BIT"
    assert first.categories == ("Graduate School", "International")
    assert first.image_url == "https://english.bit.edu.cn/images/2020-02/exchange-thumb.jpg"
    assert "international horizon" in first.text and "<p>" not in first.text
    assert first.summary.startswith("In 2019, for the first time")
    assert first.site_name == "BIT News" and first.language == "en"
    assert second.title == 'BIT Team Wins Gold at the "Challenge Cup" & Sets a Record'
    assert second.summary == "A short teaser about the Challenge Cup team."
    assert second.image_url == "https://english.bit.edu.cn/images/2020-01/cup.png"
    assert second.author == "Li Hua" and second.text == ""
    # A permalink guid doubles as the link when the item has no <link>.
    assert third.url == "https://english.bit.edu.cn/News/Notice/2020-01/10/c_123390.htm"


def test_rss1_items_are_named_by_rdf_about() -> None:
    concert, exchange = _parse("rss1.rdf", timezone="Asia/Shanghai")
    assert concert.title == "学校举行2024年新年音乐会"
    assert concert.key == "guid:https://news.example.edu.cn/2024/0104/c1a2.html"
    assert concert.categories == ("校园文化",) and concert.language == "zh-cn"
    # dc:date without an offset is read in the source's time zone.
    assert exchange.published == datetime(2024, 1, 3, 1, 0, tzinfo=UTC)
    assert exchange.url == "https://news.example.edu.cn/2024/0103/c1a1.html"
    assert "同比增长28%" in exchange.text


def test_atom_resolves_xml_base_and_reads_xhtml_content() -> None:
    light, open_day = _parse("atom.xml")
    assert light.title == "New telescope sees first light"
    assert light.url == "https://www.example.org/news/2024/03/first-light.html"
    assert light.image_url == "https://www.example.org/img/first-light.jpg"
    assert light.published == datetime(2024, 3, 2, 9, 15, tzinfo=UTC)
    assert light.author == "Ada Observer"
    assert "six years building the mirror & its mount" in light.text
    assert open_day.url == "https://blog.example.org/posts/open-day.html"
    assert open_day.image_url == "https://blog.example.org/posts/dome.jpg"
    assert open_day.summary == "Visitors can tour the dome & the workshop."


def test_json_feed_items() -> None:
    robotics, award = _parse("feed.json")
    assert robotics.key == "guid:2024-05-01-robotics"
    assert robotics.url == "https://press.example.com/2024/05/robotics.html"
    assert robotics.text == "The robotics lab will host twelve school visits this term."
    assert robotics.categories == ("robotics", "outreach") and robotics.language == "en-GB"
    assert award.guid == "42" and award.url == "https://feeds.example.org/2024/04/award.html"
    assert award.title == "The faculty received the national teaching award."


def test_items_without_guid_link_or_title_still_get_stable_keys() -> None:
    untitled, titled, link_only = _parse("rss2-sparse.xml")  # the empty <item> is dropped
    assert untitled.key.startswith("hash:") and untitled.url == ""
    assert untitled.title.startswith("An item with neither title") and len(untitled.title) <= 81
    assert titled.key.startswith("hash:") and titled.title == "Only a title"
    assert link_only.key == "url:https://feeds.example.org/relative/only-link.html"
    assert [a.key for a in _parse("rss2-sparse.xml")] == [untitled.key, titled.key, link_only.key]


def test_undeclared_html_entities_fall_back_to_the_forgiving_parser() -> None:
    (item,) = _parse("rss2-html-entities.xml")
    assert item.title == "Spring semester opens — 15,000 students return"
    assert item.summary == "Classes began on Monday…"


def test_billion_laughs_is_not_expanded_and_external_entity_not_read() -> None:
    (item,) = _parse("billion-laughs.xml")
    assert "lollollol" not in item.title
    assert len(item.title) < 50
    assert "root:" not in item.summary


@pytest.mark.parametrize(
    "name",
    ["rss2.xml", "rss1.rdf", "atom.xml", "rss2-sparse.xml", "rss2-html-entities.xml"],
)
def test_fast_path_and_feedparser_path_give_the_same_articles(name: str) -> None:
    assert _parse(name, fast=True) == _parse(name, fast=False)


@pytest.mark.parametrize("name", ["rss2.xml", "rss1.rdf", "atom.xml", "rss2-sparse.xml"])
def test_well_formed_feeds_take_the_fast_path(name: str) -> None:
    """Otherwise the comparison above would compare feedparser with itself."""
    entries = parse_xml_fast((FEEDS / name).read_bytes(), url="https://feeds.example.org/")
    assert entries


@pytest.mark.parametrize("name", ["rss2-html-entities.xml", "billion-laughs.xml"])
def test_entities_and_doctypes_are_declined_by_the_fast_path(name: str) -> None:
    with pytest.raises(NotFast):
        parse_xml_fast((FEEDS / name).read_bytes(), url="https://feeds.example.org/")


def test_html_page_is_not_a_feed() -> None:
    with pytest.raises(SourceError, match="source 'news': not a readable feed"):
        parse_feed(b"<html><body><p>Hello</p></body></html>", url="https://x.org/", source="news")


def test_broken_json_feed_names_the_source() -> None:
    with pytest.raises(SourceError, match="source 'press': JSON Feed is not valid JSON"):
        parse_feed(b'{"items": [', url="https://x.org/feed.json", source="press")
