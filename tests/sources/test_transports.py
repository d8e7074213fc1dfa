"""The two ways out: HTTPS on the lean client (certificates verified as requests
verifies them, deadlines on TLS too) and requests when the environment names a
proxy (same results, same bounds).

Real servers on 127.0.0.1 (tests/sources/conftest.py): an HTTPS server with a
self-signed certificate made by the openssl CLI, and a plain HTTP server that acts
as the proxy (it answers the absolute-form request itself).
"""

from __future__ import annotations

import sys
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler
from pathlib import Path

import pytest

from syndicator.errors import SourceError
from syndicator.sources.fetch import fetch, make_session
from syndicator.sources.http_session import HttpSession

from .conftest import LocalServer, conditional

_PROXY_VARS = ("http_proxy", "https_proxy", "all_proxy", "no_proxy")


@pytest.fixture
def no_proxy(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    for name in _PROXY_VARS:
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.upper(), raising=False)
    return monkeypatch


@pytest.fixture
def trusted(no_proxy: pytest.MonkeyPatch, tls_certificate: tuple[Path, Path]) -> None:
    no_proxy.delenv("CURL_CA_BUNDLE", raising=False)
    no_proxy.setenv("REQUESTS_CA_BUNDLE", str(tls_certificate[0]))


_conditional = conditional(b"<rss>tls</rss>", '"v7"')


def _drip(server: LocalServer) -> object:
    def handler(request: BaseHTTPRequestHandler) -> None:
        request.wfile.write(b"HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\n")
        request.wfile.flush()
        while not server.stopping.is_set():
            request.wfile.write(b"a")
            request.wfile.flush()
            time.sleep(0.2)

    return handler


def test_https_feed_is_fetched_and_its_connection_kept(
    https_server: LocalServer, session: HttpSession, trusted: None
) -> None:
    url = https_server.handle("/feed.xml", _conditional)
    first = fetch(session, url, source="tls-site")
    assert (first.status, first.body, first.etag) == (200, b"<rss>tls</rss>", '"v7"')
    second = fetch(session, url, etag=first.etag, source="tls-site")
    assert second.not_modified
    seen = https_server.requests_to("/feed.xml")
    assert len(seen) == 2 and seen[0].peer == seen[1].peer  # one TLS connection


def test_https_with_an_untrusted_certificate_is_refused(
    https_server: LocalServer, session: HttpSession, no_proxy: pytest.MonkeyPatch
) -> None:
    no_proxy.delenv("REQUESTS_CA_BUNDLE", raising=False)
    no_proxy.delenv("CURL_CA_BUNDLE", raising=False)
    url = https_server.handle("/feed.xml", _conditional)
    with pytest.raises(SourceError, match="CERTIFICATE_VERIFY_FAILED") as caught:
        fetch(session, url, source="self-signed")
    assert caught.value.source == "self-signed"
    assert https_server.requests_to("/feed.xml") == []


def test_https_slow_drip_is_cut_off_at_the_deadline(
    https_server: LocalServer, session: HttpSession, trusted: None
) -> None:
    url = https_server.handle("/drip", _drip(https_server))  # type: ignore[arg-type]
    with pytest.raises(SourceError, match="deadline of 1s exceeded"):
        fetch(session, url, timeout=5.0, deadline=1.0, source="drip")


@pytest.fixture
def proxied(
    http_server: LocalServer, no_proxy: pytest.MonkeyPatch
) -> Iterator[tuple[LocalServer, HttpSession]]:
    """``http_server`` as the proxy, named in the environment before the session
    is made (the session reads the environment once)."""
    no_proxy.setenv("HTTP_PROXY", http_server.base)
    session = make_session("syndicator-tests/0.1 (+https://example.invalid/tests)")
    assert session.proxied
    yield http_server, session
    session.close()


def test_with_a_proxy_configured_fetches_go_through_it_with_the_same_results(
    proxied: tuple[LocalServer, HttpSession],
) -> None:
    """requests sends the absolute URL to the proxy (RFC 9112 section 3.2.2); the
    lean client cannot, so a proxy in the environment switches transports."""
    http_server, session = proxied
    feed = "http://feeds.example.invalid/feed.xml"
    http_server.handle(feed, _conditional)
    first = fetch(session, feed, source="proxied")
    assert (first.status, first.body, first.url) == (200, b"<rss>tls</rss>", feed)
    second = fetch(session, feed, etag=first.etag, source="proxied")
    assert second.not_modified and second.etag == '"v7"'
    seen = http_server.requests_to(feed)
    assert len(seen) == 2 and seen[1].headers["If-None-Match"] == '"v7"'
    assert seen[0].headers["User-Agent"].startswith("syndicator-tests/")
    assert "requests" in sys.modules


def test_through_a_proxy_the_deadline_still_cuts_a_slow_drip(
    proxied: tuple[LocalServer, HttpSession],
) -> None:
    http_server, session = proxied
    feed = "http://feeds.example.invalid/drip"
    http_server.handle(feed, _drip(http_server))  # type: ignore[arg-type]
    with pytest.raises(SourceError, match="deadline of 1s exceeded"):
        fetch(session, feed, timeout=5.0, deadline=1.0, source="drip")


def test_through_a_proxy_http_errors_carry_retry_after(
    proxied: tuple[LocalServer, HttpSession],
) -> None:
    http_server, session = proxied
    feed = "http://feeds.example.invalid/busy"
    http_server.serve(feed, b"later", status=503, headers={"Retry-After": "30"})
    with pytest.raises(SourceError, match="HTTP 503") as caught:
        fetch(session, feed, source="busy")
    assert caught.value.retry_after == 30.0
