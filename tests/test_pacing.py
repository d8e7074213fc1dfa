"""Pacing: quiet hours on the target's wall clock (across midnight, across a daylight
saving change, after a change of time zone), a daily cap counted per local day, a
minimum spacing, the oldest article first, and max_age. Time is a FrozenClock, never
a sleep; posts go to the local platform (tests/platform/server.py) over real HTTP."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from syndicator.config import TargetConfig
from syndicator.delivery import drain
from syndicator.models import DeliveryState
from syndicator.pacing import blocked_until, next_midnight, quiet_until
from tests.platform import fixtures
from tests.platform.scenario import START, advance, article, open_clocked, queue, rows, target

platform = fixtures.platform
platform_adapters = fixtures.platform_adapters


def _target(**keys: object) -> TargetConfig:
    return TargetConfig.model_validate({"name": "t", "adapter": "x", **keys})


def _utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)


def test_quiet_hours_across_midnight_last_until_the_morning_in_the_configured_zone() -> None:
    quiet = _target(quiet_hours="23:00-07:00")
    # 2026-11-20 in Asia/Shanghai (UTC+8): 22:59 is allowed, 23:30 and 02:00 are quiet.
    assert quiet_until(quiet, _utc(2026, 11, 20, 14, 59), "Asia/Shanghai") is None
    morning = _utc(2026, 11, 20, 23, 0)  # 07:00 on the 21st in Shanghai
    assert quiet_until(quiet, _utc(2026, 11, 20, 15, 30), "Asia/Shanghai") == morning
    assert quiet_until(quiet, _utc(2026, 11, 20, 18, 0), "Asia/Shanghai") == morning
    assert quiet_until(quiet, _utc(2026, 11, 20, 22, 59, 59), "Asia/Shanghai") == morning
    assert quiet_until(quiet, morning, "Asia/Shanghai") is None


def test_quiet_hours_keep_their_wall_clock_times_across_a_daylight_saving_change() -> None:
    quiet = _target(quiet_hours="22:00-06:00")
    # New York leaves daylight time at 02:00 on Sunday 2026-11-01: 22:00 EDT on the
    # 31st is 02:00 UTC, and 06:00 EST on the 1st is 11:00 UTC (not 10:00).
    evening = _utc(2026, 11, 1, 2, 30)
    assert quiet_until(quiet, evening, "America/New_York") == _utc(2026, 11, 1, 11, 0)
    assert quiet_until(quiet, _utc(2026, 11, 1, 10, 30), "America/New_York") is not None
    assert quiet_until(quiet, _utc(2026, 11, 1, 11, 0), "America/New_York") is None


def test_a_change_of_time_zone_moves_the_quiet_window() -> None:
    quiet = _target(quiet_hours="23:00-07:00")
    moment = _utc(2026, 11, 20, 16, 0)  # 16:00 in London, 00:00 in Shanghai
    assert quiet_until(quiet, moment, "Europe/London") is None
    assert quiet_until(quiet, moment, "Asia/Shanghai") == _utc(2026, 11, 20, 23, 0)


def test_the_daily_cap_resets_at_local_midnight_even_on_a_25_hour_day() -> None:
    assert next_midnight(_utc(2026, 11, 20, 2, 0), "Asia/Shanghai") == _utc(2026, 11, 20, 16, 0)
    # 2026-10-31 in New York is followed by a 25-hour day; its midnight is 04:00 UTC.
    assert next_midnight(_utc(2026, 10, 31, 12, 0), "America/New_York") == _utc(2026, 11, 1, 4)
    assert next_midnight(_utc(2026, 11, 1, 12, 0), "America/New_York") == _utc(2026, 11, 2, 5)


def test_a_platform_pause_comes_before_every_other_rule() -> None:
    now = _utc(2026, 11, 20, 2, 0)
    until = now + timedelta(minutes=5)
    wait = blocked_until(
        _target(), now=now, timezone="UTC", last_sent=None, sent_today=0, paused=(until, "429")
    )
    assert wait is not None and wait[0] == until and wait[1].startswith("paused until")


def test_quiet_hours_hold_the_queue_and_say_until_when(tmp_path: Path, platform) -> None:  # type: ignore[no-untyped-def]
    body = target("night", platform.url, quiet_hours="09:00-11:00")  # START is 10:00 Shanghai
    engine = open_clocked(tmp_path, body, service='timezone = "Asia/Shanghai"')
    queue(engine, [article(1)])
    drain(engine)
    [waiting] = rows(engine)
    assert platform.links("night") == []
    assert waiting.state is DeliveryState.PENDING
    assert waiting.reason == "quiet hours (09:00-11:00) until 2026-11-20 11:00:00 CST"
    advance(engine, minutes=59, seconds=59)
    drain(engine)
    assert platform.links("night") == []
    advance(engine, seconds=1)
    drain(engine)
    assert platform.links("night") == [article(1).url]


def test_a_target_time_zone_overrides_the_service_one(tmp_path: Path, platform) -> None:  # type: ignore[no-untyped-def]
    body = target("london", platform.url, quiet_hours="09:00-11:00", timezone="Europe/London")
    engine = open_clocked(tmp_path, body, service='timezone = "Asia/Shanghai"')
    queue(engine, [article(1)])
    drain(engine)  # 02:00 in London: not quiet there, though quiet in Shanghai
    assert platform.links("london") == [article(1).url]


def test_max_per_day_holds_the_rest_until_local_midnight(tmp_path: Path, platform) -> None:  # type: ignore[no-untyped-def]
    body = target("daily", platform.url, max_per_day=2)
    engine = open_clocked(tmp_path, body, service='timezone = "Asia/Shanghai"')
    queue(engine, [article(n) for n in range(1, 6)])
    drain(engine)
    assert len(platform.links("daily")) == 2
    held = [r for r in rows(engine) if r.state is DeliveryState.PENDING]
    assert len(held) == 3
    assert all(
        r.reason == "rate limited until 2026-11-21 00:00:00 CST: max_per_day = 2 reached"
        for r in held
    )
    advance(engine, hours=13, minutes=59, seconds=59)  # 23:59:59 in Shanghai
    drain(engine)
    assert len(platform.links("daily")) == 2
    advance(engine, seconds=1)
    drain(engine)
    assert len(platform.links("daily")) == 4


def test_the_platforms_documented_cap_is_the_default_max_per_day(tmp_path: Path, platform) -> None:  # type: ignore[no-untyped-def]
    engine = open_clocked(tmp_path, target("capped", platform.url, adapter="test_capped"))
    queue(engine, [article(n) for n in range(1, 5)])
    drain(engine)
    assert len(platform.links("capped")) == 2
    held = [r for r in rows(engine) if r.state is DeliveryState.PENDING]
    assert len(held) == 2
    assert held[0].reason == (
        "rate limited until 2026-11-21 00:00:00 UTC: "
        "max_per_day = 2 (the platform's documented cap) reached"
    )


def test_a_targets_own_max_per_day_overrides_the_platforms_cap() -> None:
    now = _utc(2026, 11, 20, 12)
    mine = _target(max_per_day=5)
    assert (
        blocked_until(
            mine, now=now, timezone="UTC", last_sent=None, sent_today=4, platform_max_per_day=2
        )
        is None
    )
    default = _target()
    assert (
        blocked_until(
            default, now=now, timezone="UTC", last_sent=None, sent_today=1, platform_max_per_day=2
        )
        is None
    )
    assert (
        blocked_until(
            default, now=now, timezone="UTC", last_sent=None, sent_today=2, platform_max_per_day=2
        )
        is not None
    )


def test_min_interval_spaces_posts_and_the_oldest_article_goes_first(
    tmp_path: Path, platform
) -> None:  # type: ignore[no-untyped-def]
    engine = open_clocked(tmp_path, target("slow", platform.url, min_interval="30m"))
    newest = article(1, published=START - timedelta(hours=1))
    oldest = article(2, published=START - timedelta(hours=5))
    middle = article(3, published=START - timedelta(hours=3))
    queue(engine, [newest, oldest, middle])  # one poll, in the feed's (unsorted) order
    drain(engine)
    assert platform.links("slow") == [oldest.url]
    advance(engine, minutes=29)
    drain(engine)
    assert platform.links("slow") == [oldest.url]
    advance(engine, minutes=1)
    drain(engine)
    advance(engine, minutes=30)
    drain(engine)
    assert platform.links("slow") == [oldest.url, middle.url, newest.url]


def test_max_age_records_old_articles_and_drops_those_that_went_stale_in_the_queue(
    tmp_path: Path, platform
) -> None:  # type: ignore[no-untyped-def]
    engine = open_clocked(tmp_path, target("fresh", platform.url, max_age="1d", max_per_day=1))
    old = article(1, published=START - timedelta(days=2))
    recent = [article(n, published=START - timedelta(hours=20 - n)) for n in (2, 3)]
    queue(engine, [old, *recent])
    drain(engine)
    by_url = {r.article_url: r for r in rows(engine)}
    assert by_url[old.url].state is DeliveryState.SKIPPED
    assert by_url[old.url].reason.startswith("too old: published 2026-11-18 02:00 UTC")
    assert platform.links("fresh") == [recent[0].url]
    advance(engine, days=1)  # the cap lets the next one go, but it is now too old
    drain(engine)
    by_url = {r.article_url: r for r in rows(engine)}
    assert by_url[recent[1].url].state is DeliveryState.SKIPPED
    assert "before it could be sent" in by_url[recent[1].url].reason
    assert platform.links("fresh") == [recent[0].url]


@pytest.mark.parametrize("window", ["25:00-07:00", "23:00", "7-9"])
def test_a_malformed_quiet_window_is_a_config_error(window: str) -> None:
    with pytest.raises(ValueError, match="quiet_hours"):
        _target(quiet_hours=window)
