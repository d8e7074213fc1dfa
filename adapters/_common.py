"""Pieces every HTTP platform adapter needs: a session with timeouts, the post text
built from the target's template, and the translation of HTTP answers into the
engine's error kinds. Platform-specific rules stay in each adapter's own module."""

from __future__ import annotations

import io
import logging
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

import requests

from syndicator.adapter import Target
from syndicator.errors import AuthFailed, RateLimited, Rejected, Transient
from syndicator.models import Article, Media, Receipt
from syndicator.retry_after import retry_after_moment, seconds_or_epoch
from syndicator.secrets import RedactingFilter, redact, shorten

from ._site import site_label

log = logging.getLogger(__name__)

USER_AGENT = "syndicator/0.1 (news syndication)"
TIMEOUT = (5.0, 30.0)  # connect, read


def make_session() -> requests.Session:
    _redact_urllib3_logs()
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
            "source": site_label(article),
            "date": article.published.date().isoformat() if article.published else "",
        },
    )


def retry_at_from_headers(
    headers: Mapping[str, str], *, now: datetime | None = None
) -> datetime | None:
    """When a 429/503 says we may try again: ``Retry-After`` (seconds or an HTTP date),
    else an ``X-RateLimit-Reset``-style epoch or ISO time. A malformed value counts as
    not said (the engine then backs off), never as an error."""
    lowered = {k.lower(): v for k, v in headers.items()}
    moment = retry_after_moment(lowered.get("retry-after"), now=now)
    if moment is not None:
        return moment
    for name in ("x-rate-limit-reset", "x-ratelimit-reset", "ratelimit-reset"):
        moment = seconds_or_epoch(lowered.get(name), now=now)
        if moment is not None:
            return moment
    return None


def json_object(response: requests.Response) -> dict[str, Any]:
    """The response's JSON object, or ``{}`` when the body is not one (platforms answer
    errors with HTML pages or plain text too)."""
    try:
        data = response.json()
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


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
    detail = shorten(message, 300) if message else _short_body(response)
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
    """The start of an error body worth keeping, redacted before it is cut."""
    try:
        body = response.text
    except Exception:
        return ""
    return shorten(body, 300)


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


def _redact_urllib3_logs() -> None:
    """urllib3 logs every request line at DEBUG, path included: a bot token or a
    webhook URL would reach the logs whatever handler is attached, so the secrets are
    scrubbed at the logger itself."""
    logger = logging.getLogger("urllib3.connectionpool")
    if not any(isinstance(f, RedactingFilter) for f in logger.filters):
        logger.addFilter(RedactingFilter())


_IMAGE_TYPES = {"JPEG": "image/jpeg", "PNG": "image/png", "GIF": "image/gif"}


def lead_picture(article: Article, *, max_bytes: int, max_side: int = 4096) -> Media | None:
    """The article's lead image (already downloaded by the engine) as an attachment
    under ``max_bytes``: sent as it is when it is a JPEG/PNG/GIF that fits, else
    re-encoded as JPEG, smaller until it fits. Reads only the local file, so it is
    safe in ``render``; a missing or undecodable image gives ``None`` (post without)."""
    path = article.image_path
    if path is None:
        return None
    from PIL import Image, ImageOps

    try:
        data = path.read_bytes()
        with Image.open(io.BytesIO(data)) as image:
            kind = image.format or ""
            if kind in _IMAGE_TYPES and len(data) <= max_bytes and max(image.size) <= max_side:
                image.verify()
                return Media(f"{path.stem}.{kind.lower()}", _IMAGE_TYPES[kind], data, article.title)
            image.load()
            picture = ImageOps.exif_transpose(image).convert("RGB")
    except (OSError, SyntaxError, ValueError, Image.DecompressionBombError) as exc:
        log.warning("lead image %s not attached: %s", path, exc)
        return None
    picture.thumbnail((max_side, max_side))
    for quality in (90, 80, 70, 55, 40):
        buffer = io.BytesIO()
        picture.save(buffer, "JPEG", quality=quality, optimize=True)
        if buffer.tell() <= max_bytes:
            return Media(f"{path.stem}.jpg", "image/jpeg", buffer.getvalue(), article.title)
        picture.thumbnail((picture.width * 3 // 4, picture.height * 3 // 4))
    log.warning("lead image %s not attached: cannot fit it under %d bytes", path, max_bytes)
    return None


def media_data(media: Media) -> bytes:
    """The attachment's bytes: in memory after ``render``, on disk after a reload."""
    if media.data:
        return media.data
    if media.path is not None:
        return media.path.read_bytes()
    return b""


def top_of_next_hour(now: datetime | None = None) -> datetime:
    """When an hourly quota window (Weibo's 10022-10024) opens again."""
    now = now or datetime.now(UTC)
    return now.replace(minute=0, second=0, microsecond=0) + timedelta(hours=1)


def receipt(remote_id: str = "", remote_url: str = "", detail: str = "") -> Receipt:
    """A receipt built from a platform's answer, scrubbed: a hostile or buggy server
    may echo the request (token and all) into the fields we keep in the post log."""
    return Receipt(
        remote_id=redact(remote_id), remote_url=redact(remote_url), detail=redact(detail)
    )
