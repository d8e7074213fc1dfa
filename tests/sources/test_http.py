"""The aiohttp fetcher against real servers on 127.0.0.1: conditional GET, the caps (per
host, decoded bytes, declared length), the deadline, back-off and caching hints,
redirects, proxies from the environment, TLS, and answers that are not HTTP.

Each test runs its fetches in ``asyncio.run``, as a one-shot command does.
"""

from __future__ import annotations

import asyncio
import gzip
import threading
import time
import tracemalloc
import zlib
from collections.abc import Awaitable, Callable, Iterator
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import TypeVar

import pytest

from syndicator.errors import SourceError
from syndicator.sources.encoding import decode_body
from syndicator.sources.fetcher import FetchRequest, FetchResult
from syndicator.sources.http import AiohttpFetcher

from .conftest import LocalServer, RawServer, Reply, conditional, local_server

T = TypeVar("T")
AGENT = "syndicator-tests/0.1 (+https://example.invalid/tests)"


def with_fetcher(
    use: Callable[[AiohttpFetcher], Awaitable[T]], *, per_host: int = 2, concurrency: int = 16
) -> T:
    """Run ``use(fetcher)`` on a fresh event loop with a fresh fetcher, closed after."""

    async def main() -> T:
        fetcher = AiohttpFetcher(AGENT, concurrency=concurrency, per_host=per_host)
        try:
            return await use(fetcher)
        finally:
            await fetcher.close()

    return asyncio.run(main())


def fetch_one(url: str, **fields: object) -> FetchResult:
    request = FetchRequest(url, **fields)  # type: ignore[arg-type]
    return with_fetcher(lambda fetcher: fetcher.fetch(request))


def _delayed(seconds: float, body: bytes = b"<rss/>") -> Callable[[BaseHTTPRequestHandler], None]:
    def handler(request: BaseHTTPRequestHandler) -> None:
        time.sleep(seconds)
        request.send_response(200)
        request.send_header("Content-Length", str(len(body)))
        request.end_headers()
        request.wfile.write(body)

    return handler


# -- conditional GET ----------------------------------------------------------------


def test_a_conditional_get_sends_the_validators_and_a_304_keeps_them(
    http_server: LocalServer,
) -> None:
    modified = "Sun, 09 Feb 2020 04:07:00 GMT"
    url = http_server.handle("/feed.xml", conditional(headers={"Last-Modified": modified}))

    async def twice(fetcher: AiohttpFetcher) -> tuple[FetchResult, FetchResult]:
        first = await fetcher.fetch(FetchRequest(url, source="bit-news"))
        again = FetchRequest(url, source="bit-news", etag=first.etag, last_modified=modified)
        return first, await fetcher.fetch(again)

    first, second = with_fetcher(twice)
    assert (first.status, first.body, first.etag, first.last_modified) == (
        200,
        b"<rss/>",
        '"v1"',
        modified,
    )
    assert (second.status, second.not_modified, second.body) == (304, True, b"")
    assert (second.etag, second.last_modified) == ('"v1"', modified)  # not repeated: kept
    sent = http_server.requests_to("/feed.xml")
    assert (sent[1].headers["If-None-Match"], sent[1].headers["If-Modified-Since"]) == (
        '"v1"',
        modified,
    )
    assert "If-None-Match" not in sent[0].headers
    assert sent[0].headers["User-Agent"] == AGENT
    assert sent[0].headers["Accept-Encoding"] == "gzip, deflate"
    assert sent[0].peer == sent[1].peer  # one kept connection


# -- caps -----------------------------------------------------------------------------


def _many(urls: list[str]) -> Callable[[AiohttpFetcher], Awaitable[list[FetchResult]]]:
    async def run(fetcher: AiohttpFetcher) -> list[FetchResult]:
        return await asyncio.gather(*(fetcher.fetch(FetchRequest(u, source="s")) for u in urls))

    return run


def test_the_per_host_cap_is_never_exceeded(http_server: LocalServer) -> None:
    url = http_server.handle("/slow.xml", _delayed(0.05))
    results = with_fetcher(_many([url] * 20), per_host=2)
    assert [r.status for r in results] == [200] * 20
    assert 1 <= http_server.peak_connections <= 2


def test_the_overall_cap_holds_across_hosts(http_server: LocalServer) -> None:
    port = http_server.base.rsplit(":", 1)[1]
    lock, waiting, peak = threading.Lock(), [0], [0]

    def slow(request: BaseHTTPRequestHandler) -> None:
        # Counted from the request's arrival to just before its answer goes out: once
        # the answer is on its way the client may rightly send the next request.
        with lock:
            waiting[0] += 1
            peak[0] = max(peak[0], waiting[0])
        time.sleep(0.05)
        with lock:
            waiting[0] -= 1
        _delayed(0)(request)

    http_server.handle("/slow.xml", slow)
    urls = [f"http://{host}:{port}/slow.xml" for host in ("127.0.0.1", "localhost")] * 10
    results = with_fetcher(_many(urls), per_host=2, concurrency=3)
    assert len(results) == 20
    assert 2 <= peak[0] <= 3  # kept idle connections do not count


def test_waiting_for_a_busy_host_does_not_count_against_the_deadline(
    http_server: LocalServer,
) -> None:
    """Fifteen fetches of 0.2 s each, one at a time, take three seconds in all: each
    one's own 2 s deadline starts when its turn comes."""
    url = http_server.handle("/slow.xml", _delayed(0.2))

    async def run(fetcher: AiohttpFetcher) -> list[FetchResult]:
        request = FetchRequest(url, source="busy", deadline=2.0)
        return await asyncio.gather(*(fetcher.fetch(request) for _ in range(15)))

    assert [r.status for r in with_fetcher(run, per_host=1)] == [200] * 15


def test_a_gzip_bomb_stops_at_the_decoded_cap_without_being_inflated(
    http_server: LocalServer,
) -> None:
    """1 GB of zeros in 100 gzip members, about 1 MB on the wire."""
    bomb = gzip.compress(b"\0" * 10_000_000, compresslevel=9) * 100
    url = http_server.serve("/bomb", bomb, headers={"Content-Encoding": "gzip"})
    tracemalloc.start()
    try:
        with pytest.raises(SourceError, match="decoded body exceeds the cap of 1000000") as caught:
            fetch_one(url, max_bytes=1_000_000, source="bomb-site")
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert caught.value.source == "bomb-site"
    assert peak < 40_000_000


@pytest.mark.parametrize("raw", [False, True], ids=["zlib-deflate", "raw-deflate"])
def test_deflate_is_inflated_whether_zlib_wrapped_or_raw(
    http_server: LocalServer, raw: bool
) -> None:
    """Servers differ on what "deflate" means (RFC 9110 says zlib; IIS sent raw)."""
    text = "<rss>清华大学 news</rss>" * 200
    packer = zlib.compressobj(wbits=-zlib.MAX_WBITS if raw else zlib.MAX_WBITS)
    data = packer.compress(text.encode()) + packer.flush()
    url = http_server.serve("/deflated", data, headers={"Content-Encoding": "deflate"})
    assert fetch_one(url).body.decode() == text


def test_gzip_is_inflated(http_server: LocalServer) -> None:
    text = "北京理工大学 news " * 1000
    url = http_server.serve(
        "/page", gzip.compress(text.encode()), headers={"Content-Encoding": "gzip"}
    )
    assert fetch_one(url).body.decode() == text


def test_a_declared_length_over_the_cap_is_refused_before_reading(raw_server: RawServer) -> None:
    """The server announces 50 GB and sends nothing more: the answer comes from the
    header alone, not from a timeout."""
    raw_server.script(Reply(b"HTTP/1.1 200 OK\r\nContent-Length: 50000000000\r\n\r\n"))
    with pytest.raises(SourceError, match="body of 50000000000 bytes exceeds the cap of 1000"):
        fetch_one(raw_server.url("/huge"), max_bytes=1000, timeout=30.0, source="huge")


# -- the deadline -------------------------------------------------------------------------


def _drip(server: LocalServer, *, in_headers: bool) -> Callable[[BaseHTTPRequestHandler], None]:
    def handler(request: BaseHTTPRequestHandler) -> None:
        request.wfile.write(b"HTTP/1.1 200 OK\r\n")
        if not in_headers:
            request.wfile.write(b"Content-Length: 100000\r\n\r\n")
        request.wfile.flush()
        while not server.stopping.is_set():
            request.wfile.write(b"X-Slow: a\r\n" if in_headers else b"a")
            request.wfile.flush()
            time.sleep(0.2)

    return handler


@pytest.mark.parametrize("in_headers", [False, True], ids=["body", "headers"])
def test_a_dripping_server_is_cut_off_at_the_deadline(
    http_server: LocalServer, in_headers: bool
) -> None:
    """A byte every 0.2 s never trips the 5 s read timeout: only the deadline stops it."""
    url = http_server.handle("/drip", _drip(http_server, in_headers=in_headers))
    with pytest.raises(SourceError, match=r"source 'drip': deadline of 1s exceeded \(http"):
        fetch_one(url, timeout=5.0, deadline=1.0, source="drip")


def test_a_silent_server_trips_the_read_timeout(raw_server: RawServer) -> None:
    raw_server.script(Reply(b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc"))
    with pytest.raises(SourceError, match=r"timed out after 0\.5s"):
        fetch_one(raw_server.url("/stalls"), timeout=0.5, deadline=20.0, source="stalls")


# -- what the server says about waiting and caching ---------------------------------------


def test_a_429_carries_retry_after_in_seconds(http_server: LocalServer) -> None:
    url = http_server.serve("/limited", b"slow down", status=429, headers={"Retry-After": "120"})
    with pytest.raises(SourceError) as caught:
        fetch_one(url, source="busy")
    assert caught.value.retry_after == 120.0
    assert str(caught.value) == (
        f"source 'busy': HTTP 429 Too Many Requests, retry after 120s ({url})"
    )


def test_a_503_carries_retry_after_given_as_an_http_date(http_server: LocalServer) -> None:
    later = time.strftime("%a, %d %b %Y %H:%M:%S GMT", time.gmtime(time.time() + 600))
    url = http_server.serve("/down", b"", status=503, headers={"Retry-After": later})
    with pytest.raises(SourceError, match="HTTP 503 Service Unavailable, retry after") as caught:
        fetch_one(url, source="down")
    assert caught.value.retry_after is not None and 590 <= caught.value.retry_after <= 600


def test_cache_control_max_age_is_returned(http_server: LocalServer) -> None:
    url = http_server.serve("/feed", b"<rss/>", headers={"Cache-Control": "public, max-age=600"})
    assert fetch_one(url).max_age == 600.0


def test_the_charset_of_the_content_type_survives(http_server: LocalServer) -> None:
    text = "<html><body><p>北京理工大学研究生国际交流创新高</p></body></html>"
    headers = {"Content-Type": "text/html; charset=GBK"}
    url = http_server.serve("/gbk", text.encode("gbk"), headers=headers)
    result = fetch_one(url)
    assert (result.content_type, result.encoding) == ("text/html; charset=GBK", "gb18030")
    assert decode_body(result.body, result.encoding) == text


# -- redirects ------------------------------------------------------------------------------


def test_a_redirect_is_followed_and_the_final_url_returned(http_server: LocalServer) -> None:
    http_server.serve("/old", b"", status=301, headers={"Location": "/new"})
    http_server.serve("/new", b"here")
    result = fetch_one(http_server.url("/old"))
    assert (result.url, result.body) == (http_server.url("/new"), b"here")


def test_more_than_five_redirects_is_an_error(http_server: LocalServer) -> None:
    for n in range(6):
        http_server.serve(f"/r{n}", b"", status=302, headers={"Location": f"/r{n + 1}"})
    http_server.serve("/r6", b"finally")
    with pytest.raises(SourceError, match=r"source 'loop': too many redirects \(.*/r6\)"):
        fetch_one(http_server.url("/r0"), source="loop")
    assert len(http_server.requests_to("/r5")) == 1 and not http_server.requests_to("/r6")


def test_a_redirect_to_a_non_http_url_is_refused(http_server: LocalServer) -> None:
    http_server.serve("/away", b"", status=302, headers={"Location": "file:///etc/passwd"})
    with pytest.raises(SourceError, match="redirect to a non-HTTP URL"):
        fetch_one(http_server.url("/away"), source="away")


# -- proxies and TLS ---------------------------------------------------------------------------

_PROXY_VARIABLES = ("http_proxy", "https_proxy", "all_proxy", "no_proxy")


@pytest.fixture
def no_proxy(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    for name in _PROXY_VARIABLES:
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.upper(), raising=False)
    return monkeypatch


def test_a_proxy_named_in_the_environment_is_used(
    http_server: LocalServer, no_proxy: pytest.MonkeyPatch
) -> None:
    """``http_server`` is the proxy: it gets the absolute URL (RFC 9112 section 3.2.2)."""
    no_proxy.setenv("HTTP_PROXY", http_server.base)
    feed = "http://feeds.example.invalid/feed.xml"
    http_server.handle(feed, conditional(b"<rss>proxied</rss>", '"v7"'))

    async def twice(fetcher: AiohttpFetcher) -> tuple[FetchResult, FetchResult]:
        first = await fetcher.fetch(FetchRequest(feed, source="proxied"))
        return first, await fetcher.fetch(FetchRequest(feed, source="proxied", etag=first.etag))

    first, second = with_fetcher(twice)
    assert (first.status, first.body, first.url) == (200, b"<rss>proxied</rss>", feed)
    assert second.not_modified and second.etag == '"v7"'
    seen = http_server.requests_to(feed)
    assert len(seen) == 2 and seen[1].headers["If-None-Match"] == '"v7"'
    assert seen[0].headers["User-Agent"] == AGENT


def test_a_host_named_in_no_proxy_is_fetched_directly(
    http_server: LocalServer, no_proxy: pytest.MonkeyPatch
) -> None:
    with local_server() as proxy:
        no_proxy.setenv("HTTP_PROXY", proxy.base)
        no_proxy.setenv("NO_PROXY", "127.0.0.1")
        url = http_server.serve("/feed.xml", b"<rss>direct</rss>")
        assert fetch_one(url).body == b"<rss>direct</rss>"
        assert proxy.seen == []


@pytest.fixture
def tls_env(no_proxy: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    no_proxy.delenv("REQUESTS_CA_BUNDLE", raising=False)
    no_proxy.delenv("CURL_CA_BUNDLE", raising=False)
    return no_proxy


def test_an_untrusted_certificate_is_a_clear_source_error(
    https_server: LocalServer, tls_env: pytest.MonkeyPatch
) -> None:
    url = https_server.handle("/feed.xml", conditional())
    with pytest.raises(SourceError) as caught:
        fetch_one(url, source="self-signed")
    assert str(caught.value) == (
        f"source 'self-signed': TLS certificate verify failed: self-signed certificate ({url})"
    )
    assert https_server.requests_to("/feed.xml") == []


def test_a_trusted_certificate_is_verified_and_its_connection_kept(
    https_server: LocalServer, tls_env: pytest.MonkeyPatch, tls_certificate: tuple[Path, Path]
) -> None:
    tls_env.setenv("REQUESTS_CA_BUNDLE", str(tls_certificate[0]))
    url = https_server.handle("/feed.xml", conditional(b"<rss>tls</rss>", '"v7"'))

    async def twice(fetcher: AiohttpFetcher) -> tuple[FetchResult, FetchResult]:
        first = await fetcher.fetch(FetchRequest(url, source="tls"))
        return first, await fetcher.fetch(FetchRequest(url, source="tls", etag=first.etag))

    first, second = with_fetcher(twice)
    assert (first.body, second.not_modified) == (b"<rss>tls</rss>", True)
    seen = https_server.requests_to("/feed.xml")
    assert seen[0].peer == seen[1].peer


# -- answers that are not HTTP, and failures to connect ------------------------------------------


@pytest.mark.parametrize(
    ("reply", "message"),
    [
        (b"garbage\r\n\r\n", "not a valid HTTP response: Bad status line"),
        (b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc", "connection broken while reading"),
        (b"", "cannot fetch: the server closed the connection"),
    ],
    ids=["garbage", "short-body", "no-answer"],
)
def test_a_broken_answer_is_a_clear_source_error(
    raw_server: RawServer, reply: bytes, message: str
) -> None:
    raw_server.script(Reply(reply, close=True))
    with pytest.raises(SourceError, match=f"source 'odd': {message}"):
        fetch_one(raw_server.url("/feed"), source="odd")


@pytest.fixture
def closed_port() -> Iterator[int]:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        yield probe.getsockname()[1]  # bound, never listening: connections are refused


def test_a_refused_connection_is_a_source_error(closed_port: int) -> None:
    with pytest.raises(SourceError, match=r"source 'gone': cannot fetch: .*Connect call failed"):
        fetch_one(f"http://127.0.0.1:{closed_port}/feed", source="gone")
