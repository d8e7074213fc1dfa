"""Three workers on one PostgreSQL, SIGKILLed at random: exactly once still holds.

Three ``syndicator run`` processes share a real PostgreSQL store (Debian's server,
started by the tests). nginx serves 300 feeds polled every 10 s; 50 of them carry 5
new stories each, backfilled, which make 2,000 deliveries to mastodon-mock (eight
targets on one account, each tagging its statuses; mastodon-mock honours
``Idempotency-Key``) and 200 to the local platform without idempotency
(tests/platform, which records a post and only then answers, so kills land between
"the post exists" and "the worker heard back"). For ``CHAOS`` seconds a random
worker is SIGKILLed every few seconds and started again; then the three run
undisturbed until every delivery is settled.

What must hold: every delivery to mastodon-mock is sent and is on it exactly once;
on the other platform none is there twice, and each is ``sent`` (and there once) or
``unknown``; nothing is left ``sending``; no source was polled twice within one
interval (nginx's access log: two polls of one source are never closer than half its
``every``, where a double claim would be milliseconds apart; the slack is how long a
round may run between claiming a source and asking for it); no two posts to one
target came closer than its ``min_interval`` (the platforms' own receive times).
"""

from __future__ import annotations

import itertools
import os
import random
import signal
import subprocess
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from syndicator.models import DeliveryState
from syndicator.store import Store, registry
from syndicator.store import deliveries as delivery_store
from tests.engine_helpers import interrupted_sends
from tests.platform import REPO_ROOT, write_distribution
from tests.platform.scenario import target
from tests.platform.server import TOKEN, Platform
from tests.servers.http import serve
from tests.servers.mastodon_mock import TOKEN as MOCK_TOKEN
from tests.servers.mastodon_mock import MastodonMock, start_mastodon_mock
from tests.servers.nginx import NginxSite
from tests.servers.postgres import Postgres

pytestmark = pytest.mark.servers

CHAOS = 120.0  # seconds of random SIGKILLs (the whole test takes about twice this)
SETTLE = 300.0  # seconds the undisturbed workers get to settle everything afterwards
WORKERS = 3
SOURCES = 300
NEWS = 50  # sources with new stories
STORIES = 5  # per news source: 250 articles
MASTODON_TARGETS = 8  # 8 x 250 = 2,000 deliveries
PLAIN_SOURCES = 40  # the plain target reads 40 news sources: 200 deliveries
EVERY = 10.0  # seconds between polls of a source
MASTODON_SPACING = 0.1  # min_interval of each mastodon target, seconds
PLAIN_SPACING = 0.2


def _feed(source: int, stories: int) -> str:
    items = "".join(
        f"<item><title>Story {source}-{n}: the faculty reports on project {n * 7919 % 1000}"
        f"</title><link>https://news.example.edu/2026-12/{source}/c_{n}.htm</link>"
        f"<guid>tag:news.example.edu,2026:{source}-{n}</guid>"
        f"<description>Teaser {source}-{n}.</description></item>"
        for n in range(stories)
    )
    return (
        f'<?xml version="1.0"?><rss version="2.0"><channel><title>t</title>{items}</channel></rss>'
    )


def _config(folder: Path, store_url: str, feeds: str, mastodon: str, plain: str) -> Path:
    body = f"""
[store]
url = "{store_url}"

[service]
drain_every = "1s"
jitter = "0s"
lease = "5s"
"""
    for n in range(SOURCES):
        body += f"""
[[sources]]
name = "s{n:03d}"
url = "{feeds}/s{n:03d}.xml"
every = "{int(EVERY)}s"
first_run = "{f"backfill:{STORIES}" if n < NEWS else "baseline"}"
full_text = "never"
"""
    for n in range(MASTODON_TARGETS):
        body += f"""
[[targets]]
name = "masto-{n}"
adapter = "mastodon"
instance = "{mastodon}"
template = "[masto-{n}] {{title}} {{url}}"
min_interval = "{int(MASTODON_SPACING * 1000)}ms"
sources = [{", ".join(f'"s{k:03d}"' for k in range(NEWS))}]
[targets.secrets]
access_token = "env:MOCK_TOKEN"
"""
    body += target(
        "plain",
        plain,
        adapter="test_plain",
        min_interval=f"{int(PLAIN_SPACING * 1000)}ms",
        sources=[f"s{k:03d}" for k in range(PLAIN_SOURCES)],
    )
    path = folder / "syndicator.toml"
    path.write_text(body, encoding="utf-8")
    return path


class TimedPlatform(Platform):
    """The local platform, noting when each new post arrived (per channel)."""

    def __init__(self) -> None:
        super().__init__(delay=0.02)
        self.arrived: dict[str, list[float]] = defaultdict(list)

    def handle(self, request):  # type: ignore[no-untyped-def]
        at = time.time()
        status, headers, body = super().handle(request)
        if request.method == "POST" and status == 201:
            self.arrived[request.path.strip("/").split("/")[0]].append(at)
        return status, headers, body


@pytest.fixture
def mastodon(tmp_path: Path) -> Iterator[MastodonMock]:
    mock = start_mastodon_mock(tmp_path)
    mock.fault({"type": "latency", "delay_ms": 20}, count=None)  # kills land mid-send
    try:
        yield mock
    finally:
        mock.stop()


def _gaps(moments: list[float]) -> list[float]:
    ordered = sorted(moments)
    return [b - a for a, b in itertools.pairwise(ordered)]


def _settled(store: Store) -> Counter[str]:
    with store.read() as connection:
        counts = delivery_store.count_by_state(connection)
    states: Counter[str] = Counter()
    for (_, state), n in counts.items():
        states[state] += n
    return states


def _wait_registered(store: Store, pids: set[int]) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        with store.read() as connection:
            live = registry.live(connection, now=datetime.now(UTC), lease=timedelta(seconds=5))
        if pids <= {worker.pid for worker in live}:
            return
        time.sleep(0.2)
    raise AssertionError(f"workers {pids} did not all register")


def test_three_workers_killed_at_random_post_each_delivery_once_and_poll_each_source_once(
    tmp_path: Path,
    postgres_server: Postgres,
    nginx_site,  # type: ignore[no-untyped-def]
    mastodon: MastodonMock,
) -> None:
    www = tmp_path / "www"
    www.mkdir()
    for n in range(SOURCES):
        (www / f"s{n:03d}.xml").write_text(_feed(n, STORIES if n < NEWS else 1))
    site: NginxSite = nginx_site(www)
    store_url = postgres_server.create_database()
    platform = TimedPlatform()
    entry_points = write_distribution(tmp_path / "entry-points")
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(entry_points), str(REPO_ROOT)]),
        "PLATFORM_TOKEN": TOKEN,
        "MOCK_TOKEN": MOCK_TOKEN,
    }
    rng = random.Random(20261210)
    kills = 0
    with serve(platform.handle) as stub:
        platform.stub = stub
        config = _config(tmp_path, store_url, site.url, mastodon.url, stub.url)
        logs = tmp_path / "logs"
        logs.mkdir()

        def start(slot: int, generation: int) -> subprocess.Popen[bytes]:
            with (logs / f"worker-{slot}-{generation}.log").open("ab") as log:
                return subprocess.Popen(
                    [sys.executable, "-m", "syndicator", "run", "-c", str(config), "-q"],
                    cwd=tmp_path, env=env, stdout=log, stderr=log,
                )  # fmt: skip

        workers = [start(slot, 0) for slot in range(WORKERS)]
        store = Store(store_url)
        try:
            began = time.monotonic()
            while time.monotonic() - began < CHAOS:
                time.sleep(rng.uniform(1.0, 6.0))
                slot = rng.randrange(WORKERS)
                assert workers[slot].poll() is None, f"worker {slot} exited; see {logs}"
                workers[slot].send_signal(signal.SIGKILL)
                workers[slot].wait(10)
                kills += 1
                workers[slot] = start(slot, kills)
            deadline = time.monotonic() + SETTLE
            total = MASTODON_TARGETS * NEWS * STORIES + PLAIN_SOURCES * STORIES
            while time.monotonic() < deadline:
                states = _settled(store)
                if states["sent"] + states["unknown"] == total:
                    break
                assert all(w.poll() is None for w in workers), f"a worker exited; see {logs}"
                time.sleep(0.5)
            _wait_registered(store, {w.pid for w in workers})  # a SIGTERM finds its handler
            for worker in workers:
                worker.send_signal(signal.SIGTERM)
            exits = [worker.wait(60) for worker in workers]
            with store.read() as connection:
                rows = delivery_store.listing(connection, limit=100_000)
                interrupted = interrupted_sends(connection, rows)
        finally:
            for worker in workers:
                if worker.poll() is None:
                    worker.kill()
            store.close()
        statuses = mastodon.all_statuses()

    polls: dict[str, list[float]] = defaultdict(list)
    for entry in site.access_log():
        polls[entry.path].append(entry.msec)
    closest = min(min(_gaps(times), default=EVERY) for times in polls.values())
    print(
        f"\nkills {kills}; deliveries {Counter(r.state.value for r in rows)}; "
        f"interrupted {interrupted}; polls {sum(len(t) for t in polls.values())}, "
        f"closest two of one source {closest:.2f} s; statuses {len(statuses)}"
    )
    # The workers stopped cleanly, and the kills did land inside sends.
    assert exits == [0] * WORKERS
    assert kills >= CHAOS / 6
    assert interrupted > 0, "no kill landed inside a send: the test proved nothing"
    # Nothing lost, nothing doubled in the post log, nothing left sending.
    assert len(rows) == MASTODON_TARGETS * NEWS * STORIES + PLAIN_SOURCES * STORIES
    assert not [r for r in rows if r.state is DeliveryState.SENDING]
    # mastodon-mock: every delivery sent, and on the platform exactly once.
    by_target: dict[str, list[str]] = defaultdict(list)
    moments: dict[str, list[float]] = defaultdict(list)
    for status in statuses:
        tag = status["content"].split("]", 1)[0].split("[", 1)[-1]
        by_target[tag].append(status["content"])
        moments[tag].append(datetime.fromisoformat(status["created_at"]).timestamp())
    for n in range(MASTODON_TARGETS):
        mine = [r for r in rows if r.target == f"masto-{n}"]
        assert {r.state for r in mine} == {DeliveryState.SENT}
        posted = by_target[f"masto-{n}"]
        assert len(posted) == len(mine) == NEWS * STORIES
        assert len(set(posted)) == len(posted)
        assert min(_gaps(moments[f"masto-{n}"])) >= MASTODON_SPACING - 0.005
    # The plain platform: never twice; sent ones there once, the rest unknown.
    plain = [r for r in rows if r.target == "plain"]
    on_platform = Counter(platform.links("plain"))
    assert max(on_platform.values()) == 1
    for delivery in plain:
        assert delivery.state in (DeliveryState.SENT, DeliveryState.UNKNOWN)
        if delivery.state is DeliveryState.SENT:
            assert on_platform[delivery.article_url] == 1
    assert min(_gaps(platform.arrived["plain"])) >= PLAIN_SPACING - 0.005
    # Polls: no source twice within one interval.
    assert len(polls) == SOURCES
    assert closest >= EVERY / 2, f"a source was polled twice {closest:.3f} s apart"
