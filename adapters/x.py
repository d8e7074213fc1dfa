"""X (Twitter) API v2: ``POST /2/tweets`` with OAuth 1.0a user context.

OAuth 1.0a (RFC 5849) is signed here with the standard library: the whole scheme is a
percent-encoding rule, a sorted parameter string and one HMAC-SHA1, and doing it
ourselves keeps a heavy dependency out for forty lines. JSON and multipart bodies are
not part of the signature (RFC 5849 §3.4.1.3.1: only form-urlencoded bodies are).

A picture goes first to ``POST /2/media/upload`` (one-shot multipart upload, images
≤ 5 MB), then its id into ``{"text": ..., "media": {"media_ids": [...]}}``.
X counts text with twitter-text's weighted length (rule "x": CJK 2, URLs 23).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import logging
import secrets
import time
from collections.abc import Iterable
from typing import Any, Literal
from urllib.parse import parse_qsl, quote, urlsplit, urlunsplit

from syndicator_adapters._common import (
    compose,
    json_object,
    lead_picture,
    make_session,
    media_data,
    raise_for_status,
    receipt,
    send,
)

from syndicator.adapter import Adapter, AdapterOptions, Target
from syndicator.errors import AlreadyPosted, AuthFailed, Rejected, Transient
from syndicator.models import Article, Post, Receipt
from syndicator.secrets import redact

log = logging.getLogger(__name__)

DEFAULT_TEMPLATE = "{title}\n\n{summary}\n\n{url} {hashtags}"
MAX_PICTURE_BYTES = 5 * 1024 * 1024


def percent_encode(value: str) -> str:
    """RFC 5849 §3.6: UTF-8, then every byte but ALPHA / DIGIT / "-._~" escaped."""
    return quote(value.encode("utf-8"), safe="-._~")


def signature_base_string(method: str, url: str, parameters: Iterable[tuple[str, str]]) -> str:
    """RFC 5849 §3.4.1: method, base string URI, normalized parameters."""
    parts = urlsplit(url)
    scheme, host = parts.scheme.lower(), (parts.hostname or "").lower()
    default_port = {"http": 80, "https": 443}.get(scheme)
    netloc = host if parts.port in (None, default_port) else f"{host}:{parts.port}"
    base_uri = urlunsplit((scheme, netloc, parts.path or "/", "", ""))
    encoded = sorted((percent_encode(k), percent_encode(v)) for k, v in parameters)
    normalized = "&".join(f"{k}={v}" for k, v in encoded)
    return "&".join(percent_encode(p) for p in (method.upper(), base_uri, normalized))


def hmac_sha1_signature(base_string: str, consumer_secret: str, token_secret: str) -> str:
    """RFC 5849 §3.4.2: key = encoded consumer secret & encoded token secret."""
    key = f"{percent_encode(consumer_secret)}&{percent_encode(token_secret)}"
    digest = hmac.new(key.encode(), base_string.encode(), hashlib.sha1).digest()
    return base64.b64encode(digest).decode()


def oauth1_header(
    method: str,
    url: str,
    *,
    consumer_key: str,
    consumer_secret: str,
    token: str,
    token_secret: str,
    extra_params: Iterable[tuple[str, str]] = (),
    nonce: str | None = None,
    timestamp: int | None = None,
) -> str:
    """The ``Authorization: OAuth ...`` header for one request. ``extra_params`` are
    the query (and form-urlencoded body) parameters; the URL's own query is included."""
    oauth = {
        "oauth_consumer_key": consumer_key,
        "oauth_nonce": nonce or secrets.token_hex(16),
        "oauth_signature_method": "HMAC-SHA1",
        "oauth_timestamp": str(int(time.time()) if timestamp is None else timestamp),
        "oauth_token": token,
        "oauth_version": "1.0",
    }
    query = parse_qsl(urlsplit(url).query, keep_blank_values=True)
    base = signature_base_string(method, url, [*oauth.items(), *query, *extra_params])
    oauth["oauth_signature"] = hmac_sha1_signature(base, consumer_secret, token_secret)
    return "OAuth " + ", ".join(f'{k}="{percent_encode(v)}"' for k, v in sorted(oauth.items()))


class XOptions(AdapterOptions):
    base_url: str = "https://api.x.com"
    #: Where ``/2/media/upload`` lives, when not on ``base_url``.
    upload_url: str | None = None
    picture: Literal["lead", "none"] = "lead"


class XAdapter(Adapter):
    rule = "x"
    Options = XOptions
    secrets = frozenset({"api_key", "api_secret", "access_token", "access_secret"})
    required_secrets = secrets

    def __init__(self, target: Target) -> None:
        super().__init__(target)
        self._session = make_session()

    @property
    def _options(self) -> XOptions:
        return self.options

    def render(self, article: Article) -> Post:
        fitted = compose(article, self.target, rule="x", default_template=DEFAULT_TEMPLATE)
        picture = (
            lead_picture(article, max_bytes=MAX_PICTURE_BYTES)
            if self._options.picture == "lead"
            else None
        )
        return Post(
            target=self.target.name,
            adapter="x",
            text=fitted.text,
            rule="x",
            length=fitted.length,
            limit=fitted.limit,
            media=(picture,) if picture else (),
            link=article.url,
            title=article.title,
        )

    def _auth(self, method: str, url: str) -> dict[str, str]:
        target = self.target
        return {
            "Authorization": oauth1_header(
                method,
                url,
                consumer_key=target.secret("api_key"),
                consumer_secret=target.secret("api_secret"),
                token=target.secret("access_token"),
                token_secret=target.secret("access_secret"),
            )
        }

    def _call(self, method: str, url: str, **kwargs: Any) -> dict[str, Any]:
        response = send(
            self._session, method, url, platform="x", headers=self._auth(method, url), **kwargs
        )
        data = json_object(response)
        _raise_for_x(response, data)
        return data

    def publish(self, post: Post, *, key: str) -> Receipt:
        body: dict[str, Any] = {"text": post.text}
        if post.media:
            media_ids = [self._upload(media) for media in post.media[:4]]
            body["media"] = {"media_ids": media_ids}
        data = self._call("POST", self._options.base_url.rstrip("/") + "/2/tweets", json=body)
        post_id = str((data.get("data") or {}).get("id") or "")
        if not post_id:
            raise Transient("x: POST /2/tweets answered without a post id")
        return receipt(remote_id=post_id, remote_url=f"https://x.com/i/web/status/{post_id}")

    def _upload(self, media: Any) -> str:
        root = (self._options.upload_url or self._options.base_url).rstrip("/")
        data = self._call(
            "POST",
            root + "/2/media/upload",
            files={"media": (media.filename, media_data(media), media.mime)},
            data={"media_category": "tweet_image"},
        )
        media_id = str((data.get("data") or {}).get("id") or "")
        if not media_id:
            raise Transient("x: media upload answered without a media id")
        return media_id

    def verify(self) -> str:
        data = self._call("GET", self._options.base_url.rstrip("/") + "/2/users/me")
        user = data.get("data") or {}
        return f"@{user.get('username')} ({user.get('name')})"

    def close(self) -> None:
        self._session.close()


def _raise_for_x(response: Any, data: dict[str, Any]) -> None:
    """X's problem documents: ``{"title", "detail", "type", "status"}``; 403 is
    either the duplicate-content refusal (the post is already there) or a policy."""
    status = response.status_code
    if status < 400:
        return
    detail = str(data.get("detail") or data.get("title") or "")
    raw_errors = data.get("errors")
    errors: list[Any] = raw_errors if isinstance(raw_errors, list) else []
    messages = [
        str(e.get("message") or e.get("detail") or "") for e in errors[:3] if isinstance(e, dict)
    ]
    detail = redact("; ".join(m for m in [detail, *messages] if m))
    if status == 403 and "duplicate" in detail.lower():
        raise AlreadyPosted(f"x answered HTTP 403: {detail}")
    if status == 401:
        raise AuthFailed(
            f"x answered HTTP 401: {detail or 'Unauthorized'}", platform_message=detail
        )
    if status == 403:
        raise Rejected(f"x answered HTTP 403: {detail}", platform_message=detail)
    raise_for_status(response, platform="x", message=detail, auth_statuses=(401,))
