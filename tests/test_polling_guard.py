"""A hostile feed cannot make a poll reach internal services (issue: SSRF with
exfiltration). The news site runs on 127.0.0.2, the source's own configured host; an
internal admin service runs on 127.0.0.1 (and on [::1]). The feed's items link to the
internal service directly, in other spellings and through a redirect from the news
host, and carry an enclosure and an ``og:image`` on loopback. Nothing may reach the
internal service; every refusal names the URL and why; the site's own articles are
still recorded and posted, and links that are not http(s) are never recorded."""

from __future__ import annotations

import contextlib
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest

from syndicator.delivery import drain
from syndicator.poll import poll
from syndicator.store import deliveries as delivery_store
from tests.engine_helpers import open_engine
from tests.servers.http import Request, Response, StubServer, serve

SECRET_PAGE = (
    "<html><head><title>INTERNAL ADMIN</title>"
    '<meta property="og:image" content="/internal.png"></head>'
    "<body><p>INTERNAL ADMIN db-password=hunter2</p></body></html>"
)


def _internal(request: Request) -> Response:
    return 200, {"Content-Type": "text/html"}, SECRET_PAGE


def _ipv6_loopback() -> bool:
    try:
        with socket.socket(socket.AF_INET6) as probe:
            probe.bind(("::1", 0))
    except OSError:
        return False
    return True


def _page(title: str, image: str) -> str:
    return (
        f"<html><head><title>{title}</title>"
        f'<meta property="og:image" content="{image}"></head>'
        f"<body><article><h1>{title}</h1><p>{title}: the team raced 3,000 km across "
        "the outback on sunlight alone and finished first among forty entries.</p>"
        "</article></body></html>"
    )


def _item(title: str, link: str, enclosure: str = "") -> str:
    extra = f'<enclosure url="{enclosure}" type="image/png" length="100"/>' if enclosure else ""
    return (
        f"<item><title>{title}</title><link>{link}</link><guid>{link}</guid>"
        f"<description>Teaser of {title}</description>{extra}</item>"
    )


@pytest.fixture
def internal() -> Iterator[list[StubServer]]:
    with contextlib.ExitStack() as stack:
        servers = [stack.enter_context(serve(_internal))]
        if _ipv6_loopback():
            servers.append(stack.enter_context(serve(_internal, host="::1")))
        yield servers


@pytest.fixture
def news(internal: list[StubServer]) -> Iterator[StubServer]:
    admin = internal[0].url
    port = admin.rsplit(":", 1)[1]
    feed: list[str] = []

    def handler(request: Request) -> Response:
        if request.path == "/feed.xml":
            body = f'<rss version="2.0"><channel><title>News</title>{"".join(feed)}</channel></rss>'
            return 200, {"Content-Type": "application/rss+xml"}, body
        if request.path == "/a/moved":
            return 302, {"Location": f"{admin}/secret"}, ""
        if request.path.startswith("/a/"):
            return 200, {"Content-Type": "text/html"}, _page(request.path, f"{admin}/og.png")
        return 404, {}, "not found"

    with serve(handler, host="127.0.0.2") as site:
        own = site.url
        feed.extend(
            [
                _item("Solar car wins", f"{own}/a/solar", enclosure=f"{admin}/enclosure.png"),
                _item("Library reopens", f"{own}/a/library"),
                _item("Moved story", f"{own}/a/moved"),
                _item("Direct", f"{admin}/secret"),
                _item("Integer", f"http://2130706433:{port}/secret"),
                _item("Metadata", "http://169.254.169.254/latest/meta-data/"),
                _item("Passwords", "file:///etc/passwd"),
                _item("Script", "javascript:alert(1)"),
                _item("Gopher", f"gopher://127.0.0.1:{port}/_secret"),
            ]
        )
        if len(internal) > 1:
            feed.append(_item("IPv6", f"{internal[1].url}/secret"))
        yield site


def _config(site: StubServer) -> str:
    return f"""
[[sources]]
name = "news"
url = "{site.url}/feed.xml"
kind = "feed"
full_text = "always"
first_run = "backfill:20"

[[targets]]
name = "box"
adapter = "outbox"
path = "outbox"
"""


def test_a_hostile_feed_reaches_no_internal_address_and_the_own_articles_go_out(
    tmp_path: Path, news: StubServer, internal: list[StubServer], caplog
) -> None:
    engine = open_engine(tmp_path, _config(news))
    summary = poll(engine)
    drain(engine)

    assert [r.target for server in internal for r in server.requests] == []
    with engine.store.begin() as connection:
        rows = delivery_store.listing(connection, limit=100)
    urls = {row.article_url for row in rows}
    assert f"{news.url}/a/solar" in urls and f"{news.url}/a/library" in urls
    assert not [u for u in urls if not u.startswith("http")], "a non-http link was recorded"
    sent = {row.article_url for row in rows if row.state.value == "sent"}
    assert {f"{news.url}/a/solar", f"{news.url}/a/library"} <= sent

    posted = "".join(p.read_text() for p in (tmp_path / "outbox").glob("*.json"))
    assert "INTERNAL" not in posted and "hunter2" not in posted
    assert "the team raced" in posted  # the own pages were fetched and used
    images = tmp_path / "var" / "media" / "images"
    assert not images.exists() or list(images.iterdir()) == []

    said = "\n".join(summary.errors) + caplog.text
    port = internal[0].url.rsplit(":", 1)[1]
    for url, why in [
        (f"{news.url}/a/moved", "127.0.0.1 is a loopback address"),
        (f"{internal[0].url}/secret", "127.0.0.1 is a loopback address"),
        (f"http://2130706433:{port}/secret", "non-standard spelling"),
        ("http://169.254.169.254/latest/meta-data/", "link-local"),
        (f"{internal[0].url}/enclosure.png", "loopback"),
    ]:
        assert url in said and why in said, (url, why)
    for scheme in ("file:", "javascript:", "gopher:"):
        assert f"a {scheme} URL" in said, scheme


def test_allow_private_lets_a_listed_network_be_fetched(
    tmp_path: Path, news: StubServer, internal: list[StubServer]
) -> None:
    body = '[fetch]\nallow_private = ["127.0.0.1/32"]\n' + _config(news)
    engine = open_engine(tmp_path, body)
    poll(engine)
    paths = {r.path for r in internal[0].requests}
    assert "/secret" in paths  # the operator said this network is fine
    assert all(r.path != "/secret" for server in internal[1:] for r in server.requests)
