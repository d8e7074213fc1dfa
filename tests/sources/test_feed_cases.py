"""Feeds written for each way a feed used to be misread (issue 17): both parsers must
read them alike, and as feedparser's own test feeds say they should be read."""

from __future__ import annotations

import base64
from datetime import UTC, datetime

import pytest

from syndicator.sources.feed_xml import NotFast, parse_xml_fast
from syndicator.sources.feeds import parse_feed

URL = "https://news.example.com/feed/rss.xml"


def _both(body: bytes, url: str = URL, content_type: str = ""):  # type: ignore[no-untyped-def]
    """The articles of ``body`` on the fast and the forgiving path (equal, or the test fails)."""
    fast = parse_feed(body, url=url, source="t", content_type=content_type)
    loose = parse_feed(body, url=url, source="t", content_type=content_type, fast=False)
    assert fast == loose
    return fast


def _rss(items: str, *, decl: str = '<?xml version="1.0" encoding="utf-8"?>') -> bytes:
    return f'{decl}<rss version="2.0"><channel><title>News</title>{items}</channel></rss>'.encode()


def test_a_relative_guid_keeps_its_key_whichever_path_reads_the_feed() -> None:
    well_formed = _rss("<item><title>One</title><guid>n1</guid></item>")
    with_entity = _rss("<item><title>One&nbsp;</title><guid>n1</guid></item>")
    with pytest.raises(NotFast):
        parse_xml_fast(with_entity, url=URL)
    (fast,) = parse_feed(well_formed, url=URL, source="t")
    (loose,) = parse_feed(with_entity, url=URL, source="t")
    assert fast.key == loose.key == "guid:n1"
    assert fast.url == loose.url == ""  # a guid that is not an http(s) URL is not a link


def test_a_relative_atom_id_is_kept_and_is_not_the_link() -> None:
    body = b"""<feed xmlns="http://www.w3.org/2005/Atom"><title>T</title>
      <entry><id>right</id><title>Entry</title></entry></feed>"""
    (entry,) = _both(body, url="http://example.test/feeds/atom.xml")
    assert entry.guid == "right" and entry.url == ""


def test_an_id_relative_to_xml_base_is_resolved_against_it_on_both_paths() -> None:
    body = b"""<feed xmlns="http://www.w3.org/2005/Atom" xml:base="http://example.test/a/">
      <entry><id>n1</id><link href="p1.html"/><title>E</title></entry></feed>"""
    (entry,) = _both(body, url="https://elsewhere.example.org/feed")
    assert entry.guid == "http://example.test/a/n1"
    assert entry.url == "http://example.test/a/p1.html"


def test_utf8_without_a_declaration_on_the_forgiving_path_is_not_garbled() -> None:
    body = '<rss version="2.0"><channel><item><title>北京新闻&nbsp;Beijing News</title><guid>a</guid></item></channel></rss>'
    (item,) = parse_feed(body.encode("utf-8"), url=URL, source="t")
    assert item.title == "北京新闻 Beijing News"  # not "åŒ—äº¬æ–°é—»"


def test_a_feed_with_no_items_is_a_feed() -> None:
    assert _both(_rss("")) == []
    assert parse_feed(_rss("&nbsp;"), url=URL, source="t") == []  # forgiving path
    assert _both(b'<feed xmlns="http://www.w3.org/2005/Atom"><title>T</title></feed>') == []


def test_one_bad_link_does_not_cost_the_other_items() -> None:
    body = _rss(
        '<item><guid isPermaLink="true">http://example.c[o.test/</guid></item>'
        "<item><title>Fine</title><link>https://news.example.com/a/1.html</link></item>"
    )
    bad, fine = parse_feed(body, url=URL, source="t")
    assert bad.guid == "http://example.c[o.test/"
    assert fine.url == "https://news.example.com/a/1.html"


def test_atom_text_content_is_text_not_html() -> None:
    body = b"""<feed xmlns="http://www.w3.org/2005/Atom"><entry><id>tag:x,2024:1</id>
      <title type="text">Using Vec&lt;T&gt; in Rust</title>
      <content type="text">Call Vec::&lt;T&gt;::new() &amp; push.</content></entry></feed>"""
    (entry,) = _both(body)
    assert entry.title == "Using Vec<T> in Rust"
    assert entry.text == "Call Vec::<T>::new() & push."


def test_an_rss_title_with_angle_brackets_that_are_not_html_stays_whole() -> None:
    (item,) = _both(_rss("<item><title>Using Vec&lt;T&gt;</title><guid>v</guid></item>"))
    assert item.title == "Using Vec<T>"


def test_a_base64_atom_title_is_decoded() -> None:
    title = base64.b64encode(b"Lab <b>opens</b>").decode()
    body = f"""<feed xmlns="http://www.w3.org/2005/Atom"><entry><id>tag:x,2024:2</id>
      <title type="application/octet-stream">{title}</title></entry></feed>""".encode()
    (entry,) = _both(body)
    assert entry.title == "Lab opens"


@pytest.mark.parametrize(
    "element",
    [
        "<dcterms:modified>2002-09-28T20:01:19Z</dcterms:modified>",
        "<dcterms:issued>2002-09-28T20:01:19Z</dcterms:issued>",
        "<dc:date>2002-09-28T20:01:19Z</dc:date>",
    ],
)
def test_dublin_core_dates_are_read(element: str) -> None:
    body = f"""<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/"
      xmlns:dcterms="http://purl.org/dc/terms/"><channel><item><title>D</title>
      <guid>d</guid>{element}</item></channel></rss>""".encode()
    (item,) = _both(body)
    assert item.published == datetime(2002, 9, 28, 20, 1, 19, tzinfo=UTC)


@pytest.mark.parametrize(
    ("element", "field", "value"),
    [
        ("<dc:description>Only a teaser</dc:description>", "summary", "Only a teaser"),
        ("<media:title>Only a media title</media:title>", "title", "Only a media title"),
        (
            '<body xmlns="http://www.w3.org/1999/xhtml"><p>Only a body</p></body>',
            "text",
            "Only a body",
        ),
        ("<fullitem>&lt;p&gt;Only a full item&lt;/p&gt;</fullitem>", "text", "Only a full item"),
        (
            "<itunes:summary>Only an iTunes summary</itunes:summary>",
            "summary",
            "Only an iTunes summary",
        ),
    ],
)
def test_an_item_with_only_one_field_feedparser_reads_is_an_article(
    element: str, field: str, value: str
) -> None:
    body = f"""<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/"
      xmlns:media="http://search.yahoo.com/mrss/"
      xmlns:itunes="http://www.itunes.com/DTDs/Podcast-1.0.dtd"><channel>
      <item>{element}</item></channel></rss>""".encode()
    (item,) = _both(body)
    assert getattr(item, field) == value


def test_an_atom_link_written_as_text_is_the_link() -> None:
    body = b"""<feed xmlns="http://www.w3.org/2005/Atom"><entry>
      <link rel="alternate" type="text/html">http://www.example.com/a.html</link></entry></feed>"""
    (entry,) = _both(body)
    assert entry.url == "http://www.example.com/a.html"
