"""A source's poll end to end against a real local HTTP server: feeds with teasers,
list pages, known articles skipped without fetching, failures reported per page."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

import pytest

from syndicator.errors import SourceError
from syndicator.sources.extract import Selectors
from syndicator.sources.fetcher import BlockingFetch
from syndicator.sources.poll import SourceSpec, extract_one
from tests.sources.one_poll import poll_once

from .conftest import LocalServer

PAGES = Path(__file__).resolve().parent.parent / "data" / "pages"
ARTICLE = (PAGES / "bit-news-article.html").read_bytes()
SEED_SELECTORS = Selectors(
    title="div.article-title",
    date="div.article-info",
    body="div.article-content",
    remove=("div.article-info", "p.editor", "p.related", "div.share"),
)


def _feed(base: str) -> bytes:
    return f"""<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel>
<title>BIT News</title><link>{base}/</link>
<item><title>Teaser only</title><link>{base}/news/teaser.htm?utm_source=rss</link>
  <guid isPermaLink="false">teaser-1</guid><description>Short teaser.</description></item>
<item><title>Full text in the feed</title><link>{base}/news/full.htm</link>
  <guid isPermaLink="false">full-1</guid><description>Teaser.</description>
  <content:encoded><![CDATA[<p>The whole article is here.</p>]]></content:encoded></item>
<item><title>Broken page</title><link>{base}/news/missing.htm</link>
  <description>Its page answers 404.</description></item>
</channel></rss>""".encode()


def _known(store: set[str]):  # type: ignore[no-untyped-def]
    asked: list[list[str]] = []

    def is_known(keys: Sequence[str]) -> set[str]:
        asked.append(list(keys))
        return {k for k in keys if k in store}

    return is_known, asked


def test_feed_poll_completes_teasers_from_their_pages_and_reports_broken_ones(
    http_server: LocalServer, session: BlockingFetch
) -> None:
    base = http_server.base
    feed_url = http_server.serve("/feed.xml", _feed(base), headers={"ETag": '"f1"'})
    http_server.serve("/news/teaser.htm", ARTICLE, headers={"Content-Type": "text/html"})
    spec = SourceSpec(
        name="bit-feed",
        url=feed_url,
        kind="feed",
        selectors=SEED_SELECTORS,
        timezone="Asia/Shanghai",
    )
    result = poll_once(spec, session, etag=None, last_modified=None)
    teaser, full, broken = result.articles
    assert teaser.key == "guid:teaser-1" and teaser.title == "Teaser only"
    assert teaser.text.startswith("Beijing Institute of Technology, Feb 7th, 2020")
    assert teaser.published == datetime(2020, 2, 8, 20, 7, tzinfo=UTC)
    assert "Editor:" not in teaser.text
    assert full.text == "The whole article is here."
    assert broken.summary == "Its page answers 404." and broken.text == ""
    assert len(result.errors) == 1 and f"{base}/news/missing.htm" in result.errors[0]
    assert "HTTP 404" in result.errors[0]
    assert http_server.requests_to("/news/full.htm") == []  # it had content
    assert result.etag == '"f1"' and not result.not_modified


def test_known_feed_items_are_neither_rebuilt_nor_fetched(
    http_server: LocalServer, session: BlockingFetch
) -> None:
    base = http_server.base
    feed_url = http_server.serve("/feed.xml", _feed(base))
    is_known, asked = _known({"guid:teaser-1", "guid:full-1", f"url:{base}/news/missing.htm"})
    spec = SourceSpec(name="bit-feed", url=feed_url, kind="feed")
    result = poll_once(spec, session, etag=None, last_modified=None, is_known=is_known)
    assert result.articles == [] and result.errors == []
    assert asked[0][:2] == ["guid:teaser-1", f"url:{base}/news/teaser.htm"]  # tracking removed
    assert [s.path for s in http_server.seen] == ["/feed.xml"]


def test_full_text_never_fetches_no_page(http_server: LocalServer, session: BlockingFetch) -> None:
    feed_url = http_server.serve("/feed.xml", _feed(http_server.base))
    spec = SourceSpec(name="bit-feed", url=feed_url, kind="feed", full_text="never")
    result = poll_once(spec, session, etag=None, last_modified=None)
    assert [a.title for a in result.articles] == [
        "Teaser only",
        "Full text in the feed",
        "Broken page",
    ]
    assert [s.path for s in http_server.seen] == ["/feed.xml"]


def test_unchanged_feed_answers_not_modified(
    http_server: LocalServer, session: BlockingFetch
) -> None:
    def conditional(request) -> None:  # type: ignore[no-untyped-def]
        same = request.headers.get("If-None-Match") == '"f1"'
        body = b"" if same else _feed(http_server.base)
        request.send_response(304 if same else 200)
        request.send_header("ETag", '"f1"')
        request.send_header("Cache-Control", "max-age=300")
        if not same:
            request.send_header("Content-Length", str(len(body)))
        request.end_headers()
        request.wfile.write(body)

    url = http_server.handle("/feed.xml", conditional)
    spec = SourceSpec(name="bit-feed", url=url, kind="feed", full_text="never")
    result = poll_once(spec, session, etag='"f1"', last_modified=None)
    assert result.not_modified and result.articles == [] and result.etag == '"f1"'
    assert result.max_age == 300.0


def _list_spec(http_server: LocalServer, **changes: object) -> SourceSpec:
    spec = SourceSpec(
        name="bit-news",
        url=http_server.url("/News/BITNews/index.htm"),
        kind="html",
        items="ul.news-list li a",
        link_pattern=r"^http://127\.0\.0\.1:\d+/News/BITNews/\d{4}-\d{2}/\d{2}/c_\d+\.htm$",
        selectors=SEED_SELECTORS,
        timezone="Asia/Shanghai",
        deadline=5.0,
    )
    return SourceSpec(**{**spec.__dict__, **changes})  # type: ignore[arg-type]


def test_list_page_poll_extracts_each_new_article_and_reports_failures(
    http_server: LocalServer, session: BlockingFetch
) -> None:
    http_server.serve("/News/BITNews/index.htm", (PAGES / "bit-news-list.html").read_bytes())
    http_server.serve("/News/BITNews/2020-02/09/c_123456.htm", ARTICLE)
    result = poll_once(_list_spec(http_server), session, etag=None, last_modified=None)
    (article,) = result.articles
    url = http_server.url("/News/BITNews/2020-02/09/c_123456.htm")
    assert article.key == f"url:{url}" and article.url == url and article.source == "bit-news"
    assert article.title.endswith("Hits a Record High in 2019")
    assert article.published == datetime(2020, 2, 8, 20, 7, tzinfo=UTC)
    assert "Editor:" not in article.text and "release date" not in article.text
    (error,) = result.errors
    assert "/News/BITNews/2020-01/15/c_123400.htm" in error and "HTTP 404" in error


def test_known_list_links_fetch_no_article_page(
    http_server: LocalServer, session: BlockingFetch
) -> None:
    http_server.serve("/News/BITNews/index.htm", (PAGES / "bit-news-list.html").read_bytes())
    known = {
        f"url:{http_server.url('/News/BITNews/2020-02/09/c_123456.htm')}",
        f"url:{http_server.url('/News/BITNews/2020-01/15/c_123400.htm')}",
    }
    is_known, _ = _known(known)
    result = poll_once(
        _list_spec(http_server), session, etag=None, last_modified=None, is_known=is_known
    )
    assert result.articles == [] and result.errors == []
    assert [s.path for s in http_server.seen] == ["/News/BITNews/index.htm"]


def test_list_page_without_matching_links_fails_the_source(
    http_server: LocalServer, session: BlockingFetch
) -> None:
    http_server.serve("/News/BITNews/index.htm", b"<html><body><p>Redesigned!</p></body></html>")
    with pytest.raises(SourceError, match="source 'bit-news': no article links"):
        poll_once(_list_spec(http_server), session, etag=None, last_modified=None)


def test_failing_source_raises_naming_it(http_server: LocalServer, session: BlockingFetch) -> None:
    spec = SourceSpec(name="gone-feed", url=http_server.url("/nothing.xml"), kind="feed")
    with pytest.raises(SourceError, match="source 'gone-feed': HTTP 404"):
        poll_once(spec, session, etag=None, last_modified=None)


def test_extract_one_fetches_and_extracts_a_page(
    http_server: LocalServer, session: BlockingFetch
) -> None:
    url = http_server.serve("/post.htm", ARTICLE)
    article = extract_one(url, session, selectors=SEED_SELECTORS, timezone="Asia/Shanghai")
    assert article.key == f"url:{url}" and article.title.startswith("The International Exchange")
    assert article.published == datetime(2020, 2, 8, 20, 7, tzinfo=UTC)
