"""Polling at scale, politely: conditional GET ends an unchanged poll before any
parsing, the per-host and global caps hold, failing sources back off (honouring the
server's Retry-After) and are reported when dead, and the cheap paths (fast parse,
quick baseline text) give the same articles as the careful ones.

The feed servers are real threaded HTTP servers on 127.0.0.1.
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from syndicator.clock import FrozenClock
from syndicator.config import load_config
from syndicator.engine import Engine
from syndicator.models import Article
from syndicator.poll import poll
from syndicator.poll.schedule import DEAD_AFTER
from syndicator.sources.entries import entry_to_article
from syndicator.sources.feeds import parse_entries, parse_feed
from syndicator.store import articles as article_store
from syndicator.store import polls
from tests.engine_helpers import feed_source, write_config

DATA = Path(__file__).parent / "data" / "feeds"
RSS = (DATA / "rss2.xml").read_bytes()


def _small_feed(path: str) -> bytes:
    items = "".join(
        f"<item><guid>{path}#{n}</guid><title>Item {n} of {path}</title>"
        f"<link>http://news.example.edu{path}/{n}.html</link>"
        f"<description>&lt;p&gt;Hello &lt;b&gt;world&lt;/b&gt; {n}&lt;/p&gt;</description></item>"
        for n in (1, 2)
    )
    return f'<rss version="2.0"><channel><title>{path}</title>{items}</channel></rss>'.encode()


class FeedFarm:
    """Serves ``/feed/N.xml`` (RSS with an ETag), counts statuses and the requests in
    flight per Host header; ``delay`` holds each response so requests overlap."""

    def __init__(self, delay: float = 0.0) -> None:
        self.body, self.etag, self.delay = RSS, '"v1"', delay
        self.status: tuple[int, dict[str, str]] | None = None  # forced reply
        self.distinct = False  # True: every path serves its own two-item feed
        self.lock = threading.Lock()
        self.in_flight: Counter[str] = Counter()
        self.peak_per_host: Counter[str] = Counter()
        self.peak_total = 0
        self.answers: Counter[int] = Counter()
        farm = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: object) -> None:
                pass

            def do_GET(self) -> None:
                host = self.headers.get("Host", "")
                with farm.lock:
                    farm.in_flight[host] += 1
                    farm.peak_per_host[host] = max(farm.peak_per_host[host], farm.in_flight[host])
                    farm.peak_total = max(farm.peak_total, sum(farm.in_flight.values()))
                try:
                    time.sleep(farm.delay)
                finally:
                    # Counted out before the reply is written: the client may start its
                    # next request the moment it has read this one, which can be before
                    # this thread runs again.
                    with farm.lock:
                        farm.in_flight[host] -= 1
                self.reply()

            def reply(self) -> None:
                if farm.status is not None:
                    code, headers = farm.status
                    body = b"busy"
                elif self.headers.get("If-None-Match") == farm.etag:
                    code, headers, body = 304, {"ETag": farm.etag}, b""
                elif farm.distinct:
                    code, headers, body = 200, {"ETag": farm.etag}, _small_feed(self.path)
                else:
                    code, headers, body = 200, {"ETag": farm.etag}, farm.body
                with farm.lock:
                    farm.answers[code] += 1
                self.send_response(code)
                for name, value in headers.items():
                    self.send_header(name, value)
                if code != 304:
                    self.send_header("Content-Type", "application/rss+xml")
                    self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.port = self.httpd.server_address[1]
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def url(self, n: int, host: str = "127.0.0.1") -> str:
        return f"http://{host}:{self.port}/feed/{n}.xml"

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def farm() -> Iterator[FeedFarm]:
    running = FeedFarm()
    yield running
    running.close()


def _engine(
    tmp_path: Path, urls: list[str], fetch: str = "", clock: FrozenClock | None = None
) -> Engine:
    body = fetch + "".join(feed_source(u, name=f"feed-{i}") for i, u in enumerate(urls))
    return Engine.open(load_config(write_config(tmp_path, body)), clock=clock)


def test_an_unchanged_feed_is_answered_with_304_and_not_parsed(
    tmp_path: Path, farm: FeedFarm
) -> None:
    engine = _engine(tmp_path, [farm.url(1)])
    first = poll(engine, force=True)
    assert (first.polled, first.new_articles) == (1, 3)
    # The same ETag now stands in front of a body that is not a feed at all: a poller
    # that downloaded or parsed it again would fail this source.
    farm.body = b"<html>this is not a feed <<<"
    second = poll(engine, force=True)
    assert (second.polled, second.not_modified, second.failed) == (1, 1, 0)
    assert farm.answers == Counter({200: 1, 304: 1})
    engine.close()


def test_a_big_round_records_every_item_once(tmp_path: Path, farm: FeedFarm) -> None:
    """Ninety sources answered concurrently and recorded in batches: every item of
    every feed once, with its own title and summary."""
    farm.distinct = True
    urls = [farm.url(n) for n in range(90)]
    engine = _engine(tmp_path, urls, "[fetch]\nconcurrency = 8\nper_host = 8\n\n")
    seen: list[Article] = []
    first = poll(engine, force=True, on_new=seen.append)
    assert (first.polled, first.failed, first.new_articles) == (90, 0, 180)
    assert sorted(a.guid or "" for a in seen) == sorted(
        f"/feed/{n}.xml#{i}" for n in range(90) for i in (1, 2)
    )
    with engine.store.begin() as connection:
        stored = [article_store.load_article(connection, i) for i in (1, 90, 180)]
    assert all(a is not None and a.title.startswith("Item ") for a in stored)
    assert all(a is not None and a.summary.startswith("Hello world") for a in stored)
    again = poll(engine, force=True)
    assert (again.not_modified, again.new_articles) == (90, 0)
    engine.close()


def test_the_per_host_cap_is_never_exceeded(tmp_path: Path) -> None:
    slow = FeedFarm(delay=0.05)
    try:
        urls = [slow.url(n, "127.0.0.1") for n in range(10)]
        urls += [slow.url(n, "localhost") for n in range(10)]
        fetch = "[fetch]\nconcurrency = 3\nper_host = 2\n\n"
        engine = _engine(tmp_path, urls, fetch)
        summary = poll(engine, force=True)
        # the second round sends conditional GETs over the kept connections: same caps
        again = poll(engine, force=True)
        engine.close()
    finally:
        slow.close()
    assert summary.polled == 20 and summary.failed == 0
    assert again.not_modified == 20 and slow.answers[304] == 20
    assert set(slow.peak_per_host) == {f"127.0.0.1:{slow.port}", f"localhost:{slow.port}"}
    assert max(slow.peak_per_host.values()) <= 2
    assert slow.peak_total <= 3


def test_retry_after_and_exponential_backoff_set_the_next_poll(
    tmp_path: Path, farm: FeedFarm
) -> None:
    clock = FrozenClock(datetime(2025, 1, 6, 8, 0, tzinfo=UTC))
    engine = _engine(tmp_path, [farm.url(1)], clock=clock)
    farm.status = (503, {"Retry-After": "7200"})
    poll(engine, force=True)
    with engine.store.begin() as connection:
        state = polls.load(connection, "feed-0")
    assert state is not None and state.failures == 1
    assert state.next_poll_at == clock.now() + timedelta(hours=2)  # Retry-After beats 10 min

    farm.status = (500, {})
    delays = []
    for _ in range(3):
        poll(engine, force=True)
        with engine.store.begin() as connection:
            state = polls.load(connection, "feed-0")
        assert state is not None
        delays.append(state.next_poll_at - clock.now())  # type: ignore[operator]
    every = timedelta(minutes=10)
    assert delays == [every * 2, every * 4, every * 8]
    engine.close()


def test_a_source_failing_for_days_is_reported_and_polled_at_most_daily(
    tmp_path: Path, farm: FeedFarm
) -> None:
    clock = FrozenClock(datetime(2025, 1, 6, 8, 0, tzinfo=UTC))
    engine = _engine(tmp_path, [farm.url(1)], clock=clock)
    assert poll(engine, force=True).polled == 1
    farm.status = (404, {})
    first = poll(engine, force=True)
    assert first.failed == 1 and first.dead == []
    clock.advance(DEAD_AFTER + timedelta(hours=1))
    later = poll(engine, force=True)
    assert later.dead == ["feed-0"]
    with engine.store.begin() as connection:
        state = polls.load(connection, "feed-0")
    assert state is not None and state.next_poll_at - clock.now() <= timedelta(days=1)  # type: ignore[operator]
    assert "HTTP 404" in (state.last_error or "")
    engine.close()


FEEDS = sorted(p.name for p in DATA.iterdir() if p.suffix in (".xml", ".rdf", ".json"))


@pytest.mark.parametrize("name", FEEDS)
def test_fast_and_forgiving_parse_paths_agree(name: str) -> None:
    body = (DATA / name).read_bytes()
    url = f"https://news.example.edu/{name}"
    fast = parse_feed(body, url=url, source="s", fast=True)
    forgiving = parse_feed(body, url=url, source="s", fast=False)
    assert fast == forgiving


@pytest.mark.parametrize("name", FEEDS)
def test_baseline_items_keep_the_keys_links_and_titles_of_full_cleaning(name: str) -> None:
    """Quick text for baseline items must not change how an item is recognised later."""
    body = (DATA / name).read_bytes()
    entries = parse_entries(body, url=f"https://news.example.edu/{name}", source="s")
    for entry in entries:
        full = entry_to_article(entry, source="s")
        quick = entry_to_article(entry, source="s", quick=True)
        assert (quick.key, quick.url, quick.guid, quick.published) == (
            full.key,
            full.url,
            full.guid,
            full.published,
        )
        if full.title and entry.title:
            assert quick.title == full.title
        assert "".join(quick.summary.split()) == "".join(full.summary.split())
        assert "".join(quick.text.split()) == "".join(full.text.split())


def test_a_source_that_never_answered_is_reported_once_its_backoff_spans_days(
    tmp_path: Path, farm: FeedFarm
) -> None:
    clock = FrozenClock(datetime(2025, 1, 6, 8, 0, tzinfo=UTC))
    engine = _engine(tmp_path, [farm.url(1)], clock=clock)
    farm.status = (500, {})
    reports = []
    for _ in range(12):  # 10 min, 20, 40, ... then daily: past two days by the 12th
        summary = poll(engine, force=True)
        reports.append(bool(summary.dead))
    assert reports[0] is False and reports[-1] is True
    engine.close()
