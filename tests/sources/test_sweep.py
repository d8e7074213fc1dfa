"""The conditional sweep: a round's conditional GETs written and read from one
thread. A 304 ends in the loop with no thread started, and so does a changed feed
sent with a Content-Length (until a round has parsed enough bodies there); any
other answer goes on in a thread on the same connection (one request per feed);
failures name the source as a fetch's would; what the loop cannot do (host
names, TLS) is left to threads.

The servers are real ones on 127.0.0.1 (tests/sources/conftest.py).
"""

from __future__ import annotations

import gzip
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler
from pathlib import Path

import pytest

from syndicator.errors import SourceError
from syndicator.hostpool import Outcome, host_of, run_per_host
from syndicator.sources import sweep
from syndicator.sources.fetch import FetchResult, fetch
from syndicator.sources.http_session import HttpSession
from syndicator.sources.lite_http import Sent
from syndicator.sources.sweep import ConditionalSweep, ask_for

from .conftest import LocalServer, RawServer, Reply, conditional

ETAG = '"v1"'
PREFIX = "sweep-test"


class Round:
    """One round of conditional GETs through ``run_per_host`` with the sweep, as
    the poller runs it; records which thread did what."""

    def __init__(self, session: HttpSession, *, timeout: float = 2.0, deadline: float = 5.0):
        self.session, self.timeout, self.deadline = session, timeout, deadline
        self.max_bytes = 10_000_000
        self.answer_here = True  # what the poller says of a source that fetches no pages
        self.busy: dict[str, float] = {}  # url -> seconds its answer keeps the loop busy
        self.threads_while_answering: list[list[str]] = []
        self.answered_in_loop: list[str] = []
        self.answered_in_thread: list[str] = []
        self.resumed: list[str] = []
        self.from_scratch: list[str] = []

    def _fetch(self, url: str, sent: Sent | None = None) -> FetchResult:
        return fetch(
            self.session,
            url,
            etag=ETAG,
            timeout=self.timeout,
            deadline=self.deadline,
            source=f"feed {url.rsplit('/', 1)[-1]}",
            max_bytes=self.max_bytes,
            sent=sent,
        )

    def run(self, urls: list[str], *, concurrency: int = 4, per_host: int = 2) -> list[Outcome]:
        def ask(url: str) -> object:
            return ask_for(
                self.session,
                url,
                etag=ETAG,
                last_modified=None,
                timeout=self.timeout,
                deadline=self.deadline,
                source=f"feed {url.rsplit('/', 1)[-1]}",
                max_bytes=self.max_bytes,
                answer_here=self.answer_here,
            )

        def answered(url: str, result: FetchResult) -> FetchResult:
            names = [t.name for t in threading.enumerate() if t.name.startswith(PREFIX)]
            self.threads_while_answering.append(names)
            in_loop = threading.current_thread() is threading.main_thread()
            (self.answered_in_loop if in_loop else self.answered_in_thread).append(url)
            time.sleep(self.busy.get(url, 0.0))
            return result

        def resume(url: str, sent: Sent) -> FetchResult:
            self.resumed.append(url)
            return self._fetch(url, sent)

        def scratch(url: str) -> FetchResult:
            self.from_scratch.append(url)
            return self._fetch(url)

        sweep = ConditionalSweep(self.session.lite, ask, answered, resume)
        try:
            return list(
                run_per_host(
                    scratch,
                    urls,
                    host=host_of,
                    concurrency=concurrency,
                    per_host=per_host,
                    thread_name_prefix=PREFIX,
                    inline=sweep,
                )
            )
        finally:
            sweep.close()


@pytest.fixture
def feeds(http_server: LocalServer) -> Iterator[list[str]]:
    yield [http_server.handle(f"/feed/{n}", conditional()) for n in range(12)]


def test_a_round_of_304s_is_answered_in_the_loop_without_starting_a_thread(
    http_server: LocalServer, session: HttpSession, feeds: list[str]
) -> None:
    round_ = Round(session)
    outcomes = round_.run(feeds)
    assert sorted(o.item for o in outcomes) == sorted(feeds)
    assert all(o.error is None and o.value.not_modified for o in outcomes)
    assert all(o.value.etag == ETAG and o.value.body == b"" for o in outcomes)
    assert round_.resumed == round_.from_scratch == []
    assert round_.threads_while_answering == [[]] * len(feeds)
    # the validators went out, and the two connections the host allows served all
    assert all(seen.headers.get("If-None-Match") == ETAG for seen in http_server.seen)
    assert len({seen.peer for seen in http_server.seen}) <= 2


def test_a_changed_feed_is_read_and_answered_in_the_loop_from_one_request(
    http_server: LocalServer, session: HttpSession, feeds: list[str]
) -> None:
    changed = http_server.handle("/feed/changed", conditional(b"<rss>new</rss>", '"v2"'))
    round_ = Round(session)
    outcomes = {o.item: o for o in round_.run([*feeds, changed])}
    result = outcomes[changed].value
    assert (result.status, result.body, result.etag) == (200, b"<rss>new</rss>", '"v2"')
    assert round_.answered_in_loop.count(changed) == 1 and round_.answered_in_thread == []
    assert round_.resumed == round_.from_scratch == []
    assert len(http_server.requests_to("/feed/changed")) == 1
    assert sum(o.value.not_modified for o in outcomes.values()) == len(feeds)


def test_a_gzipped_body_read_in_the_loop_is_inflated_within_the_cap(
    http_server: LocalServer, session: HttpSession
) -> None:
    feed = b"<rss>" + b"x" * 5000 + b"</rss>"
    packed = gzip.compress(feed)
    headers = {"Content-Encoding": "gzip", "ETag": '"v2"'}
    url = http_server.serve("/packed", packed, headers=headers)
    [outcome] = Round(session).run([url])
    assert outcome.error is None and outcome.value.body == feed
    bomb = http_server.serve("/bomb", gzip.compress(b"\0" * 2_000_000), headers=headers)
    round_ = Round(session)
    round_.max_bytes = 100_000
    [outcome] = round_.run([bomb])
    assert isinstance(outcome.error, SourceError)
    assert "feed bomb" in str(outcome.error) and "exceeds the cap of 100000" in str(outcome.error)


def test_a_chunked_body_is_read_on_in_a_thread_from_the_same_request(
    http_server: LocalServer, session: HttpSession
) -> None:
    def chunked(request: BaseHTTPRequestHandler) -> None:
        request.send_response(200)
        request.send_header("Transfer-Encoding", "chunked")
        request.end_headers()
        request.wfile.write(b"6\r\n<rss>n\r\n8\r\new</rss>\r\n0\r\n\r\n")

    url = http_server.handle("/chunked", chunked)
    round_ = Round(session)
    [outcome] = round_.run([url])
    assert outcome.error is None and outcome.value.body == b"<rss>new</rss>"
    assert round_.resumed == [url] and round_.from_scratch == []
    assert len(http_server.requests_to("/chunked")) == 1


def test_a_body_over_the_cap_is_refused_by_the_thread_that_takes_it(
    http_server: LocalServer, session: HttpSession
) -> None:
    url = http_server.serve("/huge", b"x" * 2000)
    round_ = Round(session)
    round_.max_bytes = 1000
    [outcome] = round_.run([url])
    assert isinstance(outcome.error, SourceError)
    assert "body of 2000 bytes exceeds the cap of 1000" in str(outcome.error)
    assert round_.resumed == [url]


def test_once_a_round_has_parsed_enough_bodies_in_the_loop_threads_take_the_rest(
    http_server: LocalServer, session: HttpSession, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sweep, "INLINE_BYTES", 2500)
    urls = [http_server.serve(f"/big/{n}", b"x" * 1000) for n in range(6)]
    round_ = Round(session)
    outcomes = round_.run(urls, concurrency=1, per_host=1)
    assert all(o.error is None and len(o.value.body) == 1000 for o in outcomes)
    assert round_.answered_in_loop == urls[:2] and round_.answered_in_thread == urls[2:]
    assert round_.resumed == round_.from_scratch == []


def test_a_redirect_is_followed_by_the_thread_that_took_over(
    http_server: LocalServer, session: HttpSession
) -> None:
    target = http_server.handle("/new-home", conditional(b"<rss>moved</rss>", '"v9"'))
    moved = http_server.serve("/old", b"", status=301, headers={"Location": target})
    [outcome] = Round(session).run([moved])
    assert outcome.error is None
    assert (outcome.value.url, outcome.value.body) == (target, b"<rss>moved</rss>")


def test_an_error_status_fails_the_source_as_a_fetch_would(
    http_server: LocalServer, session: HttpSession
) -> None:
    busy = http_server.serve("/busy", b"", status=503, headers={"Retry-After": "120"})
    [outcome] = Round(session).run([busy])
    assert isinstance(outcome.error, SourceError)
    assert "feed busy" in str(outcome.error) and "HTTP 503" in str(outcome.error)
    assert outcome.error.retry_after == 120


def test_a_server_that_never_answers_times_out_naming_the_source(
    http_server: LocalServer, session: HttpSession
) -> None:
    silent = http_server.handle("/silent", lambda request: http_server.stopping.wait(5))
    started = time.monotonic()
    [outcome] = Round(session, timeout=0.3).run([silent])
    assert isinstance(outcome.error, SourceError)
    assert "feed silent" in str(outcome.error) and "timed out after 0.3s" in str(outcome.error)
    assert time.monotonic() - started < 2


def test_the_deadline_cuts_a_head_that_drips_in(
    http_server: LocalServer, session: HttpSession
) -> None:
    def drip(request: BaseHTTPRequestHandler) -> None:
        request.wfile.write(b"HTTP/1.1 304 Not Modified\r\n")
        for _ in range(40):
            if http_server.stopping.wait(0.05):
                return
            request.wfile.write(b"X-Slow: 1\r\n")
            request.wfile.flush()

    url = http_server.handle("/drip", drip)
    [outcome] = Round(session, timeout=1.0, deadline=0.4).run([url])
    assert isinstance(outcome.error, SourceError)
    assert "deadline of 0.4s exceeded" in str(outcome.error)


def test_a_refused_connection_fails_the_source_without_a_thread(session: HttpSession) -> None:
    with socket.create_server(("127.0.0.1", 0)) as listener:
        port = listener.getsockname()[1]
    url = f"http://127.0.0.1:{port}/gone"  # nothing listens there any more
    round_ = Round(session)
    [outcome] = round_.run([url])
    assert isinstance(outcome.error, SourceError)
    assert "feed gone" in str(outcome.error) and "refused" in str(outcome.error).lower()
    assert round_.from_scratch == round_.resumed == []


def test_a_kept_alive_connection_the_server_closed_is_replaced_by_the_thread(
    raw_server: RawServer, session: HttpSession
) -> None:
    not_modified = b'HTTP/1.1 304 Not Modified\r\nETag: "v1"\r\n\r\n'
    raw_server.script(Reply(not_modified, close=True))  # closed without saying so
    url = raw_server.url("/feed.xml")
    assert fetch(session, url, etag=ETAG).not_modified  # leaves the connection in the pool
    time.sleep(0.05)  # the close reaches the client
    raw_server.script(not_modified)
    round_ = Round(session)
    [outcome] = round_.run([url])
    assert outcome.error is None and outcome.value.not_modified
    assert round_.resumed == [url]  # the loop met the close and handed it over
    assert raw_server.connections == 2


def test_host_names_are_left_to_threads_until_they_leave_a_connection(
    http_server: LocalServer, session: HttpSession
) -> None:
    """The loop does not resolve names: the first request to ``localhost`` runs in
    a thread, which leaves its connection in the pool for the loop to use."""
    named = [
        http_server.handle(f"/named/{n}", conditional()).replace("127.0.0.1", "localhost")
        for n in range(6)
    ]
    round_ = Round(session)
    outcomes = round_.run(named, concurrency=1, per_host=1)
    assert all(o.error is None and o.value.not_modified for o in outcomes)
    assert round_.from_scratch == named[:1]
    assert len(round_.threads_while_answering) == len(named) - 1


def test_proxies_other_schemes_and_unconditional_requests_are_not_for_the_loop(
    session: HttpSession, monkeypatch: pytest.MonkeyPatch
) -> None:
    def ask(url: str, sess: HttpSession = session, etag: str | None = ETAG) -> object:
        return ask_for(
            sess,
            url,
            etag=etag,
            last_modified=None,
            timeout=1,
            deadline=1,
            source="s",
            max_bytes=1000,
        )

    assert ask("http://127.0.0.1:9/feed") is not None
    assert ask("https://127.0.0.1:9/feed") is not None  # on a connection a thread opened
    assert ask("ftp://127.0.0.1:9/feed") is None
    assert ask("http://127.0.0.1:9/f", etag=None) is None  # the answer will be a body
    monkeypatch.setenv("HTTP_PROXY", "http://127.0.0.1:3128")
    proxied = HttpSession(dict(session.headers))
    try:
        assert ask("http://127.0.0.1:9/feed", proxied) is None
    finally:
        proxied.close()


@pytest.mark.parametrize(
    "reply",
    [
        b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n" + b"x" * 10,  # cut short
        b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n",  # no body at all
        b'HTTP/1.1 304 Not Modified\r\nETag: "v1"\r\n',  # head cut short
        b"HELLO WORLD\r\n\r\n",  # not HTTP
        b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Encoding: br\r\n\r\nxxxxx",
        b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Encoding: gzip\r\n\r\nxxxxx",
        b"",  # closed without a word
    ],
    ids=["short-body", "no-body", "short-head", "not-http", "brotli", "bad-gzip", "silent-close"],
)
def test_a_broken_answer_fails_the_source_as_a_fetch_of_its_own_would(
    raw_server: RawServer, session: HttpSession, reply: bytes
) -> None:
    url = raw_server.url("/feed")
    raw_server.script(Reply(reply, close=True))
    with pytest.raises(SourceError) as by_fetch:
        fetch(session, url, etag=ETAG, timeout=2, deadline=5, source="feed feed")
    raw_server.script(Reply(reply, close=True))
    [outcome] = Round(session).run([url])
    assert isinstance(outcome.error, SourceError)
    assert str(outcome.error) == str(by_fetch.value)


def test_an_https_host_is_opened_by_a_thread_then_polled_in_the_loop_on_its_connection(
    https_server: LocalServer,
    session: HttpSession,
    tls_certificate: tuple[Path, Path],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The loop shakes no hands: the first request to the https host runs in a
    thread, and the TLS connection it leaves serves the rest from the loop, a
    changed feed's body included."""
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(tls_certificate[0]))
    urls = [https_server.handle(f"/tls/{n}", conditional()) for n in range(4)]
    changed = https_server.handle("/tls/changed", conditional(b"<rss>tls</rss>", '"v2"'))
    round_ = Round(session)
    outcomes = {o.item: o for o in round_.run([*urls, changed], concurrency=1, per_host=1)}
    assert all(outcomes[u].error is None and outcomes[u].value.not_modified for u in urls)
    assert outcomes[changed].value.body == b"<rss>tls</rss>"
    assert round_.from_scratch == urls[:1] and round_.resumed == []
    assert round_.answered_in_loop == [*urls[1:], changed]
    assert len({seen.peer for seen in https_server.seen}) == 1  # one TLS connection
    # the connection went back to the pool able to serve a thread's blocking fetch
    assert fetch(session, urls[0], etag=ETAG, timeout=2, deadline=5).not_modified
    assert len({seen.peer for seen in https_server.seen}) == 1


def test_where_epoll_is_missing_the_sweep_imports_and_asks_for_nothing() -> None:
    """macOS, say: the loop is not available, and every source goes to threads."""
    code = (
        "import select\n"
        "for name in ('epoll', 'EPOLLIN', 'EPOLLOUT'):\n"
        "    delattr(select, name)\n"
        "from syndicator.sources import sweep\n"
        "from syndicator.sources.fetch import make_session\n"
        "assert not sweep.AVAILABLE\n"
        "ask = sweep.ask_for(make_session(), 'http://127.0.0.1:9/f', etag='\"v1\"',\n"
        "    last_modified=None, timeout=1, deadline=1, source='s', max_bytes=1000)\n"
        "assert ask is None, ask\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr


def test_a_big_body_arrives_in_many_reads_and_is_put_together_whole(
    http_server: LocalServer, session: HttpSession
) -> None:
    feed = bytes(range(256)) * 12_000  # 3 MB: dozens of reads
    url = http_server.serve("/big", feed, headers={"ETag": '"v2"'})
    round_ = Round(session)
    [outcome] = round_.run([url])
    assert outcome.error is None and outcome.value.body == feed
    assert round_.answered_in_loop == [url]


def test_bytes_after_a_body_cost_the_connection_not_the_answer(
    raw_server: RawServer, session: HttpSession
) -> None:
    url = raw_server.url("/feed")
    raw_server.script(b'HTTP/1.1 200 OK\r\nContent-Length: 6\r\nETag: "v2"\r\n\r\n<rss/>JUNK')
    [outcome] = Round(session).run([url])
    assert outcome.error is None and outcome.value.body == b"<rss/>"
    raw_server.script(b'HTTP/1.1 304 Not Modified\r\nETag: "v1"\r\n\r\n')
    [again] = Round(session).run([url])
    assert again.error is None and again.value.not_modified
    assert raw_server.connections == 2  # the first connection was out of step: not reused


def test_a_changed_answer_that_may_fetch_pages_is_completed_in_a_thread(
    http_server: LocalServer, session: HttpSession, feeds: list[str]
) -> None:
    """A source that completes its items from their pages makes more requests while
    it is completed: that waits in a thread, never in the loop. Its 304s stay."""
    changed = http_server.handle("/feed/changed", conditional(b"<rss>new</rss>", '"v2"'))
    round_ = Round(session)
    round_.answer_here = False
    outcomes = {o.item: o for o in round_.run([*feeds, changed])}
    assert outcomes[changed].value.body == b"<rss>new</rss>"
    assert round_.answered_in_thread == [changed]
    assert sorted(round_.answered_in_loop) == sorted(feeds)
    assert len(http_server.requests_to("/feed/changed")) == 1


def test_an_answer_that_arrived_while_the_loop_was_busy_is_not_taken_for_late(
    http_server: LocalServer, session: HttpSession
) -> None:
    """The loop parses a changed feed for longer than the other request's timeout;
    that request's answer came meanwhile, and counts."""

    def slow_304(request: BaseHTTPRequestHandler) -> None:
        time.sleep(0.1)  # arrives while the loop is busy with the other answer
        conditional()(request)

    busy = http_server.handle("/busy", conditional(b"<rss>new</rss>", '"v2"'))
    late = http_server.handle("/late", slow_304)
    round_ = Round(session, timeout=0.3)
    round_.busy[busy] = 0.6
    outcomes = {o.item: o for o in round_.run([busy, late])}
    assert outcomes[busy].error is None
    assert outcomes[late].error is None and outcomes[late].value.not_modified
