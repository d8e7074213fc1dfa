"""Pieces every HTTP platform adapter needs: a session with timeouts, the post text
built from the target's template, and the translation of HTTP answers into the
engine's error kinds. Platform-specific rules stay in each adapter's own module."""

from __future__ import annotations

import email.utils
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

import requests

from syndicator.adapter import Target
from syndicator.errors import AuthFailed, RateLimited, Rejected, Transient
from syndicator.models import Article
from syndicator.secrets import redact

USER_AGENT = "syndicator/0.1 (news syndication)"
TIMEOUT = (5.0, 30.0)  # connect, read


def make_session() -> requests.Session:
    session = requests.Session()
    session.headers["User-Agent"] = USER_AGENT
    return session


def compose(
    article: Article,
    target: Target,
    *,
    rule: str,
    default_template: str,
    hashtag_style: str = "hash",
    limit: int | None = None,
) -> Any:
    """Fill the target's template for ``rule`` (see ``syndicator.text.fit``)."""
    from syndicator.text import fit, format_hashtags

    tags = format_hashtags([*target.hashtags, *article.categories], hashtag_style)
    return fit(
        target.template or default_template,
        title=article.title,
        url=article.url,
        summary=article.text or article.summary,
        hashtags=tags,
        rule=rule,
        limit=limit,
        extra={
            "source": article.site_name or article.source,
            "date": article.published.date().isoformat() if article.published else "",
        },
    )


def retry_at_from_headers(
    headers: Mapping[str, str], *, now: datetime | None = None
) -> datetime | None:
    """When a 429/503 says we may try again: ``Retry-After`` (seconds or an HTTP date),
    else an ``X-RateLimit-Reset``-style epoch or ISO time."""
    now = now or datetime.now(UTC)
    lowered = {k.lower(): v for k, v in headers.items()}
    value = lowered.get("retry-after")
    if value:
        value = value.strip()
        try:
            return now + timedelta(seconds=float(value))
        except ValueError:
            parsed = email.utils.parsedate_to_datetime(value) if value else None
            if parsed is not None:
                return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
    for name in ("x-rate-limit-reset", "x-ratelimit-reset", "ratelimit-reset"):
        value = lowered.get(name)
        if not value:
            continue
        try:
            number = float(value)
        except ValueError:
            try:
                moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
                return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
            except ValueError:
                continue
        # An epoch time is large; a small number is "seconds from now" (IETF draft).
        return (
            datetime.fromtimestamp(number, UTC) if number > 1e9 else now + timedelta(seconds=number)
        )
    return None


def raise_for_status(
    response: requests.Response,
    *,
    platform: str,
    message: str = "",
    auth_statuses: Sequence[int] = (401, 403),
) -> None:
    """Map an HTTP error status onto the engine's kinds; ``message`` is the platform's
    own explanation when the caller has parsed one from the body."""
    status = response.status_code
    if status < 400:
        return
    detail = redact(message or _short_body(response))
    text = f"{platform} answered HTTP {status}: {detail}"
    if status == 429:
        raise RateLimited(
            text, retry_at=retry_at_from_headers(response.headers), platform_message=detail
        )
    if status in auth_statuses:
        raise AuthFailed(text, platform_message=detail)
    if status >= 500 or status in (408, 425):
        raise Transient(text, platform_message=detail)
    raise Rejected(text, platform_message=detail)


def _short_body(response: requests.Response) -> str:
    try:
        body = response.text
    except Exception:
        return ""
    return " ".join(body.split())[:300]


def send(
    session: requests.Session, method: str, url: str, *, platform: str, **kwargs: Any
) -> requests.Response:
    """One HTTP call; network failures become ``Transient`` without leaking the URL
    (webhook URLs and bot tokens are secrets that live in URLs)."""
    kwargs.setdefault("timeout", TIMEOUT)
    try:
        return session.request(method, url, **kwargs)
    except requests.RequestException as exc:
        raise Transient(redact(f"{platform}: network error: {type(exc).__name__}")) from None
