"""Dates as news sites write them, read in the site's time zone when naive."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from syndicator.sources.dates import find_labelled_date, parse_date


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("release date :2020-02-09 04:07:00  |   [ close window ]ViewCount:", (2020, 2, 8, 20, 7)),
        ("发布时间：2024年01月04日", (2024, 1, 3, 16, 0)),
        ("2024年1月4日 10:30", (2024, 1, 4, 2, 30)),
        ("Sun, 09 Feb 2020 04:07:00 +0800", (2020, 2, 8, 20, 7)),
        ("Sun, 09 Feb 2020 04:07:00 GMT", (2020, 2, 9, 4, 7)),
        ("2020-02-09T04:07:00Z", (2020, 2, 9, 4, 7)),
        ("2020/02/09 04:07", (2020, 2, 8, 20, 7)),
        ("Feb 7th, 2020", (2020, 2, 6, 16, 0)),
    ],
)
def test_site_dates_parse_in_the_site_time_zone(text: str, expected: tuple[int, ...]) -> None:
    assert parse_date(text, timezone="Asia/Shanghai") == datetime(*expected, tzinfo=UTC)


def test_naive_dates_default_to_utc() -> None:
    assert parse_date("2020-02-09 04:07:00") == datetime(2020, 2, 9, 4, 7, tzinfo=UTC)


@pytest.mark.parametrize("text", ["", "no date here", "2020-13-45", "9999-01-01"])
def test_non_dates_give_none(text: str) -> None:
    assert parse_date(text) is None


def test_unknown_time_zone_is_named() -> None:
    with pytest.raises(ValueError, match="unknown time zone 'Mars/Olympus'"):
        parse_date("2020-02-09 04:07", timezone="Mars/Olympus")


def test_labelled_date_is_found_in_page_text() -> None:
    text = "HOME > News\nTitle 2019\n浏览次数 2021\n发布日期：2023-05-06 08:00\nBody mentions 2010-01-01."
    assert find_labelled_date(text, timezone="Asia/Shanghai") == datetime(
        2023, 5, 6, 0, 0, tzinfo=UTC
    )


RFC822 = [
    "Sun, 09 Feb 2020 04:07:00 +0800",
    "Sun, 09 Feb 2020 04:07:00 -0000",
    "Sun, 09 Feb 2020 04:07:00 +0000",
    "Sun, 09 Feb 2020 04:07:00 GMT",
    "Sun, 9 Feb 2020 04:07 UT",
    "09 Feb 2020 04:07:00 -0530",
    "Sun, 09 feb 2020 23:59:59 Z",
    "Mon, 01 Jan 2024 00:00:00 UTC",
    "Sun, 31 Feb 2020 04:07:00 +0800",  # no such day
    "Sun, 09 Feb 2020 25:07:00 +0800",  # no such hour
    "Sun, 09 Foo 2020 04:07:00 +0800",  # no such month
    "Sun, 09 Feb 2020 04:07:00 EST",  # named zones: email.utils' own reading
    "Sun, 09 Feb 20 04:07:00 +0800",  # two-digit year: the same
]


@pytest.mark.parametrize("text", RFC822)
def test_rfc822_dates_read_without_email_utils_as_email_utils_reads_them(text: str) -> None:
    from email.utils import parsedate_to_datetime

    from syndicator.sources.dates import _rfc822

    try:
        expected = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        expected = None
    got = _rfc822(text)
    assert got == expected
    assert (got and got.utcoffset()) == (expected and expected.utcoffset())
