"""Parse workers: what a worker process builds is exactly what the poller builds
itself, and workers are forked up front only while the poller has no other thread."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import threading
from pathlib import Path

import pytest

from syndicator.parsepool import ParsePool
from syndicator.sources.fetch import FetchResult
from syndicator.sources.poll import SourceSpec, complete_poll
from syndicator.store import Store
from syndicator.store.articles import prepare
from tests.engine_helpers import feed_source, write_config
from tests.test_polling_scale import FeedFarm


def _feed(n: int) -> bytes:
    items = "".join(
        f"<item><title>Story {n}.{i}</title><link>https://news.example.edu/{n}/{i}.htm</link>"
        f"<description>&lt;p&gt;Teaser {i} &amp;amp; more&lt;/p&gt;</description>"
        f"<pubDate>Sat, 28 Nov 2026 0{i}:00:00 +0800</pubDate></item>"
        for i in range(1, 4)
    )
    return f'<?xml version="1.0"?><rss version="2.0"><channel><title>t</title>{items}</channel></rss>'.encode()


def _result(n: int) -> FetchResult:
    return FetchResult(
        url=f"https://news.example.edu/{n}.xml",
        status=200,
        body=_feed(n),
        etag=None,
        last_modified=None,
        not_modified=False,
        max_age=None,
        retry_after=None,
        content_type="application/rss+xml",
        encoding=None,
    )


def test_a_worker_builds_exactly_what_the_poller_builds(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'log.db'}"
    Store(url).close()
    spec = SourceSpec(
        name="news", url="https://news.example.edu/1.xml", kind="feed", full_text="never"
    )
    here = complete_poll(spec, None, _result(1))  # type: ignore[arg-type]
    pool = ParsePool(store_url=url, user_agent="t", workers=2, start_after=0)
    try:
        there, prepared = pool.complete(spec, None, _result(1), lambda keys: set())
    finally:
        pool.close()
    assert there.articles == here.articles and len(here.articles) == 3
    assert prepared == [prepare(a) for a in here.articles]


def test_a_threaded_poller_never_forks_its_workers(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'log.db'}"
    stop = threading.Event()
    other = threading.Thread(target=stop.wait)
    other.start()
    try:
        pool = ParsePool(store_url=url, user_agent="t", workers=2, eager=True)
        assert pool._pool is None  # would copy whatever lock the other thread holds
        pool.close()
    finally:
        stop.set()
        other.join()


def test_a_first_round_forks_its_workers_before_any_thread_starts(tmp_path: Path) -> None:
    """``syndicator poll`` in a fresh process over sources never polled: the workers are
    forked at once (the log says so) and every item is reported once."""
    farm = FeedFarm()
    farm.distinct = True
    try:
        body = "".join(feed_source(farm.url(n), name=f"feed-{n}") for n in range(4))
        config = write_config(tmp_path, body)
        probe = textwrap.dedent(
            f"""\
            import sys
            from syndicator import polling
            from syndicator.cli import main
            polling.WORKERS_AT_ONCE_AFTER = 2
            sys.exit(main(["poll", "-v", "-c", {str(config)!r}, "--all", "--print-new"]))
            """
        )
        done = subprocess.run(
            [sys.executable, "-c", probe], capture_output=True, text=True, timeout=120, check=False
        )
    finally:
        farm.close()
    assert done.returncode == 0, done.stderr
    assert "worker processes (fork)" in done.stderr
    lines = done.stdout.splitlines()
    assert len(lines) == len(set(lines)) == 8  # 4 feeds x 2 items, each once


def _refuse(store_url: str, user_agent: str) -> None:
    raise RuntimeError("this worker cannot start")


def test_workers_that_cannot_start_leave_the_round_parsing_here(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    from syndicator import parsepool

    monkeypatch.setattr(parsepool, "_init_worker", _refuse)  # the forked child inherits it
    url = f"sqlite:///{tmp_path / 'log.db'}"
    pool = ParsePool(store_url=url, user_agent="t", workers=2, start_after=10**12)
    pool._fork_now()
    assert pool._pool is None
    assert "could not start parse workers" in caplog.text
    spec = SourceSpec(
        name="news", url="https://news.example.edu/1.xml", kind="feed", full_text="never"
    )
    done, prepared = pool.complete(spec, None, _result(1), lambda keys: set())
    pool.close()
    assert len(done.articles) == 3 and prepared is None
