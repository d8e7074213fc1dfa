"""Exactly once under SIGKILL.

``syndicator run`` is started as a real subprocess on a store and killed with SIGKILL
at random moments, at least 30 times, while it publishes 210 deliveries (70 articles,
two feed sources, three targets) to the local platform (tests/platform/server.py: a Mastodon-like status
API that honours ``Idempotency-Key`` as in draft-ietf-httpapi-idempotency-key-header,
and answers only after a short delay, so kills land between "the post exists" and
"the service heard back"). Then it runs undisturbed until nothing is left to do.

What must hold at the end: on the two idempotent targets every delivery is sent and
on the platform exactly once; on the target without idempotency each delivery is
either sent (and on the platform once) or ``unknown`` (on the platform at most once),
never posted twice; no delivery is lost or left in ``sending``; and a killed process's
lock and claims never stopped the next start.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

from syndicator.models import DeliveryState
from syndicator.store import Store
from syndicator.store import deliveries as delivery_store
from tests.engine_helpers import interrupted_sends
from tests.platform import REPO_ROOT, write_distribution
from tests.platform.scenario import target
from tests.platform.server import TOKEN, running_platform

ARTICLES = 70
KILLS = 32
IDEMPOTENT = ("idem-a", "idem-b")
PLAIN = "plain-c"


def _feed(first: int, count: int) -> str:
    items = "".join(
        f"<item><title>Story {n}: the faculty reports on project {n * 7919 % 1000}</title>"
        f"<link>https://news.example.edu/2026-11/20/c_{n}.htm</link>"
        f"<guid>tag:news.example.edu,2026:{n}</guid>"
        f"<description>Teaser {n}.</description></item>"
        for n in range(first, first + count)
    )
    return (
        f'<?xml version="1.0"?><rss version="2.0"><channel><title>t</title>{items}</channel></rss>'
    )


def _config(folder: Path, feed_url: str, platform_url: str) -> Path:
    body = """
[store]
url = "sqlite:///var/run.db"

[service]
drain_every = "200ms"
jitter = "0s"

"""
    for name in ("a", "b"):
        body += f"""
[[sources]]
name = "news-{name}"
url = "{feed_url}/{name}.xml"
kind = "feed"
every = "1h"
first_run = "backfill:{ARTICLES // 2}"
full_text = "never"
"""
    for name in IDEMPOTENT:
        body += target(name, platform_url, adapter="test_idempotent")
    body += target(PLAIN, platform_url, adapter="test_plain")
    path = folder / "syndicator.toml"
    path.write_text(body, encoding="utf-8")
    return path


def _states(store: Store) -> Counter[tuple[str, str]]:
    with store.begin() as connection:
        return Counter(
            (r.target, r.state.value) for r in delivery_store.listing(connection, limit=100_000)
        )


def test_sigkill_at_random_moments_never_posts_twice_or_loses_a_delivery(
    tmp_path: Path, http_server
) -> None:  # type: ignore[no-untyped-def]
    half = ARTICLES // 2
    feeds = {"/a.xml": _feed(1, half), "/b.xml": _feed(1 + half, half)}
    feed = http_server(
        lambda request: (200, {"Content-Type": "application/rss+xml"}, feeds[request.path])
    )
    entry_points = write_distribution(tmp_path / "entry-points")
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(entry_points), str(REPO_ROOT)]),
        "PLATFORM_TOKEN": TOKEN,
    }
    log_path = tmp_path / "service.log"
    rng = random.Random(20261120)

    with running_platform(delay=0.02) as platform, log_path.open("ab") as log:
        config = _config(tmp_path, feed.url, platform.url)

        def start() -> subprocess.Popen[bytes]:
            return subprocess.Popen(
                [sys.executable, "-m", "syndicator", "run", "-c", str(config), "-q"],
                cwd=tmp_path,
                env=env,
                stdout=log,
                stderr=log,
            )

        def posts_seen() -> int:
            return sum(1 for r in platform.stub.requests if r.method == "POST")

        kills = 0
        for round_number in range(KILLS):
            process = start()
            before = posts_seen()
            if round_number % 4 == 0:
                time.sleep(rng.uniform(0.0, 1.0))  # anywhere, start-up included
            else:
                deadline = time.monotonic() + 20
                while (
                    posts_seen() == before
                    and process.poll() is None
                    and time.monotonic() < deadline
                ):
                    time.sleep(0.005)
                time.sleep(rng.uniform(0.0, 0.12))
            assert process.poll() is None, f"the service exited early; see {log_path}"
            process.send_signal(signal.SIGKILL)
            process.wait(10)
            kills += 1

        final = start()
        store = Store(f"sqlite:///{tmp_path / 'var' / 'run.db'}")
        try:
            deadline = time.monotonic() + 90
            while time.monotonic() < deadline:
                states = _states(store)
                settled = sum(n for (_, state), n in states.items() if state in ("sent", "unknown"))
                if settled == 3 * ARTICLES:
                    break
                assert final.poll() is None, f"the service exited; see {log_path}"
                time.sleep(0.2)
            final.send_signal(signal.SIGTERM)
            assert final.wait(30) == 0
            with store.begin() as connection:
                rows = delivery_store.listing(connection, limit=100_000)
                interrupted = interrupted_sends(connection, rows)
        finally:
            store.close()

    assert kills >= 30
    assert interrupted > 0, "no kill landed inside a send: the test proved nothing"
    assert len(rows) == 3 * ARTICLES  # none lost, none doubled in the log
    assert not [r for r in rows if r.state is DeliveryState.SENDING]
    for name in IDEMPOTENT:
        mine = [r for r in rows if r.target == name]
        assert {r.state for r in mine} == {DeliveryState.SENT}
        links = platform.links(name)
        assert len(links) == ARTICLES and len(set(links)) == ARTICLES
        assert sorted(links) == sorted(r.article_url for r in mine)
    plain = [r for r in rows if r.target == PLAIN]
    on_platform = Counter(platform.links(PLAIN))
    assert max(on_platform.values()) == 1  # never twice
    for delivery in plain:
        assert delivery.state in (DeliveryState.SENT, DeliveryState.UNKNOWN)
        if delivery.state is DeliveryState.SENT:
            assert on_platform[delivery.article_url] == 1
