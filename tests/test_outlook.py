"""``syndicator status``, and what ``approve`` and ``retry`` say: when each source is
polled next, each target's queue and next send, whether a service holds the store."""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from syndicator.cli import main
from syndicator.delivery import drain
from syndicator.models import DeliveryState
from syndicator.outlook import status
from syndicator.status_view import print_status
from syndicator.store import deliveries as delivery_store
from syndicator.store import polls
from tests.engine_helpers import OUTBOX_TARGETS
from tests.platform import fixtures
from tests.platform.scenario import START, article, open_clocked, queue, row, rows, target

platform = fixtures.platform
platform_adapters = fixtures.platform_adapters

QUIET = OUTBOX_TARGETS.replace('rule = "x"', 'rule = "x"\nquiet_hours = "09:00-12:00"')


def test_status_gives_each_target_its_queue_and_next_send_past_quiet_hours(
    tmp_path: Path,
) -> None:
    engine = open_clocked(tmp_path, QUIET, service='timezone = "Asia/Shanghai"')
    queue(engine, [article(1), article(2)])  # START is 10:00 in Shanghai: box-b is quiet
    report = status(engine)
    by_name = {t.name: t for t in report.targets}
    assert (by_name["box-a"].pending, by_name["box-a"].next_send) == (2, START)
    quiet = by_name["box-b"]
    assert quiet.pending == 2 and quiet.held == 0 and quiet.retrying == 0
    assert quiet.next_send == datetime(2026, 11, 20, 4, 0, tzinfo=UTC)  # 12:00 in Shanghai
    assert "quiet hours (09:00-12:00)" in quiet.waits_for[0]
    engine.close()


def test_status_json_has_the_documented_fields(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    engine = open_clocked(tmp_path, OUTBOX_TARGETS)
    failing_since = START - timedelta(hours=1)
    with engine.store.begin() as connection:
        polls.save(
            connection,
            polls.SourceState(
                name="news",
                url="http://127.0.0.1:9/feed.xml",
                baselined_at=failing_since,
                last_polled_at=failing_since,
                next_poll_at=START + timedelta(minutes=20),
                failures=2,
                last_error="HTTP 503",
            ),
        )
    print_status(status(engine), as_json=True)
    report = json.loads(capsys.readouterr().out)
    [source] = report["sources"]
    assert source["name"] == "news" and source["url"] == "http://127.0.0.1:9/feed.xml"
    assert source["last_poll"] == failing_since.isoformat()
    assert source["next_poll"] == source["backoff_until"] == "2026-11-20T02:20:00+00:00"
    assert (source["failures"], source["last_error"]) == (2, "HTTP 503")
    for item in report["targets"]:
        for key in ("name", "pending", "held", "retrying", "unknown", "paused_until", "next_send"):
            assert key in item
    assert report["service"] == {"running": False, "pid": None}
    engine.close()


def test_status_names_the_service_holding_the_store_and_its_pid(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    engine = open_clocked(tmp_path, OUTBOX_TARGETS)
    with engine.store.run_lock():
        held = status(engine).service
        print_status(status(engine), as_json=False)
    assert (held.running, held.pid) == (True, os.getpid())
    assert f"service: running on this store (pid {os.getpid()})" in capsys.readouterr().out
    assert status(engine).service.running is False
    engine.close()


def test_status_prints_sources_and_targets_in_the_service_zone(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    engine = open_clocked(tmp_path, QUIET, service='timezone = "Asia/Shanghai"')
    queue(engine, [article(1)])
    print_status(status(engine), as_json=False)
    out = capsys.readouterr().out
    assert "service: not running on this store" in out
    assert "sources (1; times in Asia/Shanghai):" in out
    assert "news: last poll never, next now (never polled)" in out
    assert "box-a: 1 pending, 0 held, 0 retrying, 0 unknown; next send now" in out
    assert "box-b: 1 pending, 0 held, 0 retrying, 0 unknown; next send 2026-11-20 12:00:00" in out
    engine.close()


def test_retry_sends_a_retrying_delivery_now(
    tmp_path: Path, platform, capsys: pytest.CaptureFixture[str]
) -> None:  # type: ignore[no-untyped-def]
    engine = open_clocked(tmp_path, target("t", platform.url), start=datetime.now(UTC))
    platform.script("t", (503, {}, {"error": "down"}))
    queue(engine, [article(1)])
    drain(engine)
    [waiting] = rows(engine)
    assert waiting.state is DeliveryState.RETRY and waiting.due_at > datetime.now(UTC)
    assert main(["retry", "-c", str(tmp_path / "syndicator.toml"), str(waiting.id)]) == 0
    assert f"#{waiting.id}: retry -> pending; goes out now" in capsys.readouterr().out
    again = row(engine, waiting.id)
    assert again.state is DeliveryState.PENDING and again.due_at <= datetime.now(UTC)
    engine.clock.set(datetime.now(UTC))  # type: ignore[attr-defined]
    drain(engine)
    assert row(engine, waiting.id).state is DeliveryState.SENT
    engine.close()


def test_approve_says_when_the_post_goes_out(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    now = datetime.now(UTC)
    start, end = now - timedelta(hours=1), now + timedelta(hours=2)
    window = f"{start:%H:%M}-{end:%H:%M}"
    body = OUTBOX_TARGETS.replace(
        'rule = "x"', f'rule = "x"\napprove = true\nquiet_hours = "{window}"\ntimezone = "UTC"'
    )
    engine = open_clocked(tmp_path, body, start=now)
    queue(engine, [article(1)])
    [held] = [r for r in rows(engine) if r.state is DeliveryState.HELD]
    assert main(["approve", "-c", str(tmp_path / "syndicator.toml"), str(held.id)]) == 0
    out = capsys.readouterr().out
    assert f"#{held.id}: held -> pending; goes out at {end:%Y-%m-%d %H:%M}:00 UTC " in out
    assert f"(quiet hours ({window}) until {end:%Y-%m-%d %H:%M}:00 UTC)" in out
    assert "no service is running on this store" in out
    engine.close()


def test_a_secret_missing_at_send_time_fails_the_delivery_as_auth_failed(
    tmp_path: Path, platform, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    engine = open_clocked(tmp_path, target("t", platform.url))
    monkeypatch.delenv("PLATFORM_TOKEN")
    queue(engine, [article(1), article(2)])
    summary = drain(engine)
    first = rows(engine)[0]
    assert first.state is DeliveryState.FAILED and first.attempts == 1
    assert "SecretMissing" in (first.error or "")
    assert first.reason.startswith("a secret is missing")
    assert "environment variable PLATFORM_TOKEN is not set" in (first.error or "")
    assert summary.retried == 0
    assert rows(engine)[1].state is DeliveryState.PENDING  # the target waits for the operator
    assert not [r for r in platform.stub.requests if r.method == "POST"]
    with engine.store.read() as connection:
        assert delivery_store.earliest_due(connection)["t"] == START
    engine.close()
