"""Matrix: one ``m.notice`` (or ``m.text``) event per article in a room.

Idempotent by the protocol itself: the homeserver treats a second
``PUT .../send/m.room.message/{txnId}`` with the same transaction id (per access
token) as a retransmission and answers with the first event's id, so the delivery key
is the txnId and a resend after a crash can never post twice.

The whole event must stay under 65,536 bytes of canonical JSON, envelope and
signatures included; the body has no character limit of its own. ``render`` therefore
fits with the "plain" rule and then shrinks until the content leaves room for the
envelope. ``m.notice`` is the default because clients must never auto-reply to it,
which keeps bots from answering each other.
"""

from __future__ import annotations

import html
import json
import logging
from datetime import UTC, datetime, timedelta
from typing import Any, Literal
from urllib.parse import quote

import requests
from pydantic import field_validator

from syndicator.adapter import Adapter, AdapterOptions, Target
from syndicator.errors import RateLimited, Rejected
from syndicator.models import Article, Post, Receipt

from ._common import compose, make_session, raise_for_status, send

log = logging.getLogger(__name__)

PLATFORM = "Matrix"
DEFAULT_TEMPLATE = "{title}\n\n{summary}\n\n{url} {hashtags}"
MAX_EVENT_BYTES = 65_536
#: What the homeserver adds around our content (ids, prev/auth events, hashes,
#: signatures, unsigned); generous, so a fitted post is never refused for size.
ENVELOPE_BYTES = 4_096
CONTENT_BUDGET = MAX_EVENT_BYTES - ENVELOPE_BYTES


class MatrixOptions(AdapterOptions):
    #: The homeserver's client-API base URL, e.g. https://matrix.example.org
    homeserver: str
    #: A room id (``!abc:server``) or an alias (``#news:server``).
    room: str
    msgtype: Literal["m.notice", "m.text"] = "m.notice"
    #: Overrides ``homeserver`` for the API calls (a proxy, a test server).
    base_url: str | None = None

    @field_validator("homeserver", "base_url")
    @classmethod
    def _http_url(cls, value: str | None) -> str | None:
        if value is not None and not value.startswith(("http://", "https://")):
            raise ValueError(f"expected an http(s):// URL, got {value!r}")
        return value.rstrip("/") if value else value

    @field_validator("room")
    @classmethod
    def _room(cls, value: str) -> str:
        # Room ids of room version 12 have no ":server" part; aliases always do.
        if not (value.startswith("!") and len(value) > 1) and not (
            value.startswith("#") and ":" in value
        ):
            raise ValueError(f"expected a room id '!id' or an alias '#name:server', got {value!r}")
        return value


class MatrixAdapter(Adapter):
    rule = "plain"
    idempotent = True
    Options = MatrixOptions
    secrets = frozenset({"access_token"})
    required_secrets = frozenset({"access_token"})

    def __init__(self, target: Target) -> None:
        super().__init__(target)
        self._session: requests.Session | None = None
        self._room_id: str | None = None

    # -- render ------------------------------------------------------------------

    def render(self, article: Article) -> Post:
        limit: int | None = None
        for _ in range(8):
            fitted = compose(
                article, self.target, rule="plain", default_template=DEFAULT_TEMPLATE, limit=limit
            )
            content = event_content(fitted.text, article.title, article.url, self.options.msgtype)
            size = content_bytes(content)
            if size <= CONTENT_BUDGET:
                break
            # Shrink in proportion (HTML escaping makes some characters cost more).
            limit = max(1, int(fitted.length * CONTENT_BUDGET / size * 0.95))
        else:
            raise Rejected(f"{PLATFORM}: cannot fit the article into one event")
        return Post(
            target=self.target.name,
            adapter="matrix",
            text=fitted.text,
            rule="plain",
            length=fitted.length,
            limit=fitted.limit,
            link=article.url,
            title=article.title,
            extra={"content": content},
        )

    def with_text(self, post: Post, text: str) -> Post:
        from dataclasses import replace

        edited = super().with_text(post, text)
        content = event_content(text, post.title, post.link, self.options.msgtype)
        return replace(edited, extra={**post.extra, "content": content})

    # -- publish -----------------------------------------------------------------

    def publish(self, post: Post, *, key: str) -> Receipt:
        content = post.extra.get("content") or event_content(
            post.text, post.title, post.link, self.options.msgtype
        )
        room_id = self.room_id()
        path = (
            f"/_matrix/client/v3/rooms/{quote(room_id, safe='')}"
            f"/send/m.room.message/{quote(key, safe='')}"
        )
        response = self._call("PUT", path, json=content)
        event_id = str(response.json()["event_id"])
        log.info("Matrix event %s sent to %s", event_id, room_id)
        return Receipt(remote_id=event_id, remote_url=permalink(room_id, event_id))

    def room_id(self) -> str:
        """The configured room as a room id, resolving an alias once per adapter."""
        if self._room_id is None:
            room = self.options.room
            if room.startswith("!"):
                self._room_id = room
            else:
                path = f"/_matrix/client/v3/directory/room/{quote(room, safe='')}"
                self._room_id = str(self._call("GET", path).json()["room_id"])
        return self._room_id

    def verify(self) -> str:
        user = self._call("GET", "/_matrix/client/v3/account/whoami").json()["user_id"]
        return f"{user} on {self.options.homeserver}"

    def close(self) -> None:
        if self._session is not None:
            self._session.close()
            self._session = None

    def _call(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        if self._session is None:
            self._session = make_session()
        root = self.options.base_url or self.options.homeserver
        headers = {"Authorization": f"Bearer {self.target.secret('access_token')}"}
        response = send(
            self._session, method, root + path, platform=PLATFORM, headers=headers, **kwargs
        )
        if response.status_code >= 400:
            _raise_matrix_error(response)
        return response


def event_content(text: str, title: str, url: str, msgtype: str) -> dict[str, Any]:
    """The ``m.room.message`` content: the plain body plus an HTML body where the title
    is bold and the link is a link."""
    return {
        "msgtype": msgtype,
        "body": text,
        "format": "org.matrix.custom.html",
        "formatted_body": to_html(text, title=title, url=url),
    }


def to_html(text: str, *, title: str, url: str) -> str:
    """Escape ``text`` as HTML, bold the first occurrence of the title, link every
    occurrence of the URL; blank lines become paragraphs, single newlines ``<br>``."""
    spans: list[tuple[int, int, str]] = []
    title = " ".join(title.split())  # as fitting writes it: on one line
    if title and (start := text.find(title)) >= 0:
        spans.append((start, start + len(title), "title"))
    if url:
        start = text.find(url)
        while start >= 0:
            end = start + len(url)
            if not any(s < end and start < e for s, e, _ in spans):
                spans.append((start, end, "url"))
            start = text.find(url, end)
    spans.sort()
    pieces: list[str] = []
    position = 0
    for start, end, kind in spans:
        pieces.append(_escape_lines(text[position:start]))
        if kind == "title":
            pieces.append(f"<strong>{_escape_lines(text[start:end])}</strong>")
        else:
            pieces.append(f'<a href="{html.escape(url)}">{html.escape(text[start:end])}</a>')
        position = end
    pieces.append(_escape_lines(text[position:]))
    body = "".join(pieces)
    paragraphs = [p for p in body.split("<br><br>") if p.strip()]
    return "".join(f"<p>{p.strip()}</p>" for p in paragraphs)


def _escape_lines(text: str) -> str:
    return html.escape(text).replace("\r\n", "\n").replace("\n", "<br>")


def content_bytes(content: dict[str, Any]) -> int:
    """Size of the content as it sits in the event's canonical JSON (UTF-8, compact)."""
    return len(json.dumps(content, ensure_ascii=False, separators=(",", ":")).encode("utf-8"))


def permalink(room_id: str, event_id: str) -> str:
    return f"https://matrix.to/#/{quote(room_id, safe='!:')}/{quote(event_id, safe='$')}"


def _raise_matrix_error(response: requests.Response) -> None:
    """Matrix errors are ``{"errcode": "M_...", "error": "..."}``; the rate-limit answer
    says when in ``Retry-After`` (v1.10+) or the older ``retry_after_ms``."""
    try:
        body = response.json()
    except ValueError:
        body = {}
    if not isinstance(body, dict):
        body = {}
    errcode = str(body.get("errcode") or "")
    message = f"{errcode}: {body.get('error') or ''}".strip(": ") if errcode else ""
    if response.status_code == 429:
        try:
            raise_for_status(response, platform=PLATFORM, message=message)
        except RateLimited as exc:
            milliseconds = body.get("retry_after_ms")
            if exc.retry_at is None and isinstance(milliseconds, int | float):
                exc.retry_at = datetime.now(UTC) + timedelta(milliseconds=milliseconds)
            raise
    raise_for_status(response, platform=PLATFORM, message=message)
