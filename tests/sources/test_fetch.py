"""Fetching: conditional GET, caps, deadlines, back-off hints, redirects, charsets.

Every test talks to a real HTTP server on 127.0.0.1 (tests/sources/conftest.py).
"""

from __future__ import annotations

import gzip
import time
import zlib
from http.server import BaseHTTPRequestHandler

import pytest

from syndicator.errors import SourceError
from syndicator.sources.encoding import decode_body
from syndicator.sources.fetch import fetch, parse_retry_after
from syndicator.sources.fetcher import BlockingFetch

from .conftest import LocalServer, conditional


def test_second_fetch_with_stored_etag_gets_304_without_body(
    http_server: LocalServer, session: BlockingFetch
) -> None:
    modified = {"Last-Modified": "Sun, 09 Feb 2020 04:07:00 GMT"}
    url = http_server.handle("/feed.xml", conditional(headers=modified))
    first = fetch(session, url, source="bit-news")
    assert (first.status, first.body, first.not_modified) == (200, b"<rss/>", False)
    assert first.etag == '"v1"'
    assert first.last_modified == "Sun, 09 Feb 2020 04:07:00 GMT"

    second = fetch(
        session, url, etag=first.etag, last_modified=first.last_modified, source="bit-news"
    )
    assert second.not_modified and second.status == 304 and second.body == b""
    assert second.etag == '"v1"'
    sent = http_server.requests_to("/feed.xml")[-1].headers
    assert sent["If-None-Match"] == '"v1"'
    assert sent["If-Modified-Since"] == "Sun, 09 Feb 2020 04:07:00 GMT"


def test_requests_carry_the_configured_user_agent(
    http_server: LocalServer, session: BlockingFetch
) -> None:
    url = http_server.serve("/ua", b"ok")
    fetch(session, url)
    assert http_server.requests_to("/ua")[0].headers["User-Agent"].startswith("syndicator-tests/")


def test_gzip_body_is_inflated(http_server: LocalServer, session: BlockingFetch) -> None:
    text = "北京理工大学 news " * 1000
    url = http_server.serve(
        "/page", gzip.compress(text.encode()), headers={"Content-Encoding": "gzip"}
    )
    assert fetch(session, url).body.decode() == text


@pytest.mark.parametrize("raw", [False, True], ids=["zlib-deflate", "raw-deflate"])
def test_deflate_body_is_inflated_whether_zlib_wrapped_or_raw(
    http_server: LocalServer, session: BlockingFetch, raw: bool
) -> None:
    """Servers differ on what "deflate" means (RFC 9110 says zlib; IIS sent raw)."""
    text = "<rss>清华大学 news</rss>" * 200
    packer = zlib.compressobj(wbits=-zlib.MAX_WBITS if raw else zlib.MAX_WBITS)
    data = packer.compress(text.encode()) + packer.flush()
    url = http_server.serve("/deflated", data, headers={"Content-Encoding": "deflate"})
    assert fetch(session, url).body.decode() == text


def test_gzip_bomb_stops_at_the_decoded_cap(
    http_server: LocalServer, session: BlockingFetch
) -> None:
    bomb = gzip.compress(b"\0" * 50_000_000, compresslevel=9)  # ~50 KB on the wire
    assert len(bomb) < 1_000_000
    url = http_server.serve("/bomb", bomb, headers={"Content-Encoding": "gzip"})
    with pytest.raises(SourceError, match="exceeds the cap of 1000000") as caught:
        fetch(session, url, max_bytes=1_000_000, source="bomb-site")
    assert caught.value.source == "bomb-site"


def test_declared_length_over_the_cap_is_refused(
    http_server: LocalServer, session: BlockingFetch
) -> None:
    url = http_server.serve("/big", b"x" * 5000)
    with pytest.raises(SourceError, match="exceeds the cap"):
        fetch(session, url, max_bytes=1000)


def _drip(http_server: LocalServer, *, in_headers: bool) -> BaseHTTPRequestHandler:
    def handler(request: BaseHTTPRequestHandler) -> None:
        request.wfile.write(b"HTTP/1.1 200 OK\r\n")
        if not in_headers:
            request.wfile.write(b"Content-Length: 100000\r\n\r\n")
        request.wfile.flush()
        while not http_server.stopping.is_set():
            request.wfile.write(b"X-Slow: a\r\n" if in_headers else b"a")
            request.wfile.flush()
            time.sleep(0.2)

    return handler  # type: ignore[return-value]


@pytest.mark.parametrize("in_headers", [False, True], ids=["body", "headers"])
def test_slow_drip_is_cut_off_at_the_deadline(
    http_server: LocalServer, session: BlockingFetch, in_headers: bool
) -> None:
    """Each byte arrives well within the 5 s read timeout, so only the overall
    deadline can stop this exchange."""
    url = http_server.handle("/drip", _drip(http_server, in_headers=in_headers))  # type: ignore[arg-type]
    with pytest.raises(SourceError, match="deadline of 1s exceeded"):
        fetch(session, url, timeout=5.0, deadline=1.0, source="drip")


def test_429_raises_with_retry_after(http_server: LocalServer, session: BlockingFetch) -> None:
    url = http_server.serve("/limited", b"slow down", status=429, headers={"Retry-After": "120"})
    with pytest.raises(SourceError, match="HTTP 429") as caught:
        fetch(session, url, source="busy")
    assert caught.value.retry_after == 120.0
    assert "busy" in str(caught.value)


def test_503_with_http_date_retry_after() -> None:
    later = time.strftime("%a, %d %b %Y %H:%M:%S GMT", time.gmtime(time.time() + 600))
    seconds = parse_retry_after(later)
    assert seconds is not None and 590 <= seconds <= 600


def test_404_names_the_source_and_url(http_server: LocalServer, session: BlockingFetch) -> None:
    with pytest.raises(SourceError, match=r"source 'gone': HTTP 404 .*?/missing"):
        fetch(session, http_server.url("/missing"), source="gone")


def test_redirect_is_followed_and_final_url_returned(
    http_server: LocalServer, session: BlockingFetch
) -> None:
    http_server.serve("/old", b"", status=301, headers={"Location": "/new"})
    http_server.serve("/new", b"here", headers={"Cache-Control": "public, max-age=600"})
    result = fetch(session, http_server.url("/old"))
    assert result.url == http_server.url("/new")
    assert result.body == b"here"
    assert result.max_age == 600.0


def test_gbk_page_decodes_with_header_charset(
    http_server: LocalServer, session: BlockingFetch
) -> None:
    text = "<html><body><p>北京理工大学研究生国际交流创新高</p></body></html>"
    url = http_server.serve(
        "/gbk", text.encode("gbk"), headers={"Content-Type": "text/html; charset=GBK"}
    )
    result = fetch(session, url)
    assert result.encoding == "gb18030"
    assert decode_body(result.body, result.encoding) == text


def test_gb2312_meta_charset_is_honoured_without_header() -> None:
    # "镕" is GBK-only: pages labelled GB2312 contain such characters all the time.
    page = '<html><head><meta http-equiv="Content-Type" content="text/html; charset=gb2312">'
    page += "</head><body>朱镕基 发布时间：2024年01月04日</body></html>"
    assert decode_body(page.encode("gbk")) == page


def test_non_http_scheme_is_refused(session: BlockingFetch) -> None:
    with pytest.raises(SourceError, match="only http"):
        fetch(session, "file:///etc/passwd", source="local")
