"""The fetch guard in the fetch path (``fetch`` over the aiohttp fetcher, directly and
through a proxy named in the environment), against real servers on loopback: the news site on 127.0.0.2,
an internal service on 127.0.0.1."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

import pytest

from syndicator.errors import SourceError
from syndicator.sources.fetch import fetch, make_session
from tests.servers.http import Request, Response, StubServer, serve


def _internal(request: Request) -> Response:
    return 200, {"Content-Type": "text/plain"}, "INTERNAL ADMIN"


@pytest.fixture
def internal() -> Iterator[StubServer]:
    with serve(_internal) as stub:
        yield stub


@pytest.fixture
def news(internal: StubServer) -> Iterator[StubServer]:
    def handler(request: Request) -> Response:
        if request.path == "/moved":
            return 302, {"Location": f"{internal.url}/secret"}, ""
        return 200, {"Content-Type": "text/html"}, "<h1>news</h1>"

    with serve(handler, host="127.0.0.2") as stub:
        yield stub


@pytest.fixture
def guarded_session():
    session = make_session("guard-tests/0.1")
    yield session
    session.close()


def test_a_page_on_the_sources_own_host_is_fetched(news, guarded_session):
    result = fetch(guarded_session, f"{news.url}/a", own_host="127.0.0.2", source="news")
    assert result.body == b"<h1>news</h1>"


def test_a_redirect_from_the_own_host_to_loopback_is_refused(news, internal, guarded_session):
    with pytest.raises(SourceError) as caught:
        fetch(guarded_session, f"{news.url}/moved", own_host="127.0.0.2", source="news")
    message = str(caught.value)
    assert "source 'news': refused: 127.0.0.1 is a loopback address" in message
    assert f"({internal.url}/secret)" in message
    assert internal.requests == []


def test_a_name_that_resolves_to_loopback_is_refused_at_connect_time(internal, guarded_session):
    port = internal.url.rsplit(":", 1)[1]
    url = f"http://localhost:{port}/secret"
    with pytest.raises(SourceError, match=r"localhost resolves to 127\.0\.0\.1 is a loopback"):
        fetch(guarded_session, url, own_host="127.0.0.2", source="news")
    assert internal.requests == []


def test_a_kept_connection_serves_only_fetches_that_may_reach_its_peer(internal, guarded_session):
    port = internal.url.rsplit(":", 1)[1]
    url = f"http://localhost:{port}/feed"
    assert fetch(guarded_session, url, source="intranet").body == b"INTERNAL ADMIN"  # own host
    with pytest.raises(SourceError, match="refused"):
        fetch(guarded_session, url, own_host="news.example", source="news")
    assert len(internal.requests) == 1
    assert fetch(guarded_session, url, source="intranet").status == 200  # still kept for it


def test_allow_private_admits_its_network(internal):
    session = make_session("guard-tests/0.1", allow_private=["127.0.0.0/8"])
    try:
        result = fetch(session, f"{internal.url}/secret", own_host="news.example")
    finally:
        session.close()
    assert result.body == b"INTERNAL ADMIN"


@contextlib.contextmanager
def _proxy_redirecting_to(location: str) -> Iterator[StubServer]:
    """A forward proxy that answers every request with a redirect to ``location``."""

    def handler(request: Request) -> Response:
        return 302, {"Location": location}, ""

    with serve(handler) as proxy:
        yield proxy


def test_through_a_proxy_a_redirect_to_an_internal_address_is_refused(
    internal, monkeypatch: pytest.MonkeyPatch
):
    with _proxy_redirecting_to("http://169.254.169.254/latest/meta-data/") as proxy:
        monkeypatch.setenv("http_proxy", proxy.url)
        monkeypatch.setenv("HTTP_PROXY", proxy.url)
        session = make_session("guard-tests/0.1")
        try:
            with pytest.raises(SourceError, match=r"169\.254\.169\.254 is a link-local address"):
                fetch(session, "http://news.example/a", source="news")
            with pytest.raises(SourceError, match="non-standard spelling"):
                fetch(session, "http://2130706433/secret", source="news")
        finally:
            session.close()
        assert [r.target for r in proxy.requests] == ["http://news.example/a"]
