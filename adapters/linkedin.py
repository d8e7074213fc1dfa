"""LinkedIn (Posts API): an article share on an organization Page.

learn.microsoft.com/linkedin/marketing/community-management/shares/posts-api:
``POST /rest/posts`` with ``LinkedIn-Version: YYYYMM`` and
``X-Restli-Protocol-Version: 2.0.0``; ``author`` an organization (or person) URN;
``content.article`` with ``source``, ``title``, ``description`` and a ``thumbnail``
image URN, since the API does not scrape the URL. The thumbnail is uploaded first
(images-api: ``POST /rest/images?action=initializeUpload``, then a PUT of the bytes
to the ``uploadUrl`` it answers). The new post's URN comes in ``x-restli-id``.

``commentary`` is "little text": reserved characters are backslash-escaped when sent
(``syndicator.text.measure.escape_little_text``), and the rule ``linkedin`` counts the
escaped text against the 3,000 limit. Versions are retired monthly a year after
release; a retired or unknown one answers 426 ``NONEXISTENT_VERSION``, reported as a
config error on the ``version`` key. Not idempotent; ``find_existing`` lists the
author's recent posts (``q=author``) and looks for the article's link.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import quote

import requests
from pydantic import Field

from syndicator.adapter import Adapter, AdapterOptions, Target
from syndicator.errors import AlreadyPosted, AuthFailed, RateLimited, Rejected, Transient
from syndicator.models import Article, Media, Post, Receipt
from syndicator.secrets import redact

from ._common import (
    compose,
    json_object,
    lead_picture,
    make_session,
    media_data,
    raise_for_status,
    receipt,
    retry_at_from_headers,
    send,
)

log = logging.getLogger(__name__)

PLATFORM = "linkedin"
DEFAULT_TEMPLATE = "{title}\n\n{summary}\n\n{url} {hashtags}"
DEFAULT_VERSION = "202607"
MAX_THUMBNAIL_BYTES = 5 * 1024 * 1024
TITLE_LIMIT, DESCRIPTION_LIMIT = 200, 300  # article card fields, kept short
RECENT_POSTS = 20


class LinkedInOptions(AdapterOptions):
    #: The author: "urn:li:organization:<id>" (a Page) or "urn:li:person:<id>".
    author: str = Field(pattern=r"^urn:li:(organization|person):[A-Za-z0-9_-]+$")
    #: The LinkedIn-Version header (YYYYMM): versions are retired a year after release.
    version: str = Field(DEFAULT_VERSION, pattern=r"^[0-9]{6}(\.[0-9]{2})?$")
    #: Our own cap on the commentary (LinkedIn's is 3,000).
    limit: int | None = Field(None, ge=100, le=3000)
    base_url: str = Field("https://api.linkedin.com", pattern=r"^https?://")


class LinkedInAdapter(Adapter):
    rule = "linkedin"
    Options = LinkedInOptions
    secrets = frozenset({"access_token"})
    required_secrets = secrets
    #: The Posts API's per-member daily quota ("150 requests per day").
    max_per_day = 150

    def __init__(self, target: Target) -> None:
        super().__init__(target)
        self._session: requests.Session | None = None

    @property
    def _options(self) -> LinkedInOptions:
        return self.options

    def render(self, article: Article) -> Post:
        from syndicator.text import summarize, truncate

        fitted = compose(
            article,
            self.target,
            rule="linkedin",
            default_template=DEFAULT_TEMPLATE,
            limit=self._options.limit,
        )
        thumbnail = lead_picture(article, max_bytes=MAX_THUMBNAIL_BYTES)
        description = summarize(article.summary or article.text, DESCRIPTION_LIMIT)
        return Post(
            target=self.target.name,
            adapter="linkedin",
            text=fitted.text,
            rule="linkedin",
            length=fitted.length,
            limit=fitted.limit,
            media=(thumbnail,) if thumbnail else (),
            link=article.url,
            title=article.title,
            extra={
                "title": truncate(article.title, TITLE_LIMIT),
                "description": description,
            },
        )

    def publish(self, post: Post, *, key: str) -> Receipt:
        from syndicator.text.measure import escape_little_text

        article: dict[str, Any] = {
            "source": post.link,
            "title": post.extra.get("title") or post.title,
        }
        if post.extra.get("description"):
            article["description"] = post.extra["description"]
        if post.media:
            article["thumbnail"] = self._upload(post.media[0])
        body = {
            "author": self._options.author,
            "commentary": escape_little_text(post.text),
            "visibility": "PUBLIC",
            "distribution": {
                "feedDistribution": "MAIN_FEED",
                "targetEntities": [],
                "thirdPartyDistributionChannels": [],
            },
            "content": {"article": article},
            "lifecycleState": "PUBLISHED",
            "isReshareDisabledByAuthor": False,
        }
        response = self._call("POST", "/rest/posts", json=body)
        urn = response.headers.get("x-restli-id") or str(json_object(response).get("id") or "")
        if not urn:
            raise Transient("linkedin: POST /rest/posts answered without x-restli-id")
        log.info("LinkedIn post %s created", redact(urn))
        return receipt(remote_id=urn, remote_url=post_url(urn))

    def _upload(self, image: Media) -> str:
        """initializeUpload, then the bytes to the upload URL; the image URN."""
        answer = self._call(
            "POST",
            "/rest/images?action=initializeUpload",
            json={"initializeUploadRequest": {"owner": self._options.author}},
        )
        value = json_object(answer).get("value") or {}
        upload_url, urn = str(value.get("uploadUrl") or ""), str(value.get("image") or "")
        if not upload_url or not urn:
            raise Transient("linkedin: initializeUpload answered without uploadUrl or image")
        if not self._trusted_upload_url(upload_url):
            raise Transient("linkedin: initializeUpload answered an upload URL off LinkedIn")
        put = send(
            self._session_(),
            "PUT",
            upload_url,
            platform=PLATFORM,
            data=media_data(image),
            headers={
                "Authorization": f"Bearer {self.target.secret('access_token')}",
                "Content-Type": image.mime,
            },
        )
        if put.status_code >= 400:
            _raise_linkedin(put, self._options.version, self.target.name)
        return urn

    def _trusted_upload_url(self, url: str) -> bool:
        """The token goes with the upload, so only to LinkedIn (or the configured API
        host, for a proxy or a test server), never where an answer points."""
        from urllib.parse import urlsplit

        parts, api = urlsplit(url), urlsplit(self._options.base_url)
        if (parts.scheme, parts.netloc.lower()) == (api.scheme, api.netloc.lower()):
            return True
        host = (parts.hostname or "").lower()
        return parts.scheme == "https" and (
            host == "linkedin.com" or host.endswith(".linkedin.com")
        )

    def find_existing(self, post: Post, *, key: str) -> Receipt | None:
        """The author's newest posts (finder ``q=author``), searched for the link."""
        author = quote(self._options.author, safe="")
        response = self._call(
            "GET",
            f"/rest/posts?author={author}&q=author&count={RECENT_POSTS}&sortBy=LAST_MODIFIED",
            headers={"X-RestLi-Method": "FINDER"},
        )
        for element in json_object(response).get("elements") or []:
            if not isinstance(element, dict):
                continue
            article = ((element.get("content") or {}).get("article")) or {}
            if article.get("source") == post.link:
                urn = str(element.get("id") or "")
                return receipt(remote_id=urn, remote_url=post_url(urn))
        return None

    def verify(self) -> str:
        kind, _, number = self._options.author.rpartition(":")
        if kind.endswith("organization"):
            org = json_object(self._call("GET", f"/rest/organizations/{number}"))
            return f"organization {org.get('localizedName') or number}"
        me = json_object(self._call("GET", "/v2/userinfo"))
        return f"member {me.get('name') or number}"

    def close(self) -> None:
        if self._session is not None:
            self._session.close()
            self._session = None

    def _session_(self) -> requests.Session:
        if self._session is None:
            self._session = make_session()
        return self._session

    def _call(
        self, method: str, path: str, *, headers: dict[str, str] | None = None, **kwargs: Any
    ) -> requests.Response:
        options = self._options
        headers = {
            **(headers or {}),
            "Authorization": f"Bearer {self.target.secret('access_token')}",
            "LinkedIn-Version": options.version,
            "X-Restli-Protocol-Version": "2.0.0",
        }
        response = send(
            self._session_(),
            method,
            options.base_url.rstrip("/") + path,
            platform=PLATFORM,
            headers=headers,
            **kwargs,
        )
        if response.status_code >= 400:
            _raise_linkedin(response, options.version, self.target.name)
        return response


def post_url(urn: str) -> str:
    return f"https://www.linkedin.com/feed/update/{urn}/"


def _raise_linkedin(response: requests.Response, version: str, target: str) -> None:
    """LinkedIn's error body: ``{"status", "serviceErrorCode", "code", "message"}``."""
    body = json_object(response)
    message = redact(str(body.get("message") or ""))
    code = str(body.get("code") or "")
    status = response.status_code
    text = f"linkedin answered HTTP {status}: {message or code or 'no message'}"
    if status == 426 or code == "NONEXISTENT_VERSION":
        raise Rejected(
            f"targets.{target}.version: LinkedIn-Version {version!r} is not active "
            f"({message or code}); set a current version (YYYYMM)",
            platform_message=message,
        )
    if status == 401:
        raise AuthFailed(text + ": renew the access_token", platform_message=message)
    if status == 403:
        raise AuthFailed(text + ": the token or app lacks a permission", platform_message=message)
    if status == 422 and "duplicate" in message.lower():
        urn = next((w.strip(".,") for w in message.split() if w.startswith("urn:li:")), "")
        raise AlreadyPosted(text, remote_id=urn, remote_url=post_url(urn) if urn else "")
    if status == 429:
        # LinkedIn's quotas are daily and reset at midnight UTC; it sends no Retry-After.
        retry_at = retry_at_from_headers(response.headers) or _next_utc_midnight()
        raise RateLimited(text, retry_at=retry_at, platform_message=message)
    raise_for_status(response, platform=PLATFORM, message=message)


def _next_utc_midnight() -> datetime:
    now = datetime.now(UTC)
    return (now + timedelta(days=1)).replace(hour=0, minute=0, second=0, microsecond=0)
