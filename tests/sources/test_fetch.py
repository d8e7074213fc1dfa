"""The synchronous face of the fetcher (``make_session``, ``fetch``), as the poll
round's worker threads and the one-shot commands use it. The transport's own bounds
(caps, deadline, redirects, proxies, TLS) are tested on the fetcher in test_http.py.

Every test talks to a real HTTP server on 127.0.0.1 (tests/sources/conftest.py).
"""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor
from http.server import BaseHTTPRequestHandler

import pytest

from syndicator.errors import SourceError
from syndicator.sources.encoding import decode_body
from syndicator.sources.fetch import fetch, make_session
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


def test_404_names_the_source_and_url(http_server: LocalServer, session: BlockingFetch) -> None:
    with pytest.raises(SourceError, match=r"source 'gone': HTTP 404 .*?/missing"):
        fetch(session, http_server.url("/missing"), source="gone")


def test_gb2312_meta_charset_is_honoured_without_header() -> None:
    # "镕" is GBK-only: pages labelled GB2312 contain such characters all the time.
    page = '<html><head><meta http-equiv="Content-Type" content="text/html; charset=gb2312">'
    page += "</head><body>朱镕基 发布时间：2024年01月04日</body></html>"
    assert decode_body(page.encode("gbk")) == page


def test_non_http_scheme_is_refused(session: BlockingFetch) -> None:
    with pytest.raises(SourceError, match="only http"):
        fetch(session, "file:///etc/passwd", source="local")


def test_threads_sharing_a_session_share_its_per_host_cap(http_server: LocalServer) -> None:
    def slow(request: BaseHTTPRequestHandler) -> None:
        time.sleep(0.05)
        request.send_response(200)
        request.send_header("Content-Length", "2")
        request.end_headers()
        request.wfile.write(b"ok")

    url = http_server.handle("/slow", slow)
    session = make_session("syndicator-tests/0.1", pool_size=8, per_host=2)
    try:
        with ThreadPoolExecutor(8) as threads:
            bodies = list(threads.map(lambda _: fetch(session, url).body, range(16)))
    finally:
        session.close()
    assert bodies == [b"ok"] * 16
    assert http_server.peak_connections <= 2
