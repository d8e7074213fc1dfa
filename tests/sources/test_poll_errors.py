"""One hostile page costs its own article, never the source: an exception nobody
expected (here a canonical link that is not a valid URL, which makes the URL parser
raise ValueError) is caught for that page, named with its URL, and the other
articles are still read."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from syndicator.sources.fetch import make_session
from syndicator.sources.poll import SourceSpec
from tests.servers.http import Request, Response, StubServer, serve
from tests.sources.one_poll import poll_once

BROKEN = (
    '<html><head><link rel="canonical" href="http://[::1"><title>Broken</title></head>'
    "<body><p>a page whose canonical link breaks the URL parser</p></body></html>"
)
GOOD = (
    "<html><head><title>Good</title></head><body><article><h1>Good</h1>"
    "<p>The library reopens on Monday after a year of work.</p></article></body></html>"
)


@pytest.fixture
def site() -> Iterator[StubServer]:
    base: list[str] = []

    def handler(request: Request) -> Response:
        if request.path == "/feed.xml":
            items = "".join(
                f"<item><title>{n}</title><link>{base[0]}/a/{n}</link></item>"
                for n in ("good", "broken")
            )
            return (
                200,
                {"Content-Type": "application/rss+xml"},
                f"<rss><channel>{items}</channel></rss>",
            )
        if request.path == "/list/":
            links = "".join(f'<li><a href="/a/{n}">{n}</a></li>' for n in ("good", "broken"))
            return 200, {"Content-Type": "text/html"}, f"<ul class='news'>{links}</ul>"
        return 200, {"Content-Type": "text/html"}, BROKEN if "broken" in request.path else GOOD

    with serve(handler) as stub:
        base.append(stub.url)
        yield stub


@pytest.mark.parametrize("kind", ["feed", "html"])
def test_an_unexpected_exception_on_one_page_costs_only_that_article(site, kind):
    url = f"{site.url}/feed.xml" if kind == "feed" else f"{site.url}/list/"
    spec = SourceSpec(name="news", url=url, kind=kind, items="ul.news a", full_text="always")
    session = make_session("poll-error-tests/0.1")
    try:
        result = poll_once(spec, session, etag=None, last_modified=None)
    finally:
        session.close()
    urls = {article.url for article in result.articles}
    assert f"{site.url}/a/good" in urls
    [error] = result.errors
    assert f"article page {site.url}/a/broken" in error
    assert "unexpected ValueError" in error
    if kind == "html":  # a list page's article is read again next time, not kept half
        assert f"{site.url}/a/broken" not in urls
