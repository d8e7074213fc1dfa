"""When a target may post next: quiet hours, minimum spacing and a daily cap.

Pure functions of the clock and the post log's counts, so they are tested with a
controlled clock. Quiet hours and "per day" are read in the service's time zone.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from syndicator.config import TargetConfig
from syndicator.durations import in_window, parse_window


def quiet_until(target: TargetConfig, now: datetime, timezone: str) -> datetime | None:
    """The end of the current quiet period, or ``None`` if the target may post now."""
    if not target.quiet_hours:
        return None
    window = parse_window(target.quiet_hours)
    local = now.astimezone(ZoneInfo(timezone))
    if not in_window(local.time().replace(tzinfo=None), window):
        return None
    end = window[1]
    candidate = local.replace(hour=end.hour, minute=end.minute, second=0, microsecond=0)
    if candidate <= local:
        candidate += timedelta(days=1)
    return candidate.astimezone(now.tzinfo)


def start_of_day(now: datetime, timezone: str) -> datetime:
    local = now.astimezone(ZoneInfo(timezone))
    return local.replace(hour=0, minute=0, second=0, microsecond=0).astimezone(now.tzinfo)


def blocked_until(
    target: TargetConfig,
    *,
    now: datetime,
    timezone: str,
    last_sent: datetime | None,
    sent_today: int,
) -> tuple[datetime, str] | None:
    """When and why the target must wait, or ``None`` if it may send one post now."""
    quiet = quiet_until(target, now, timezone)
    if quiet is not None:
        return quiet, f"quiet hours until {quiet.astimezone(ZoneInfo(timezone)):%Y-%m-%d %H:%M %Z}"
    if target.max_per_day is not None and sent_today >= target.max_per_day:
        tomorrow = start_of_day(now, timezone) + timedelta(days=1)
        tomorrow = start_of_day(tomorrow + timedelta(hours=2), timezone)  # DST-safe next midnight
        return tomorrow, f"daily cap of {target.max_per_day} reached; next post after midnight"
    if target.min_interval and last_sent is not None:
        earliest = last_sent + target.min_interval
        if earliest > now:
            return earliest, f"min_interval: next post at {earliest:%Y-%m-%d %H:%M:%S} UTC"
    return None
