"""Mastodon (and API-compatible servers): one status per article, with the lead image.

Plain ``requests`` rather than Mastodon.py: the adapter needs three endpoints, exact
control of the ``Idempotency-Key`` header and of how every error status maps onto the
engine's kinds (Mastodon.py raises its own exception tree and retries on its own
schedule), and one dependency less for every install.

Idempotent: the delivery key is sent as ``Idempotency-Key``, which Mastodon remembers
for an hour and answers with the first status, so a resend cannot post twice. The
limit is per instance (``max_characters``); the content warning counts toward it.
"""

from __future__ import annotations

import logging
import time
from typing import Any, Literal

import requests
from pydantic import Field, field_validator

from syndicator.adapter import Adapter, AdapterOptions, Target
from syndicator.errors import RateLimited
from syndicator.models import Article, Media, Post, Receipt

from ._common import (
    compose,
    lead_picture,
    make_session,
    media_data,
    raise_for_status,
    retry_at_from_headers,
    send,
)

log = logging.getLogger(__name__)

PLATFORM = "Mastodon"
DEFAULT_TEMPLATE = "{title}\n\n{summary}\n\n{url} {hashtags}"
MAX_IMAGE_BYTES = 16 * 1024 * 1024  # image_size_limit of a stock instance
MAX_ALT = 1500  # media description limit
MEDIA_POLLS = 10  # 202 = still processing (video, large images): wait up to ~10 s


class MastodonOptions(AdapterOptions):
    #: The instance's base URL, e.g. https://mastodon.social
    instance: str
    visibility: Literal["public", "unlisted", "private", "direct"] = "public"
    #: ISO 639 code; default: the article's own language.
    language: str | None = None
    #: Shown before the post is expanded (``spoiler_text``); counts toward the limit.
    content_warning: str | None = None
    #: The instance's limit (``configuration.statuses.max_characters``).
    max_characters: int = Field(500, ge=50)
    #: Overrides ``instance`` for the API calls.
    base_url: str | None = None

    @field_validator("instance", "base_url")
    @classmethod
    def _http_url(cls, value: str | None) -> str | None:
        if value is not None and not value.startswith(("http://", "https://")):
            raise ValueError(f"expected an http(s):// URL, got {value!r}")
        return value.rstrip("/") if value else value


class MastodonAdapter(Adapter):
    rule = "mastodon"
    idempotent = True
    Options = MastodonOptions
    secrets = frozenset({"access_token"})
    required_secrets = frozenset({"access_token"})

    def __init__(self, target: Target) -> None:
        super().__init__(target)
        self._session: requests.Session | None = None

    def render(self, article: Article) -> Post:
        from syndicator.text import measure

        warning = self.options.content_warning or ""
        # Mastodon counts spoiler_text + text against one limit; the CW is never cut.
        budget = self.options.max_characters - (measure(warning, "mastodon") if warning else 0)
        fitted = compose(
            article, self.target, rule="mastodon", default_template=DEFAULT_TEMPLATE, limit=budget
        )
        picture = lead_picture(article, max_bytes=MAX_IMAGE_BYTES)
        media: tuple[Media, ...] = ()
        if picture is not None:
            alt = article.title[:MAX_ALT]
            media = (Media(picture.filename, picture.mime, picture.data, alt=alt),)
        language = self.options.language or _primary_language(article.language)
        return Post(
            target=self.target.name,
            adapter="mastodon",
            text=fitted.text,
            rule="mastodon",
            length=fitted.length,
            limit=fitted.limit,
            media=media,
            link=article.url,
            title=article.title,
            extra={
                "visibility": self.options.visibility,
                "language": language,
                "spoiler_text": warning,
            },
        )

    def publish(self, post: Post, *, key: str) -> Receipt:
        media_ids = [self._upload(medium) for medium in post.media]
        status: dict[str, Any] = {
            "status": post.text,
            "visibility": post.extra.get("visibility", self.options.visibility),
        }
        if post.extra.get("language"):
            status["language"] = post.extra["language"]
        if post.extra.get("spoiler_text"):
            status["spoiler_text"] = post.extra["spoiler_text"]
        if media_ids:
            status["media_ids"] = media_ids
        response = self._call(
            "POST", "/api/v1/statuses", json=status, headers={"Idempotency-Key": key}
        )
        body = response.json()
        log.info("Mastodon status %s posted", body.get("id"))
        return Receipt(remote_id=str(body["id"]), remote_url=str(body.get("url") or body["uri"]))

    def verify(self) -> str:
        account = self._call("GET", "/api/v1/accounts/verify_credentials").json()
        return f"@{account['acct']} on {self.options.instance}"

    def close(self) -> None:
        if self._session is not None:
            self._session.close()
            self._session = None

    def _upload(self, medium: Media) -> str:
        """Upload one attachment; wait while the server is still processing it (202)."""
        files = {"file": (medium.filename, media_data(medium), medium.mime)}
        response = self._call(
            "POST", "/api/v2/media", files=files, data={"description": medium.alt}
        )
        attachment = response.json()
        media_id = str(attachment["id"])
        polls = 0
        while response.status_code == 202 and not attachment.get("url") and polls < MEDIA_POLLS:
            time.sleep(1.0)
            polls += 1
            response = self._call("GET", f"/api/v1/media/{media_id}")
            attachment = response.json() if response.status_code == 200 else attachment
        return media_id

    def _call(
        self, method: str, path: str, *, headers: dict[str, str] | None = None, **kwargs: Any
    ) -> requests.Response:
        if self._session is None:
            self._session = make_session()
        root = self.options.base_url or self.options.instance
        headers = {
            **(headers or {}),
            "Authorization": f"Bearer {self.target.secret('access_token')}",
        }
        response = send(
            self._session, method, root + path, platform=PLATFORM, headers=headers, **kwargs
        )
        if response.status_code >= 400:
            _raise_mastodon_error(response)
        return response


def _raise_mastodon_error(response: requests.Response) -> None:
    """Mastodon explains errors as ``{"error": "..."}``. On 429 the reset header is the
    exact moment the window reopens, so it wins over the rounder ``Retry-After``."""
    try:
        body = response.json()
    except ValueError:
        body = None
    message = str(body.get("error") or "") if isinstance(body, dict) else ""
    try:
        raise_for_status(response, platform=PLATFORM, message=message)
    except RateLimited as exc:
        reset = response.headers.get("X-RateLimit-Reset")
        exact = retry_at_from_headers({"X-RateLimit-Reset": reset}) if reset else None
        if exact is not None:
            exc.retry_at = exact
        raise


def _primary_language(tag: str | None) -> str | None:
    """``zh-CN`` -> ``zh``: Mastodon takes an ISO 639 code, not a full BCP 47 tag."""
    if not tag:
        return None
    primary = tag.replace("_", "-").split("-", 1)[0].lower()
    return primary if primary.isalpha() and 2 <= len(primary) <= 3 else None
