"""The service keeps time: each source is polled on its ``every`` (plus jitter)
however long another source takes, paced deliveries go the moment pacing allows
(not on a drain tick), and a change another command makes to the post log reaches
the running service within seconds. Measured against a real ``syndicator run`` and
a real local HTTP server; the wall clock is the point, so nothing is mocked."""

from __future__ import annotations

import itertools
import subprocess
import sys
import threading
import time
from collections import defaultdict
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path

import pytest

from syndicator.config import load_config
from syndicator.engine import Engine
from syndicator.models import DeliveryState
from syndicator.store import deliveries
from tests.engine_helpers import write_config
from tests.running_service import Running
from tests.servers.http import Request, Response, StubServer, serve

EVERY = 10.0  # the shortest interval `check` accepts
JITTER = 1.0  # [service] jitter; a 10 s source is never delayed more than a tenth of it
SLACK = 2.0  # what the issue allows on top: scheduling and a busy machine


def _rss(count: int, prefix: str) -> bytes:
    now = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)
    items = "".join(
        f"<item><title>{prefix} story {i}</title><link>https://news.example.edu/{prefix}/{i}</link>"
        f"<guid>{prefix}-{i}</guid><description>Teaser of story {i}. It has a second "
        f"sentence.</description><pubDate>{format_datetime(now - timedelta(minutes=i))}</pubDate>"
        f"</item>"
        for i in range(count)
    )
    return (
        f"<?xml version='1.0'?><rss version='2.0'><channel><title>{prefix}</title>{items}"
        f"</channel></rss>"
    ).encode()


class FeedFarm:
    """Feeds at /feed/<name>; ``/feed/slow`` answers after ``slow`` seconds. Every
    request's arrival time is kept per path."""

    def __init__(self, *, items: int = 3, slow: float = 0.0) -> None:
        self.items, self.slow = items, slow
        self.times: dict[str, list[float]] = defaultdict(list)
        self.lock = threading.Lock()

    def __call__(self, request: Request) -> Response:
        with self.lock:
            self.times[request.path].append(time.monotonic())
        if request.path.endswith("/slow"):
            time.sleep(self.slow)
        if request.header("If-None-Match") == '"v1"':
            return 304, {"ETag": '"v1"'}, b""
        name = request.path.rsplit("/", 1)[-1]
        body = _rss(self.items, name)
        return 200, {"ETag": '"v1"', "Content-Type": "application/rss+xml"}, body


@pytest.fixture
def farm_and_server() -> Iterator[tuple[FeedFarm, StubServer]]:
    farm = FeedFarm(slow=6.0)
    with serve(farm) as server:
        yield farm, server


def _feeds(server: StubServer, names: list[str], *, first_run: str = "baseline") -> str:
    return "".join(
        f'\n[[sources]]\nname = "{name}"\nurl = "{server.url}/feed/{name}"\nevery = "10s"\n'
        f'full_text = "never"\nfirst_run = "{first_run}"\n'
        for name in names
    )


def _service_config(folder: Path, body: str) -> Path:
    path = write_config(folder, body)
    path.write_text(path.read_text().replace('jitter = "0s"', f'jitter = "{JITTER:.0f}s"'))
    return path


def test_every_source_is_polled_on_its_interval_while_another_answers_slowly(
    tmp_path: Path, farm_and_server: tuple[FeedFarm, StubServer]
) -> None:
    farm, server = farm_and_server
    names = [f"feed{i:02d}" for i in range(20)] + ["slow"]
    config = _service_config(tmp_path, _feeds(server, names))
    service = Running(config, tmp_path / "run.log")
    try:
        service.wait_for("service running")
        time.sleep(36)
    finally:
        assert service.stop() == 0
    for name in names:
        times = farm.times[f"/feed/{name}"]
        gaps = [b - a for a, b in itertools.pairwise(times)]
        assert len(times) >= 3, (name, times)
        assert max(gaps) <= EVERY + JITTER + SLACK, (name, gaps)
        assert min(gaps) >= EVERY - 0.5, (name, gaps)  # never polled twice in one interval


def _sent(config: Path) -> list[deliveries.DeliveryRow]:
    engine = Engine.open(load_config(config))
    try:
        with engine.store.read() as connection:
            return deliveries.in_state(connection, [DeliveryState.SENT])
    finally:
        engine.close()


OUTBOX_PACED = """
[[targets]]
name = "paced"
adapter = "outbox"
path = "outbox/paced"
min_interval = "1s"
"""


def test_thirty_backfilled_articles_at_one_second_spacing_are_sent_within_45_s(
    tmp_path: Path,
) -> None:
    farm = FeedFarm(items=30)
    with serve(farm) as server:
        body = _feeds(server, ["news"], first_run="backfill:30") + OUTBOX_PACED
        config = _service_config(tmp_path, body)
        started = time.monotonic()
        service = Running(config, tmp_path / "run.log")
        try:
            while len(_sent(config)) < 30 and time.monotonic() - started < 45:
                time.sleep(0.5)
        finally:
            assert service.stop() == 0
    sent = sorted(_sent(config), key=lambda row: row.sent_at or datetime.min)
    assert len(sent) == 30, service.text()
    moments = [row.sent_at for row in sent if row.sent_at is not None]
    spacing = [(b - a).total_seconds() for a, b in itertools.pairwise(moments)]
    assert min(spacing) >= 0.99  # min_interval holds
    assert (moments[-1] - moments[0]).total_seconds() < 40


HELD = """
[[targets]]
name = "held"
adapter = "outbox"
path = "outbox/held"
approve = true
"""


def test_an_approval_from_another_process_is_sent_by_the_running_service_within_5_s(
    tmp_path: Path,
) -> None:
    farm = FeedFarm(items=2)
    with serve(farm) as server:
        config = _service_config(tmp_path, _feeds(server, ["news"], first_run="backfill:1") + HELD)
        service = Running(config, tmp_path / "run.log")
        try:
            held = _wait_for_held(config)
            approved = time.monotonic()
            done = subprocess.run(
                [sys.executable, "-m", "syndicator", "approve", str(held), "-c", str(config)],
                capture_output=True,
                text=True,
            )
            assert done.returncode == 0, done.stderr
            while not _sent(config) and time.monotonic() - approved < 10:
                time.sleep(0.1)
            took = time.monotonic() - approved
        finally:
            assert service.stop() == 0
    assert [row.id for row in _sent(config)] == [held]
    assert took <= 5.0, service.text()


def _wait_for_held(config: Path) -> int:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        engine = Engine.open(load_config(config))
        try:
            with engine.store.read() as connection:
                held = deliveries.in_state(connection, [DeliveryState.HELD])
        finally:
            engine.close()
        if held:
            return held[0].id
        time.sleep(0.2)
    raise AssertionError("no delivery was held")
