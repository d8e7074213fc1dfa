"""The lean client under ``fetch``: keep-alive reuse, servers that close kept-alive
connections, odd but valid framings, garbage, redirects, request encoding, and that
importing the poll path never loads requests.

The server is a raw TCP server on 127.0.0.1 answering with scripted bytes
(tests/sources/conftest.py), so the framing is exactly what the test says.
"""

from __future__ import annotations

import re
import subprocess
import sys
import time

import pytest

from syndicator.errors import SourceError
from syndicator.sources.fetch import fetch
from syndicator.sources.http_session import HttpSession

from .conftest import RawServer, Reply

OK = b'HTTP/1.1 200 OK\r\nContent-Length: 6\r\nETag: "v1"\r\n\r\n<rss/>'
NOT_MODIFIED = b'HTTP/1.1 304 Not Modified\r\nETag: "v1"\r\n\r\n'


def test_importing_the_poll_path_does_not_load_requests() -> None:
    code = (
        "import sys, syndicator.sources.poll, syndicator.sources.fetch, "
        "syndicator.sources.lite_http\n"
        "loaded = sorted(m for m in ('requests', 'urllib3') if m in sys.modules)\n"
        "assert not loaded, loaded"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr


def test_a_body_less_304_keeps_the_connection_for_the_next_request(
    raw_server: RawServer, session: HttpSession
) -> None:
    raw_server.script(OK, NOT_MODIFIED, NOT_MODIFIED)
    url = raw_server.url("/feed.xml")
    assert fetch(session, url).body == b"<rss/>"
    for _ in range(2):
        result = fetch(session, url, etag='"v1"')
        assert result.not_modified and result.body == b"" and result.etag == '"v1"'
    assert raw_server.connections == 1
    assert b'If-None-Match: "v1"' in raw_server.requests[-1]


def test_a_kept_alive_connection_closed_by_the_server_is_replaced_once(
    raw_server: RawServer, session: HttpSession
) -> None:
    """The server closes after answering without saying so (as one does when its
    keep-alive timeout passes); the next fetch retries on a new connection."""
    raw_server.script(Reply(OK, close=True), OK)
    url = raw_server.url("/feed.xml")
    assert fetch(session, url).status == 200
    time.sleep(0.05)  # the close reaches the client
    assert fetch(session, url).body == b"<rss/>"
    assert raw_server.connections == 2


def test_a_new_connection_closed_without_an_answer_is_an_error_naming_the_source(
    raw_server: RawServer, session: HttpSession
) -> None:
    raw_server.script(Reply(b"", close=True))
    with pytest.raises(SourceError, match="closed the connection without a response") as caught:
        fetch(session, raw_server.url("/feed.xml"), source="mute-site")
    assert caught.value.source == "mute-site"
    assert raw_server.connections == 1  # not retried: the connection was fresh


def test_chunked_body_is_assembled_and_its_connection_reused(
    raw_server: RawServer, session: HttpSession
) -> None:
    raw_server.script(
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Type: text/xml\r\n\r\n"
        b"3\r\n<rs\r\n3\r\ns/>\r\n0\r\n\r\n",
        OK,
    )
    url = raw_server.url("/feed.xml")
    assert fetch(session, url).body == b"<rss/>"
    assert fetch(session, url).body == b"<rss/>"
    assert raw_server.connections == 1


def test_http_1_0_body_without_length_is_read_to_close(
    raw_server: RawServer, session: HttpSession
) -> None:
    raw_server.script(
        Reply(b"HTTP/1.0 200 OK\r\nContent-Type: text/xml; charset=GBK\r\n\r\n<rss/>", close=True),
        OK,
    )
    url = raw_server.url("/feed.xml")
    first = fetch(session, url)
    assert (first.body, first.encoding) == (b"<rss/>", "gb18030")
    assert fetch(session, url).status == 200
    assert raw_server.connections == 2  # a read-to-close connection is never reused


def test_folded_and_repeated_headers_reach_the_result(
    raw_server: RawServer, session: HttpSession
) -> None:
    raw_server.script(
        b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\nCache-Control: public\r\n"
        b"Content-Type: text/html;\r\n charset=GBK\r\nCache-Control: max-age=900\r\n\r\n"
    )
    result = fetch(session, raw_server.url("/page"))
    assert result.max_age == 900.0
    assert result.encoding == "gb18030"


@pytest.mark.parametrize(
    "response",
    [b"SSH-2.0-OpenSSH_9.2\r\n", b"HTTP/1.1 OK 200\r\n\r\n", b"\x16\x03\x01\x02\x00\x01\x00"],
    ids=["ssh", "swapped", "tls-bytes"],
)
def test_garbage_instead_of_http_is_a_clear_source_error(
    raw_server: RawServer, session: HttpSession, response: bytes
) -> None:
    raw_server.script(Reply(response, close=True))
    with pytest.raises(SourceError, match="not a valid HTTP response: malformed status line") as e:
        fetch(session, raw_server.url("/feed.xml"), source="odd-site")
    assert e.value.source == "odd-site"
    assert "/feed.xml" in str(e.value)


def test_a_body_cut_short_is_a_broken_connection(
    raw_server: RawServer, session: HttpSession
) -> None:
    raw_server.script(Reply(b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nabc", close=True))
    with pytest.raises(SourceError, match="connection broken while reading"):
        fetch(session, raw_server.url("/feed.xml"), source="cut")


def test_five_redirects_are_followed_and_a_sixth_is_refused(
    raw_server: RawServer, session: HttpSession
) -> None:
    hop = b"HTTP/1.1 302 Found\r\nLocation: /next\r\nContent-Length: 5\r\n\r\nmoved"
    raw_server.script(*[hop] * 5, OK)
    result = fetch(session, raw_server.url("/start"))
    assert (result.url, result.body) == (raw_server.url("/next"), b"<rss/>")
    assert raw_server.connections == 1  # the redirects' bodies were read, the connection kept
    raw_server.script(*[hop] * 6)
    with pytest.raises(SourceError, match="too many redirects"):
        fetch(session, raw_server.url("/start"), source="loop")


def test_a_path_with_spaces_and_chinese_is_percent_encoded(
    raw_server: RawServer, session: HttpSession
) -> None:
    raw_server.script(OK)
    fetch(session, raw_server.url("/新闻/a b.htm?q=北理工#frag"))
    line = raw_server.requests[0].split(b"\r\n", 1)[0]
    assert line == (b"GET /%E6%96%B0%E9%97%BB/a%20b.htm?q=%E5%8C%97%E7%90%86%E5%B7%A5 HTTP/1.1")


def test_headers_that_would_break_the_request_are_refused() -> None:
    with pytest.raises(ValueError, match="User-Agent"):
        HttpSession({"User-Agent": "bot\r\nX-Injected: 1"})


def test_a_silent_server_times_out_per_operation_not_at_the_deadline(
    raw_server: RawServer, session: HttpSession
) -> None:
    raw_server.script(Reply(b""))  # reads the request, answers nothing, keeps the line open
    with pytest.raises(SourceError, match=r"timed out after 0\.3s"):
        fetch(session, raw_server.url("/feed.xml"), timeout=0.3, deadline=30.0, source="mute")


def test_a_connection_idle_too_long_is_not_reused(
    raw_server: RawServer, session: HttpSession
) -> None:
    session.lite.idle_max = 0.05
    raw_server.script(OK, OK)
    url = raw_server.url("/feed.xml")
    fetch(session, url)
    time.sleep(0.1)
    fetch(session, url)
    assert raw_server.connections == 2


def test_bytes_after_a_response_cost_the_connection_not_the_next_fetch(
    raw_server: RawServer, session: HttpSession
) -> None:
    raw_server.script(NOT_MODIFIED + b"stray bytes", OK)
    url = raw_server.url("/feed.xml")
    assert fetch(session, url, etag='"v1"').not_modified
    assert fetch(session, url).body == b"<rss/>"
    assert raw_server.connections == 2


def test_a_body_sent_late_after_a_304_is_survived_on_a_new_connection(
    raw_server: RawServer, session: HttpSession
) -> None:
    """A server that wrongly sends a body after its 304 leaves those bytes where the
    next response should start: here they come when the next request is read. The
    client sees garbage on a reused connection and retries once on a new one."""
    raw_server.script(NOT_MODIFIED, Reply(b"<rss>the 304's body</rss>"), OK)
    url = raw_server.url("/feed.xml")
    assert fetch(session, url, etag='"v1"').not_modified
    assert fetch(session, url).body == b"<rss/>"
    assert raw_server.connections == 2


def test_an_error_with_a_small_body_keeps_the_connection(
    raw_server: RawServer, session: HttpSession
) -> None:
    raw_server.script(b"HTTP/1.1 404 Not Found\r\nContent-Length: 9\r\n\r\nnot found", OK)
    url = raw_server.url("/feed.xml")
    with pytest.raises(SourceError, match="HTTP 404 Not Found"):
        fetch(session, url, source="gone")
    assert fetch(session, url).status == 200
    assert raw_server.connections == 1


def test_a_redirect_to_another_scheme_is_refused(
    raw_server: RawServer, session: HttpSession
) -> None:
    raw_server.script(b"HTTP/1.1 301 Moved\r\nLocation: ftp://example.org/feed\r\n\r\n")
    with pytest.raises(SourceError, match="redirect to a non-HTTP URL") as caught:
        fetch(session, raw_server.url("/feed.xml"), source="moved")
    assert caught.value.source == "moved"


URLS = [
    "http://127.0.0.1:8932/feeds/n00001.xml",
    "HTTP://News.Example.EDU/a?b=c#frag",
    "https://x.org",
    "http://x.org:0/",
    "http://x.org:99999/",
    "http://x.org:080/p",
    "http://[::1]:80/x",
    "http://[::1/x",
    "http://user:pw@h/x",
    "http://h/a b",
    "http://h/é",
    "http://ÄÖ.de/x",
    'http://h/"q"',
    "http://h?x=1",
    "http://h./x",
    "http://h:/x",
    " http://h/x",
    "http://h/x\t",
    "ftp://h/x",
    "mailto:a@b",
    "weird",
]


@pytest.mark.parametrize("url", URLS)
def test_the_quick_url_reading_agrees_with_urlsplit(
    url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``target_of`` and ``host_of`` read common URLs without ``urlsplit``; whatever
    they give must be what the ``urlsplit`` path gives (or fail the same way)."""
    from urllib.parse import urlsplit

    from syndicator.hostpool import host_of

    from syndicator.sources import lite_http

    def target(u: str) -> object:
        try:
            return lite_http.target_of.__wrapped__(u)  # type: ignore[attr-defined]
        except ValueError as exc:
            return type(exc)

    quick = target(url)
    monkeypatch.setattr(lite_http, "_PLAIN_URL", re.compile("(?!)"))  # matches nothing
    assert quick == target(url)
    try:
        expected = (urlsplit(url).netloc or url).lower()
    except ValueError:
        expected = url
    assert host_of(url) == expected
