"""The value types of config keys and the rule each one checks: durations (always a
string with its unit), time zones, loopback addresses, CSS selectors and RE2
patterns compiled once at load, so ``syndicator check`` reports what would
otherwise fail at the first poll. Each rule raises ``ValueError`` with a message
for the person editing the file; ``syndicator.problems`` adds the key path."""

from __future__ import annotations

import functools
from collections.abc import Callable
from datetime import timedelta
from typing import Annotated, Any

from pydantic import AfterValidator, BeforeValidator, Field

from syndicator.durations import format_duration, parse_duration

__all__ = [
    "MIN_EVERY",
    "CssSelector",
    "Duration",
    "Every",
    "HttpUrl",
    "LoopbackAddress",
    "Name",
    "Pattern",
    "Zone",
    "backfill_count",
    "checked",
    "known_zone",
    "loopback_address",
]


def known_zone(value: str) -> str:
    from zoneinfo import ZoneInfo

    try:
        ZoneInfo(value)
    except Exception:
        raise ValueError(
            f"unknown time zone {value!r} (use an IANA name like Asia/Shanghai)"
        ) from None
    return value


def loopback_address(value: str) -> tuple[str, int]:
    """``"127.0.0.1:9300"`` -> ``("127.0.0.1", 9300)``. Only loopback: the metrics
    endpoint has no authentication, so it must not listen where others can reach it."""
    import ipaddress

    host, sep, port = value.rpartition(":")
    host = host.strip("[]")
    if host == "localhost":
        host = "127.0.0.1"
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        address = None
    if not sep or not port.isdigit() or int(port) > 65535 or address is None:
        raise ValueError(f"expected HOST:PORT like 127.0.0.1:9300, got {value!r}")
    if not address.is_loopback:
        raise ValueError(f"must be a loopback address (127.0.0.1 or ::1), got {value!r}")
    return host, int(port)


def backfill_count(first_run: str) -> int:
    """``"baseline"`` -> 0, ``"backfill:N"`` -> N."""
    if first_run == "baseline":
        return 0
    prefix, _, count = first_run.partition(":")
    if prefix == "backfill" and count.isdigit():
        return int(count)
    raise ValueError(f"expected 'baseline' or 'backfill:N', got {first_run!r}")


def _http_url(value: str) -> None:
    if not value.startswith(("http://", "https://")):
        raise ValueError(f"expected an http:// or https:// URL, got {value!r}")


@functools.lru_cache(maxsize=4096)
def _re2_pattern(value: str) -> None:
    from syndicator.patterns import compile_re2

    compile_re2(value)  # ValueError with RE2's reason; RE2 prints nothing itself


MIN_EVERY = timedelta(seconds=10)


def _duration(value: object) -> timedelta:
    """A duration as written in TOML: always a string with its unit. ``every = 600``
    is refused rather than guessed (seconds? minutes?)."""
    if isinstance(value, timedelta):
        return value
    if not isinstance(value, str):
        raise ValueError(
            f'expected a duration string with a unit like "90s", "10m" or "1h30m", got {value!r}'
        )
    return parse_duration(value)


def _at_least_every(value: timedelta) -> timedelta:
    if value < MIN_EVERY:
        raise ValueError(
            f"must be at least {format_duration(MIN_EVERY)} (a site is not polled more often)"
        )
    return value


@functools.lru_cache(maxsize=4096)
def _css(value: str) -> str:
    """Compiled to prove it valid; a config repeats a few selectors over many
    sources, and compiling is most of a big config's load, so each is done once."""
    from syndicator.sources.listpage import compile_selector

    compile_selector(value)  # ValueError naming the selector
    return value


def checked(check: Callable[[Any], object]) -> AfterValidator:
    """A field rule from a function that raises ``ValueError`` on a bad value."""

    def run(value: Any) -> Any:
        check(value)
        return value

    return AfterValidator(run)


Duration = Annotated[timedelta, BeforeValidator(_duration)]
CssSelector = Annotated[str, AfterValidator(_css)]
Pattern = Annotated[str, checked(_re2_pattern)]
Zone = Annotated[str, checked(known_zone)]
Name = Annotated[str, Field(min_length=1)]
Every = Annotated[Duration, AfterValidator(_at_least_every)]
HttpUrl = Annotated[str, checked(_http_url)]
LoopbackAddress = Annotated[str, checked(loopback_address)]
