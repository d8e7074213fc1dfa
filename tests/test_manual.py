"""Posting by hand (``manual.post_now``): sent now, past filters and approval; a waiting
delivery is sent rather than a second one; a second post only with ``again``; the claim
is committed before the platform is called; the platform's refusal is reported in its
own words. On the local platform (tests/platform/server.py)."""

from __future__ import annotations

import threading
import time
from pathlib import Path

from syndicator.manual import post_now
from syndicator.models import DeliveryState
from syndicator.store import deliveries as delivery_store
from tests.platform import fixtures
from tests.platform.scenario import article, open_clocked, queue, rows, target
from tests.platform.server import running_platform

platform = fixtures.platform
platform_adapters = fixtures.platform_adapters


def test_a_manual_post_goes_now_past_filters_and_approval(tmp_path: Path, platform) -> None:  # type: ignore[no-untyped-def]
    excluded = {"exclude": ["Campus"]}
    engine = open_clocked(tmp_path, target("t", platform.url, approve=True, filters=excluded))
    [outcome] = post_now(engine, article(1), ["t"])
    assert outcome.ok and outcome.detail.startswith(f"sent {platform.url}/t/posts/")
    assert platform.links("t") == [article(1).url]
    [sent] = rows(engine, "t")
    assert (sent.state, sent.reason) == (DeliveryState.SENT, "")
    engine.close()


def test_a_held_delivery_is_released_and_sent_rather_than_a_second_one(  # type: ignore[no-untyped-def]
    tmp_path: Path, platform
) -> None:
    engine = open_clocked(tmp_path, target("t", platform.url, approve=True))
    queue(engine, [article(1)])
    [held] = rows(engine, "t")
    assert held.state is DeliveryState.HELD
    [outcome] = post_now(engine, article(1), ["t"])
    assert outcome.ok and outcome.delivery_id == held.id
    assert [r.id for r in rows(engine, "t")] == [held.id]
    with engine.store.read() as connection:
        details = [detail for _, _, detail in delivery_store.events_for(connection, held.id)]
    assert "approved by manual post" in details
    engine.close()


def test_a_second_manual_post_is_refused_unless_asked_again(tmp_path: Path, platform) -> None:  # type: ignore[no-untyped-def]
    engine = open_clocked(tmp_path, target("t", platform.url))
    [first] = post_now(engine, article(1), ["t"])
    [refused] = post_now(engine, article(1), ["t"])
    assert first.ok and not refused.ok and "already delivered" in refused.detail
    assert platform.attempts["t"] == 1
    [again] = post_now(engine, article(1), ["t"], again=True)
    assert again.ok and len(platform.links("t")) == 2
    assert [r.seq for r in rows(engine, "t")] == [0, 1]
    engine.close()


def test_the_claim_is_committed_before_the_platform_is_called(  # type: ignore[no-untyped-def]
    tmp_path: Path, platform_adapters
) -> None:
    with running_platform(delay=1.0) as slow:
        engine = open_clocked(tmp_path, target("t", slow.url))
        sending = threading.Thread(target=post_now, args=(engine, article(1), ["t"]))
        sending.start()
        while not slow.links("t"):  # the platform has the post and has not answered yet
            time.sleep(0.01)
        seen = [r.state for r in rows(engine, "t")]
        sending.join()
    assert seen == [DeliveryState.SENDING]
    assert [r.state for r in rows(engine, "t")] == [DeliveryState.SENT]
    engine.close()


def test_a_refusal_is_reported_in_the_platforms_words(tmp_path: Path, platform) -> None:  # type: ignore[no-untyped-def]
    engine = open_clocked(tmp_path, target("t", platform.url))
    platform.script("t", (422, {}, {"error": "Validation failed: Text too long"}))
    [outcome] = post_now(engine, article(1), ["t"])
    assert not outcome.ok
    assert outcome.detail.startswith("failed:") and "Text too long" in outcome.detail
    engine.close()
