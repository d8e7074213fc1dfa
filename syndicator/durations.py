"""Durations and daily time windows as written in config files ("90s", "1h30m", "23:00-07:00")."""

from __future__ import annotations

import re
from datetime import time, timedelta

_UNITS = {"ms": 0.001, "s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}
_PART = re.compile(r"(\d+(?:\.\d+)?)(ms|s|m|h|d|w)")
_WINDOW = re.compile(r"^\s*(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})\s*$")


def parse_duration(value: str | int | float | timedelta) -> timedelta:
    """Parse ``"90s"``, ``"10m"``, ``"2h"``, ``"1d"`` or ``"1h30m"``; a bare number is
    seconds. Raises ``ValueError`` with the accepted forms, for the config error."""
    if isinstance(value, timedelta):
        return value
    if isinstance(value, bool):
        raise ValueError("expected a duration like 90s, 10m, 2h or 1d")
    if isinstance(value, int | float):
        if value < 0:
            raise ValueError("a duration cannot be negative")
        return timedelta(seconds=value)
    text = str(value).strip().lower().replace(" ", "")
    position, seconds = 0, 0.0
    for match in _PART.finditer(text):
        if match.start() != position:
            break
        seconds += float(match.group(1)) * _UNITS[match.group(2)]
        position = match.end()
    if not text or position != len(text):
        raise ValueError(f"expected a duration like 90s, 10m, 2h or 1d, got {value!r}")
    return timedelta(seconds=seconds)


def format_duration(delta: timedelta) -> str:
    """The inverse of ``parse_duration``, for messages: ``1h30m``, ``45s``."""
    seconds = int(delta.total_seconds())
    if seconds <= 0:
        return "0s"
    parts = []
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60), ("s", 1)):
        count, seconds = divmod(seconds, size)
        if count:
            parts.append(f"{count}{unit}")
    return "".join(parts)


def parse_window(value: str) -> tuple[time, time]:
    """Parse a daily window ``"23:00-07:00"`` (it may cross midnight)."""
    match = _WINDOW.match(value)
    if not match:
        raise ValueError(f"expected a time window like 23:00-07:00, got {value!r}")
    h1, m1, h2, m2 = (int(g) for g in match.groups())
    if h1 > 23 or h2 > 23 or m1 > 59 or m2 > 59:
        raise ValueError(f"expected hours 00-23 and minutes 00-59, got {value!r}")
    return time(h1, m1), time(h2, m2)


def in_window(now: time, window: tuple[time, time]) -> bool:
    """True when ``now`` falls inside the window; a window crossing midnight wraps."""
    start, end = window
    if start <= end:
        return start <= now < end
    return now >= start or now < end
