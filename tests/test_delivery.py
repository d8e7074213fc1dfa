"""The delivery loop's promises: errors decided by kind (backoff with jitter up to a
cap, a platform's own retry time honoured to the second and for the whole target, a
refusal or a 401 recorded for good with the platform's words), the operator's retry,
and exactly-once recovery of what a crash left in ``sending``.

The platform is tests/platform/server.py (a Mastodon-like status API with
Idempotency-Key, on 127.0.0.1); time is a FrozenClock.
"""

from __future__ import annotations

import random
from datetime import timedelta
from email.utils import format_datetime
from pathlib import Path

import pytest

from syndicator.cli import main
from syndicator.delivery import BACKOFF_CAP, backoff_delay, drain
from syndicator.models import DeliveryState
from syndicator.recovery import recover
from syndicator.store import deliveries as delivery_store
from tests.platform import fixtures
from tests.platform.scenario import START, advance, article, open_clocked, queue, row, rows, target

platform = fixtures.platform
platform_adapters = fixtures.platform_adapters


def test_backoff_grows_exponentially_with_jitter_and_stops_at_the_cap() -> None:
    rng = random.Random(7)
    for attempts in range(1, 16):
        ceiling = min(BACKOFF_CAP, timedelta(seconds=30 * 2 ** (attempts - 1)))
        delay = backoff_delay(attempts, rng=rng)
        assert ceiling / 2 <= delay <= ceiling
    spread = {backoff_delay(3, rng=rng) for _ in range(20)}
    assert len(spread) > 10  # jitter: failures that happened together retry apart


def test_a_transient_error_is_retried_after_a_backoff(tmp_path: Path, platform) -> None:  # type: ignore[no-untyped-def]
    engine = open_clocked(tmp_path, target("t", platform.url))
    platform.script("t", (503, {}, {"error": "overloaded"}))
    [delivery_id] = [queue(engine, [article(1)]) and rows(engine)[0].id]
    drain(engine)
    waiting = row(engine, delivery_id)
    assert waiting.state is DeliveryState.RETRY
    assert "overloaded" in (waiting.error or "")
    assert waiting.due_at is not None
    assert START + timedelta(seconds=15) <= waiting.due_at <= START + timedelta(seconds=30)
    engine.clock.set(waiting.due_at - timedelta(seconds=1))  # type: ignore[attr-defined]
    drain(engine)
    assert platform.attempts["t"] == 1
    engine.clock.set(waiting.due_at)  # type: ignore[attr-defined]
    drain(engine)
    assert row(engine, delivery_id).state is DeliveryState.SENT
    assert platform.links("t") == [article(1).url]


@pytest.mark.parametrize("header", ["X-RateLimit-Reset", "Retry-After"])
def test_a_rate_limit_is_honoured_to_the_second_for_the_whole_target(
    tmp_path: Path, platform, header: str
) -> None:  # type: ignore[no-untyped-def]
    engine = open_clocked(tmp_path, target("t", platform.url) + target("other", platform.url))
    reset = START + timedelta(minutes=17, seconds=42)
    value = (
        reset.isoformat() if header == "X-RateLimit-Reset" else format_datetime(reset, usegmt=True)
    )
    platform.script("t", (429, {header: value}, {"error": "Too many requests"}))
    queue(engine, [article(1), article(2)])
    drain(engine)
    limited = [r for r in rows(engine, "t") if r.state is DeliveryState.RETRY]
    assert len(limited) == 1 and limited[0].due_at == reset
    assert platform.attempts["t"] == 1  # the second post did not knock on the same door
    assert len(platform.links("other")) == 2  # another target is not held back
    waiting = next(r for r in rows(engine, "t") if r.state is DeliveryState.PENDING)
    assert waiting.reason.startswith("paused until 2026-11-20 02:17:42 UTC: rate limited")
    engine.clock.set(reset - timedelta(seconds=1))  # type: ignore[attr-defined]
    drain(engine)
    assert platform.attempts["t"] == 1
    engine.clock.set(reset)  # type: ignore[attr-defined]
    drain(engine)
    assert platform.links("t") == [article(1).url, article(2).url]


def test_a_401_fails_for_good_with_the_platforms_message(tmp_path: Path, platform) -> None:  # type: ignore[no-untyped-def]
    engine = open_clocked(tmp_path, target("t", platform.url))
    platform.token = "rotated"  # the configured token is no longer accepted
    queue(engine, [article(1)])
    drain(engine)
    [failed] = rows(engine)
    assert failed.state is DeliveryState.FAILED
    assert "The access token is invalid" in (failed.error or "")
    assert "credentials refused" in failed.reason
    for _ in range(3):
        advance(engine, days=2)
        drain(engine)
    assert platform.attempts["t"] == 0  # the 401 came before counting; nothing was retried
    assert sum(1 for r in platform.stub.requests if r.method == "POST") == 1


def test_a_401_pauses_the_rest_of_the_targets_queue(tmp_path: Path, platform) -> None:  # type: ignore[no-untyped-def]
    engine = open_clocked(tmp_path, target("t", platform.url))
    platform.token = "rotated"
    queue(engine, [article(n) for n in range(1, 5)])
    drain(engine)
    assert sum(1 for r in platform.stub.requests if r.method == "POST") == 1
    assert [r.state for r in rows(engine)].count(DeliveryState.PENDING) == 3


def test_a_rejected_post_is_not_retried_and_retry_queues_it_again(
    tmp_path: Path, platform, capsys: pytest.CaptureFixture[str]
) -> None:  # type: ignore[no-untyped-def]
    engine = open_clocked(tmp_path, target("t", platform.url))
    platform.script("t", (422, {}, {"error": "Validation failed: Text too long"}))
    queue(engine, [article(1)])
    drain(engine)
    [failed] = rows(engine)
    assert failed.state is DeliveryState.FAILED
    assert "Validation failed: Text too long" in (failed.error or "")
    advance(engine, days=1)
    drain(engine)
    assert platform.attempts["t"] == 1
    config = str(tmp_path / "syndicator.toml")
    assert main(["retry", "-c", config, str(failed.id)]) == 0
    assert f"#{failed.id}: failed -> pending" in capsys.readouterr().out
    engine.clock.set(row(engine, failed.id).due_at)  # type: ignore[attr-defined]
    drain(engine)
    assert row(engine, failed.id).state is DeliveryState.SENT
    assert platform.links("t") == [article(1).url]


def test_transient_errors_give_up_after_max_attempts(tmp_path: Path, platform) -> None:  # type: ignore[no-untyped-def]
    engine = open_clocked(tmp_path, target("t", platform.url, max_attempts=3))
    platform.script("t", *[(500, {}, {"error": "boom"})] * 3)
    queue(engine, [article(1)])
    for _ in range(3):
        drain(engine)
        advance(engine, hours=1)
    [failed] = rows(engine)
    assert failed.state is DeliveryState.FAILED and failed.attempts == 3
    assert failed.reason.startswith("gave up after 3 attempts")


def _crash_mid_send(engine, *, reached_platform: bool, platform=None):  # type: ignore[no-untyped-def]
    """What a SIGKILL between the claim and the record leaves: a ``sending`` delivery
    (and, if the request got through, the post on the platform)."""
    [delivery] = rows(engine)
    with engine.store.begin() as connection:
        assert delivery_store.claim(
            connection, delivery.id, holder="dead:1", now=engine.clock.now()
        )
    if reached_platform:
        bound = engine.targets[delivery.target]
        from syndicator.store.codec import post_from_json

        bound.adapter.publish(post_from_json(delivery.post), key=delivery.idem_key)
    return delivery


def test_an_interrupted_idempotent_delivery_is_resent_with_its_key_and_posted_once(
    tmp_path: Path, platform
) -> None:  # type: ignore[no-untyped-def]
    engine = open_clocked(tmp_path, target("t", platform.url))
    queue(engine, [article(1)])
    delivery = _crash_mid_send(engine, reached_platform=True)
    assert recover(engine) == {"resent": 1, "found": 0, "unknown": 0}
    drain(engine)
    assert row(engine, delivery.id).state is DeliveryState.SENT
    assert platform.links("t") == [article(1).url]
    assert platform.attempts["t"] == 2  # sent twice, posted once


@pytest.mark.parametrize("reached", [True, False])
def test_an_interrupted_delivery_is_checked_on_the_platform_before_any_resend(
    tmp_path: Path, platform, reached: bool
) -> None:  # type: ignore[no-untyped-def]
    engine = open_clocked(tmp_path, target("t", platform.url, adapter="test_checkable"))
    queue(engine, [article(1)])
    delivery = _crash_mid_send(engine, reached_platform=reached)
    counts = recover(engine)
    assert counts == (
        {"resent": 0, "found": 1, "unknown": 0}
        if reached
        else {"resent": 1, "found": 0, "unknown": 0}
    )
    drain(engine)
    assert row(engine, delivery.id).state is DeliveryState.SENT
    assert platform.links("t") == [article(1).url]


def test_an_interrupted_delivery_that_cannot_be_checked_becomes_unknown_until_resolved(
    tmp_path: Path, platform, capsys: pytest.CaptureFixture[str]
) -> None:  # type: ignore[no-untyped-def]
    engine = open_clocked(tmp_path, target("t", platform.url, adapter="test_plain"))
    queue(engine, [article(1), article(2)])
    first, second = rows(engine)
    with engine.store.begin() as connection:
        for delivery in (first, second):
            delivery_store.claim(connection, delivery.id, holder="dead:1", now=engine.clock.now())
    assert recover(engine) == {"resent": 0, "found": 0, "unknown": 2}
    drain(engine)
    assert platform.attempts["t"] == 0  # never silently resent
    assert "syndicator resolve" in row(engine, first.id).reason
    config = str(tmp_path / "syndicator.toml")
    assert main(["retry", "-c", config, str(first.id)]) == 1  # retry is not the way
    assert "resolve" in capsys.readouterr().out
    assert main(["resolve", "-c", config, str(first.id), "--sent", "https://social.example/1"]) == 0
    assert main(["resolve", "-c", config, str(second.id), "--not-sent"]) == 0
    engine.clock.set(row(engine, second.id).due_at)  # type: ignore[attr-defined]
    drain(engine)
    assert row(engine, first.id).state is DeliveryState.SENT
    assert row(engine, first.id).remote_url == "https://social.example/1"
    assert row(engine, second.id).state is DeliveryState.SENT
    assert platform.links("t") == [article(2).url]
