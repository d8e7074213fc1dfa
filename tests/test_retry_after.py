"""One Retry-After reader for sources and adapters: a wait or "not said", never an
exception, whatever the server sends."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from syndicator_adapters._common import retry_at_from_headers

from syndicator.retry_after import MAX_WAIT, retry_after_moment, retry_after_seconds
from syndicator.sources.responses import parse_retry_after

NOW = datetime(2026, 11, 20, 2, 0, tzinfo=UTC)

MALFORMED = [
    "",
    "   ",
    "soon",
    "-5",
    "1e9",
    "inf",
    "nan",
    "12 seconds",
    "Fri, 31 Feb 2026 25:61:00 GMT",
    "Wed, 21 Oct",
    "99999999999999999999999999",
    "0x10",
    "\x00",
]


@pytest.mark.parametrize("value", MALFORMED)
def test_a_malformed_value_is_not_said_rather_than_an_error(value: str) -> None:
    assert retry_after_seconds(value, now=NOW) is None
    assert retry_after_moment(value, now=NOW) is None
    assert parse_retry_after(value) is None


@pytest.mark.parametrize("value", MALFORMED)
def test_an_adapter_falls_back_to_the_reset_header_or_to_backoff(value: str) -> None:
    assert retry_at_from_headers({"Retry-After": value}, now=NOW) is None
    reset = retry_at_from_headers({"Retry-After": value, "x-rate-limit-reset": "60"}, now=NOW)
    assert reset == NOW + timedelta(seconds=60)


def test_seconds_and_http_dates_are_read() -> None:
    assert retry_after_seconds("120", now=NOW) == 120.0
    assert retry_after_seconds(" 1.5 ", now=NOW) == 1.5
    assert retry_after_moment("Fri, 20 Nov 2026 02:05:00 GMT", now=NOW) == NOW + timedelta(
        minutes=5
    )
    assert retry_after_seconds("Fri, 20 Nov 2026 02:05:00 GMT", now=NOW) == 300.0
    assert retry_after_seconds("Thu, 19 Nov 2026 02:05:00 GMT", now=NOW) == 0.0  # past


def test_a_wait_is_capped_so_a_server_cannot_pause_for_years() -> None:
    assert retry_after_seconds("31536000", now=NOW) == MAX_WAIT.total_seconds()
    assert retry_after_moment("Sat, 20 Nov 2100 02:05:00 GMT", now=NOW) == NOW + MAX_WAIT


def test_a_malformed_reset_header_is_ignored_too() -> None:
    for value in ("soon", "inf", "2026-13-45"):
        assert retry_at_from_headers({"X-RateLimit-Reset": value}, now=NOW) is None
    epoch = retry_at_from_headers({"ratelimit-reset": "1900000000"}, now=NOW)
    assert epoch == datetime.fromtimestamp(1_900_000_000, UTC)
