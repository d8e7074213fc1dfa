"""Bluesky (AT Protocol): one ``app.bsky.feed.post`` record per article, with link
facets and a link card we build ourselves (Bluesky does no server-side unfurling and
no auto-linking: a URL without a facet is plain text, a post without an embed has no
card).

Idempotent through the record key: the ``rkey`` is a valid TID derived from the
delivery key alone, so a retry writes to the same record path, which the PDS refuses
to create twice; the adapter then reads the record back and reports it as sent.

Sessions are expensive (createSession is limited to a few dozen per five minutes and
about a hundred a day per handle), so the session is kept in the target's shared
cache, refreshed with ``refreshSession`` when the access token expires, and created
again only when the refresh token is no good either.
"""

from __future__ import annotations

import hashlib
import json
import logging
from datetime import UTC, datetime
from typing import Any

import requests
from pydantic import field_validator

from syndicator.adapter import Adapter, AdapterOptions, Target
from syndicator.errors import AuthFailed, PublishError, RateLimited
from syndicator.models import Article, Media, Post, Receipt
from syndicator.secrets import remember

from ._common import compose, lead_picture, make_session, media_data, raise_for_status, send

log = logging.getLogger(__name__)

PLATFORM = "Bluesky"
COLLECTION = "app.bsky.feed.post"
DEFAULT_TEMPLATE = "{title}\n\n{summary}\n\n{url} {hashtags}"
MAX_THUMB_BYTES = 1_000_000  # app.bsky.embed.external#external.thumb maxSize
CARD_DESCRIPTION_GRAPHEMES = 300
SESSION_TTL = 30 * 24 * 3600.0  # refresh tokens live longer; a stale one falls back
_AUTH_ERRORS = {"ExpiredToken", "InvalidToken", "AuthenticationRequired", "AccountTakedown"}

_TID_ALPHABET = "234567abcdefghijklmnopqrstuvwxyz"  # base32-sortable
_TID_EPOCH_US = 1_672_531_200_000_000  # 2023-01-01T00:00:00Z
_TID_SPAN_US = 2**46  # about 2.2 years after that


def tid_from_key(key: str) -> str:
    """A valid TID (13 base32-sortable characters: 53 bits of microseconds since the
    Unix epoch and a 10-bit clock id) derived from ``key`` alone, so every attempt of
    one delivery targets the same record. The time lies in 2023-2025: old enough never
    to look like a future post, recent enough to be plausible."""
    digest = int.from_bytes(hashlib.sha256(key.encode("utf-8")).digest()[:8], "big")
    micros = _TID_EPOCH_US + (digest >> 10) % _TID_SPAN_US
    value = (micros << 10) | (digest & 0x3FF)
    return "".join(_TID_ALPHABET[(value >> (5 * i)) & 31] for i in range(12, -1, -1))


class BlueskyOptions(AdapterOptions):
    #: The account's PDS or entryway.
    service: str = "https://bsky.social"
    #: The account's handle, e.g. news.example.edu (used to log in and in post URLs).
    handle: str
    #: Overrides ``service`` for the API calls.
    base_url: str | None = None

    @field_validator("service", "base_url")
    @classmethod
    def _http_url(cls, value: str | None) -> str | None:
        if value is not None and not value.startswith(("http://", "https://")):
            raise ValueError(f"expected an http(s):// URL, got {value!r}")
        return value.rstrip("/") if value else value

    @field_validator("handle")
    @classmethod
    def _handle(cls, value: str) -> str:
        value = value.strip().removeprefix("@")
        if "." not in value or " " in value:
            raise ValueError(f"expected a handle like 'news.example.edu', got {value!r}")
        return value


class BlueskyAdapter(Adapter):
    rule = "bluesky"
    idempotent = True
    Options = BlueskyOptions
    secrets = frozenset({"app_password"})
    required_secrets = frozenset({"app_password"})

    def __init__(self, target: Target) -> None:
        super().__init__(target)
        self._http: requests.Session | None = None

    # -- render ------------------------------------------------------------------

    def render(self, article: Article) -> Post:
        from syndicator.text import bluesky_facets, graphemes

        fitted = compose(article, self.target, rule="bluesky", default_template=DEFAULT_TEMPLATE)
        description = " ".join((article.summary or article.text).split())
        clusters = graphemes(description)
        if len(clusters) > CARD_DESCRIPTION_GRAPHEMES:
            description = "".join(clusters[: CARD_DESCRIPTION_GRAPHEMES - 1]).rstrip() + "…"
        picture = lead_picture(article, max_bytes=MAX_THUMB_BYTES)
        media: tuple[Media, ...] = ()
        if picture is not None:
            media = (Media(picture.filename, picture.mime, picture.data, alt=article.title),)
        return Post(
            target=self.target.name,
            adapter="bluesky",
            text=fitted.text,
            rule="bluesky",
            length=fitted.length,
            limit=fitted.limit,
            media=media,
            link=article.url,
            title=article.title,
            extra={
                "facets": bluesky_facets(fitted.text),
                "langs": [article.language] if article.language else [],
                "card": {"uri": article.url, "title": article.title, "description": description},
            },
        )

    def with_text(self, post: Post, text: str) -> Post:
        from dataclasses import replace

        from syndicator.text import bluesky_facets

        edited = super().with_text(post, text)
        return replace(edited, extra={**post.extra, "facets": bluesky_facets(text)})

    # -- publish -----------------------------------------------------------------

    def publish(self, post: Post, *, key: str) -> Receipt:
        rkey = tid_from_key(key)
        record: dict[str, Any] = {
            "$type": COLLECTION,
            "text": post.text,
            "createdAt": datetime.now(UTC)
            .isoformat(timespec="milliseconds")
            .replace("+00:00", "Z"),
        }
        if post.extra.get("facets"):
            record["facets"] = post.extra["facets"]
        if post.extra.get("langs"):
            record["langs"] = post.extra["langs"][:3]
        card = dict(post.extra.get("card") or {})
        if card:
            if post.media:
                card["thumb"] = self._upload(post.media[0])
            record["embed"] = {"$type": "app.bsky.embed.external", "external": card}
        session = self._session()
        body = {"repo": session["did"], "collection": COLLECTION, "rkey": rkey, "record": record}
        try:
            created = self._xrpc("POST", "com.atproto.repo.createRecord", json=body).json()
        except (RateLimited, AuthFailed):
            raise
        except PublishError:
            # Already there from an earlier attempt? The PDS refuses a second create
            # at the same path (with an error, even a 500): look before failing.
            existing = self.find_existing(post, key=key)
            if existing is not None:
                log.info("Bluesky record %s already existed (a retry)", existing.remote_id)
                return existing
            raise
        return self._receipt(str(created["uri"]), rkey)

    def find_existing(self, post: Post, *, key: str) -> Receipt | None:
        rkey = tid_from_key(key)
        params = {"repo": self._session()["did"], "collection": COLLECTION, "rkey": rkey}
        response = self._xrpc("GET", "com.atproto.repo.getRecord", params=params, check=False)
        if response.status_code == 400 and _error_name(response) == "RecordNotFound":
            return None
        _raise_xrpc_error(response)
        return self._receipt(str(response.json()["uri"]), rkey)

    def verify(self) -> str:
        session = self._create_session()
        return f"@{session['handle']} ({session['did']}) on {self.options.service}"

    def close(self) -> None:
        if self._http is not None:
            self._http.close()
            self._http = None

    def _receipt(self, uri: str, rkey: str) -> Receipt:
        handle = self._session().get("handle") or self.options.handle
        return Receipt(remote_id=uri, remote_url=f"https://bsky.app/profile/{handle}/post/{rkey}")

    def _upload(self, medium: Media) -> dict[str, Any]:
        headers = {"Content-Type": medium.mime}
        response = self._xrpc(
            "POST", "com.atproto.repo.uploadBlob", data=media_data(medium), headers=headers
        )
        return dict(response.json()["blob"])

    # -- sessions and calls ------------------------------------------------------

    @property
    def _cache_key(self) -> str:
        return f"bluesky-session:{self.options.handle}"

    def _session(self) -> dict[str, str]:
        cached = self.target.cache.get(self._cache_key)
        if cached:
            session = dict(json.loads(cached))
            _remember_tokens(session)
            return session
        return self._create_session()

    def _create_session(self) -> dict[str, str]:
        body = {"identifier": self.options.handle, "password": self.target.secret("app_password")}
        response = self._raw("POST", "com.atproto.server.createSession", json=body)
        _raise_xrpc_error(response)
        return self._store(response.json())

    def _refresh(self, session: dict[str, str]) -> dict[str, str]:
        """A new token pair from the refresh token; a new session if that fails too."""
        headers = {"Authorization": f"Bearer {session['refreshJwt']}"}
        response = self._raw("POST", "com.atproto.server.refreshSession", headers=headers)
        if response.status_code == 200:
            return self._store({**session, **response.json()})
        log.info("Bluesky refresh refused (%s); logging in again", _error_name(response))
        return self._create_session()

    def _store(self, answer: dict[str, Any]) -> dict[str, str]:
        session = {k: str(answer[k]) for k in ("accessJwt", "refreshJwt", "did", "handle")}
        _remember_tokens(session)
        self.target.cache.put(self._cache_key, json.dumps(session), ttl_seconds=SESSION_TTL)
        return session

    def _xrpc(
        self, method: str, nsid: str, *, check: bool = True, **kwargs: Any
    ) -> requests.Response:
        """An authenticated call; an expired token is refreshed (a revoked one replaced
        by a new session) and the call made once more."""
        extra_headers = kwargs.pop("headers", {})
        session = self._session()
        for attempt in (1, 2):
            headers = {**extra_headers, "Authorization": f"Bearer {session['accessJwt']}"}
            response = self._raw(method, nsid, headers=headers, **kwargs)
            error = _error_name(response) if response.status_code in (400, 401) else ""
            if attempt == 1 and error == "ExpiredToken":
                session = self._refresh(session)
            elif attempt == 1 and error in ("InvalidToken", "AuthenticationRequired"):
                session = self._create_session()
            else:
                break
        if check:
            _raise_xrpc_error(response)
        return response

    def _raw(self, method: str, nsid: str, **kwargs: Any) -> requests.Response:
        if self._http is None:
            self._http = make_session()
        root = self.options.base_url or self.options.service
        return send(self._http, method, f"{root}/xrpc/{nsid}", platform=PLATFORM, **kwargs)


def _remember_tokens(session: dict[str, str]) -> None:
    """Session tokens are secrets too: make ``redact`` hide them from logs and errors."""
    for name in ("accessJwt", "refreshJwt"):
        if session.get(name):
            remember(session[name])


def _error_name(response: requests.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        return ""
    return str(body.get("error") or "") if isinstance(body, dict) else ""


def _raise_xrpc_error(response: requests.Response) -> None:
    """XRPC errors are ``{"error": Name, "message": text}``; token errors come as 400
    and still mean the credentials, not the post, are at fault."""
    if response.status_code < 400:
        return
    try:
        body = response.json()
    except ValueError:
        body = None
    name = message = ""
    if isinstance(body, dict):
        name, message = str(body.get("error") or ""), str(body.get("message") or "")
    detail = f"{name}: {message}" if name and message else name or message
    statuses = (400, 401, 403) if name in _AUTH_ERRORS else (401, 403)
    raise_for_status(response, platform=PLATFORM, message=detail, auth_statuses=statuses)
