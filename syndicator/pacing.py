"""When a target may post next: a platform's pause, quiet hours, a daily cap and a
minimum spacing.

Pure functions of the clock and the post log's counts, so they are tested with a
controlled clock. Quiet hours and "per day" are read on the wall clock of the target's
time zone (``timezone``, default ``[service] timezone``): a window "23:00-07:00" in
Asia/Shanghai stays 23:00-07:00 there whatever zone the machine runs in, and across a
daylight-saving change the window keeps its wall-clock times.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from syndicator.config import TargetConfig
from syndicator.durations import format_duration, in_window, parse_window


def target_zone(target: TargetConfig, service_timezone: str) -> str:
    return target.timezone or service_timezone


def quiet_until(target: TargetConfig, now: datetime, timezone: str) -> datetime | None:
    """The end of the current quiet period, or ``None`` if the target may post now."""
    if not target.quiet_hours:
        return None
    window = parse_window(target.quiet_hours)
    zone = ZoneInfo(timezone)
    local = now.astimezone(zone)
    if not in_window(local.time(), window):
        return None
    end = window[1]
    candidate = local.replace(hour=end.hour, minute=end.minute, second=0, microsecond=0)
    if candidate <= local:
        candidate = (candidate + timedelta(days=1)).replace(hour=end.hour, minute=end.minute)
    # Round-trip through UTC so the offset of the end's own date applies (DST).
    return candidate.astimezone(ZoneInfo("UTC")).astimezone(now.tzinfo)


def start_of_day(now: datetime, timezone: str) -> datetime:
    """Local midnight of ``now``'s day, as an aware datetime in ``now``'s zone."""
    local = now.astimezone(ZoneInfo(timezone))
    return local.replace(hour=0, minute=0, second=0, microsecond=0).astimezone(now.tzinfo)


def next_midnight(now: datetime, timezone: str) -> datetime:
    """The next local midnight; correct on 23- and 25-hour days."""
    return start_of_day(start_of_day(now, timezone) + timedelta(hours=26), timezone)


def _local(moment: datetime, timezone: str) -> str:
    return f"{moment.astimezone(ZoneInfo(timezone)):%Y-%m-%d %H:%M:%S %Z}"


def blocked_until(
    target: TargetConfig,
    *,
    now: datetime,
    timezone: str,
    last_sent: datetime | None,
    sent_today: int,
    paused: tuple[datetime, str] | None = None,
    platform_max_per_day: int | None = None,
) -> tuple[datetime, str] | None:
    """When and why the target must wait, or ``None`` if it may send one post now.

    ``timezone`` is the target's zone (see ``target_zone``); ``paused`` is a pause the
    platform asked for (``store.pauses``). The reason names the moment it ends, in that
    zone, because it is shown to the operator by ``syndicator why``.
    ``platform_max_per_day`` is the adapter's documented cap, for a target that sets
    no ``max_per_day`` of its own."""
    if paused is not None and paused[0] > now:
        until, why = paused
        return until, f"paused until {_local(until, timezone)}: {why}"
    quiet = quiet_until(target, now, timezone)
    if quiet is not None:
        return quiet, f"quiet hours ({target.quiet_hours}) until {_local(quiet, timezone)}"
    cap = target.max_per_day if target.max_per_day is not None else platform_max_per_day
    if cap is not None and sent_today >= cap:
        tomorrow = next_midnight(now, timezone)
        whose = "" if target.max_per_day is not None else " (the platform's documented cap)"
        return (
            tomorrow,
            f"rate limited until {_local(tomorrow, timezone)}: max_per_day = {cap}{whose} reached",
        )
    if target.min_interval and last_sent is not None:
        earliest = last_sent + target.min_interval
        if earliest > now:
            return (
                earliest,
                f"rate limited until {_local(earliest, timezone)}: "
                f"min_interval = {format_duration(target.min_interval)}",
            )
    return None


def next_allowed(
    target: TargetConfig,
    *,
    now: datetime,
    timezone: str,
    last_sent: datetime | None,
    sent_today: int,
    paused: tuple[datetime, str] | None = None,
    platform_max_per_day: int | None = None,
) -> tuple[datetime, list[str]]:
    """The first moment from ``now`` on at which ``target`` may send one post, and
    the reasons it waits until then (a pause, then quiet hours, ...), for telling
    an operator when an approved post goes out. Each step jumps to the end of the
    block in force, so a few steps always reach a free moment."""
    moment, reasons = now, []
    today = start_of_day(now, timezone)
    for _ in range(8):
        count = sent_today if start_of_day(moment, timezone) == today else 0
        wait = blocked_until(
            target,
            now=moment,
            timezone=timezone,
            last_sent=last_sent,
            sent_today=count,
            paused=paused,
            platform_max_per_day=platform_max_per_day,
        )
        if wait is None or wait[0] <= moment:
            break
        moment = wait[0]
        reasons.append(wait[1])
    return moment, reasons
