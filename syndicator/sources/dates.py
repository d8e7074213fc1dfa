"""Publication dates as news sites write them, into aware UTC datetimes.

Feeds use RFC 822 or ISO 8601; article pages of Chinese sites write
"release date :2020-02-09 04:07:00" or "发布时间：2024年01月04日" in the text. A date
without an offset is read in the site's own time zone (the source's ``timezone``),
because a naive "04:07" on a Beijing site is Beijing time, not UTC.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta, tzinfo
from datetime import timezone as fixed_offset
from email.utils import parsedate_to_datetime
from functools import lru_cache

__all__ = ["find_labelled_date", "parse_date", "zone"]

_MIN_YEAR, _MAX_YEAR = 1990, 2100

# 2020-02-09 04:07:00, 2020/2/9, 2020.02.09, 2024年01月04日 10:30, with an optional offset.
_NUMERIC = re.compile(
    r"(?P<y>\d{4})\s*[-/.年]\s*(?P<m>\d{1,2})\s*[-/.月]\s*(?P<d>\d{1,2})\s*日?"
    r"(?:(?:\s*|T|\s*[,，]\s*)(?P<H>\d{1,2})\s*[:：时]\s*(?P<M>\d{1,2})"
    r"(?:\s*[:：分]\s*(?P<S>\d{1,2})(?:\.\d+)?\s*秒?)?)?"
    r"\s*(?P<tz>Z|[+-]\d{2}:?\d{2}|UTC|GMT)?(?![\d])"
)
_MONTHS = {
    name: number
    for number, names in enumerate(
        [
            ("jan", "january"),
            ("feb", "february"),
            ("mar", "march"),
            ("apr", "april"),
            ("may",),
            ("jun", "june"),
            ("jul", "july"),
            ("aug", "august"),
            ("sep", "sept", "september"),
            ("oct", "october"),
            ("nov", "november"),
            ("dec", "december"),
        ],
        start=1,
    )
    for name in names
}
_MONTH_WORD = r"(?P<mon>[A-Za-z]{3,9})\.?"
_ENGLISH = re.compile(
    rf"(?:{_MONTH_WORD}\s+(?P<d1>\d{{1,2}})(?:st|nd|rd|th)?,?\s+(?P<y1>\d{{4}})"
    rf"|(?P<d2>\d{{1,2}})(?:st|nd|rd|th)?\s+(?P<mon2>[A-Za-z]{{3,9}})\.?,?\s+(?P<y2>\d{{4}}))",
)
_LABELLED = re.compile(
    r"(?:release\s*date|publish(?:ed)?(?:\s*(?:date|time|on))?|posted(?:\s*on)?|date"
    r"|发布时间|发布日期|发表时间|时间|日期|来源时间)\s*[:：]?\s*",
    re.I,
)


@lru_cache(maxsize=64)
def zone(name: str) -> tzinfo:
    """The IANA zone ``name``; a ValueError naming it when it does not exist."""
    if name.upper() == "UTC":
        return UTC
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError  # 16 ms a UTC site never needs

    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError(f"unknown time zone {name!r} (expected an IANA name)") from exc


def _finish(value: datetime, timezone: str) -> datetime | None:
    if not _MIN_YEAR <= value.year <= _MAX_YEAR:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=zone(timezone))
    return value.astimezone(UTC)


def _offset(text: str | None) -> tzinfo | None:
    if not text:
        return None
    if text in ("Z", "UTC", "GMT"):
        return UTC
    sign = -1 if text[0] == "-" else 1
    digits = text[1:].replace(":", "")
    return fixed_offset(sign * timedelta(hours=int(digits[:2]), minutes=int(digits[2:])))


def _numeric(match: re.Match[str]) -> datetime | None:
    try:
        return datetime(
            int(match["y"]),
            int(match["m"]),
            int(match["d"]),
            int(match["H"] or 0),
            int(match["M"] or 0),
            int(match["S"] or 0),
            tzinfo=_offset(match["tz"]),
        )
    except ValueError:
        return None


def _english(match: re.Match[str]) -> datetime | None:
    month = _MONTHS.get((match["mon"] or match["mon2"] or "").lower())
    if month is None:
        return None
    try:
        return datetime(int(match["y1"] or match["y2"]), month, int(match["d1"] or match["d2"]))
    except ValueError:
        return None


def _rfc822(text: str) -> datetime | None:
    """``text`` as an RFC 822 date, or None: aware with a numeric offset or GMT,
    naive for "-0000" (no zone given)."""
    try:
        return parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None


def parse_date(value: str | None, *, timezone: str = "UTC") -> datetime | None:
    """Read a date written in any of the usual ways; ``None`` when there is none.

    Tries RFC 822 ("Sun, 09 Feb 2020 04:07:00 +0800"), ISO 8601, then the first
    numeric or English date found anywhere in ``value`` (so a whole line such as
    "release date :2020-02-09 04:07:00 | [ close window ]" works). A date without
    an offset is in ``timezone``; the result is always in UTC.
    """
    if not value:
        return None
    text = value.strip()[:300]
    if not text:
        return None
    if text[:3].isalpha() or (text[:2].strip().isdigit() and " " in text[:6]):
        parsed = _rfc822(text)
        if parsed is not None:
            # RFC 2822 says "-0000" means "no zone information": that is the site's zone.
            if parsed.tzinfo is not None and text.rstrip().endswith("-0000"):
                parsed = parsed.replace(tzinfo=None)
            return _finish(parsed, timezone)
    try:
        return _finish(datetime.fromisoformat(text), timezone)
    except ValueError:
        pass
    match = _NUMERIC.search(text)
    found = _numeric(match) if match else None
    if found is None and (english := _ENGLISH.search(text)):
        found = _english(english)
    return _finish(found, timezone) if found else None


def find_labelled_date(text: str, *, timezone: str = "UTC") -> datetime | None:
    """The first date that follows a label ("release date :", "发布时间：", "Posted on")
    in a page's text: the last resort for pages without date metadata."""
    for label in _LABELLED.finditer(text):
        candidate = text[label.end() : label.end() + 40]
        match = _NUMERIC.match(candidate)
        found = _numeric(match) if match else None
        if found is None and (english := _ENGLISH.match(candidate)):
            found = _english(english)
        if found is not None and (result := _finish(found, timezone)):
            return result
    return None
