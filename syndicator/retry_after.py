"""Reading ``Retry-After``: one helper for the sources (a site asking to be polled
later) and the adapters (a platform's 429 or 503).

The header is delta-seconds or an HTTP date (RFC 9110 section 10.2.3). Whatever a
server sends, the answer is a wait or ``None``, never an exception: a malformed value
must not crash the code that was about to honour a rate limit. A wait is capped at
``MAX_WAIT`` so a broken or hostile server cannot pause a source or a target for years.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime

__all__ = ["MAX_WAIT", "retry_after_moment", "retry_after_seconds", "seconds_or_epoch"]

MAX_WAIT = timedelta(days=1)
_NUMBER = re.compile(r"\d{1,15}(?:\.\d{1,9})?")


def retry_after_seconds(value: str | None, *, now: datetime | None = None) -> float | None:
    """Seconds to wait (0 for a date in the past), or ``None`` when the header is
    absent or malformed."""
    if value and _NUMBER.fullmatch(value.strip()):
        return min(MAX_WAIT.total_seconds(), float(value))
    now = now or datetime.now(UTC)
    moment = retry_after_moment(value, now=now)
    if moment is None:
        return None
    return max(0.0, (moment - now).total_seconds())


def retry_after_moment(value: str | None, *, now: datetime | None = None) -> datetime | None:
    """When the server says we may try again, or ``None`` when it does not say
    (absent or malformed)."""
    if not value:
        return None
    now = now or datetime.now(UTC)
    text = value.strip()
    if _NUMBER.fullmatch(text):
        return now + min(MAX_WAIT, timedelta(seconds=float(text)))
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return min(when, now + MAX_WAIT)


def seconds_or_epoch(value: str | None, *, now: datetime | None = None) -> datetime | None:
    """An ``X-RateLimit-Reset``-style value: an epoch time (a large number), a number
    of seconds from now (a small one, as the IETF draft has it) or an ISO time;
    ``None`` when malformed. Not capped: a platform names the end of the account's
    own window (a day at most, in practice)."""
    if not value:
        return None
    now = now or datetime.now(UTC)
    text = value.strip()
    if _NUMBER.fullmatch(text):
        number = float(text)
        if number > 1e9:
            return datetime.fromtimestamp(number, UTC)
        return now + timedelta(seconds=number)
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
