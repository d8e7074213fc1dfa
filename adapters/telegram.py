"""Telegram Bot API: ``sendMessage``, or ``sendPhoto`` with a caption.

The bot token is part of every URL (``/bot<token>/<method>``), so it is the secret most
likely to leak: every network error goes through ``_common.send`` (which never prints a
URL), every message through ``redact``, and urllib3's request log is scrubbed.

Text is sent with ``parse_mode=HTML``. Telegram counts the limit *after* entity
parsing (4096 for a message, 1024 for a caption, in UTF-16 units), so the plain text is
fitted first and then escaped: ``&amp;`` costs one character on Telegram's side, and
every ``<``, ``>``, ``&`` from a title or summary is escaped, never taken for markup.
"""

from __future__ import annotations

import html
import logging
from datetime import UTC, datetime, timedelta
from typing import Any, Literal

from pydantic import field_validator
from syndicator_adapters._common import (
    compose,
    lead_picture,
    make_session,
    media_data,
    receipt,
    send,
)

from syndicator.adapter import Adapter, AdapterOptions, Target
from syndicator.errors import AuthFailed, RateLimited, Rejected, Transient
from syndicator.models import Article, Post, Receipt
from syndicator.secrets import redact

log = logging.getLogger(__name__)

DEFAULT_TEMPLATE = "{title}\n\n{summary}\n\n{url} {hashtags}"
MAX_PHOTO_BYTES = 10 * 1024 * 1024


class TelegramOptions(AdapterOptions):
    #: "@channelusername" or a numeric chat id; the bot must be allowed to post there.
    chat_id: str | int
    picture: Literal["lead", "none"] = "lead"
    disable_preview: bool = False
    base_url: str = "https://api.telegram.org"

    @field_validator("chat_id")
    @classmethod
    def _chat(cls, value: str | int) -> str:
        value = str(value).strip()
        if not value or not (value.startswith("@") or value.lstrip("-").isdigit()):
            raise ValueError("expected '@channelusername' or a numeric chat id")
        return value


def to_html(text: str, title: str) -> str:
    """Escape the fitted plain text for ``parse_mode=HTML``; a title that opens the
    text is set in bold."""
    escaped = html.escape(text, quote=False)
    head = html.escape(title, quote=False)
    if title and escaped.startswith(head):
        return f"<b>{head}</b>{escaped[len(head) :]}"
    return escaped


def message_url(chat_id: str, message_id: str) -> str:
    """The public link of a message: ``t.me/<channel>/<id>`` for a public channel,
    ``t.me/c/<internal id>/<id>`` for a private supergroup or channel (members only)."""
    if chat_id.startswith("@"):
        return f"https://t.me/{chat_id[1:]}/{message_id}"
    if chat_id.startswith("-100"):
        return f"https://t.me/c/{chat_id[4:]}/{message_id}"
    return ""


class TelegramAdapter(Adapter):
    rule = "telegram"
    Options = TelegramOptions
    secrets = frozenset({"bot_token"})
    required_secrets = frozenset({"bot_token"})

    def __init__(self, target: Target) -> None:
        super().__init__(target)
        self._session = make_session()

    @property
    def _options(self) -> TelegramOptions:
        return self.options

    def render(self, article: Article) -> Post:
        picture = (
            lead_picture(article, max_bytes=MAX_PHOTO_BYTES)
            if self._options.picture == "lead"
            else None
        )
        rule = "telegram_caption" if picture else "telegram"
        fitted = compose(article, self.target, rule=rule, default_template=DEFAULT_TEMPLATE)
        return Post(
            target=self.target.name,
            adapter="telegram",
            text=to_html(fitted.text, article.title),
            rule=rule,
            # The length Telegram checks: the text after HTML entities are parsed.
            length=fitted.length,
            limit=fitted.limit,
            media=(picture,) if picture else (),
            extra={"parse_mode": "HTML"},
            link=article.url,
            title=article.title,
        )

    def _call(self, method: str, **kwargs: Any) -> Any:
        token = self.target.secret("bot_token")
        url = f"{self._options.base_url.rstrip('/')}/bot{token}/{method}"
        response = send(self._session, "POST", url, platform="telegram", **kwargs)
        try:
            data = response.json()
        except ValueError:
            data = {}
        if not isinstance(data, dict):
            data = {}
        if response.status_code == 200 and data.get("ok"):
            return data.get("result")
        _raise_for_telegram(method, response.status_code, data)
        raise AssertionError("unreachable")  # pragma: no cover

    def publish(self, post: Post, *, key: str) -> Receipt:
        chat_id = str(self._options.chat_id)
        if post.media:
            photo = post.media[0]
            result = self._call(
                "sendPhoto",
                data={"chat_id": chat_id, "caption": post.text, "parse_mode": "HTML"},
                files={"photo": (photo.filename, media_data(photo), photo.mime)},
            )
        else:
            body: dict[str, Any] = {
                "chat_id": chat_id,
                "text": post.text,
                "parse_mode": "HTML",
                "link_preview_options": (
                    {"is_disabled": True}
                    if self._options.disable_preview
                    else {"is_disabled": False, "url": post.link}
                    if post.link
                    else {"is_disabled": False}
                ),
            }
            result = self._call("sendMessage", json=body)
        message_id = str((result or {}).get("message_id") or "")
        if not message_id:
            raise Transient("telegram: the answer carried no message_id")
        return receipt(remote_id=message_id, remote_url=message_url(chat_id, message_id))

    def verify(self) -> str:
        me = self._call("getMe") or {}
        return f"bot @{me.get('username')} posting to {self._options.chat_id}"

    def close(self) -> None:
        self._session.close()


def _raise_for_telegram(method: str, status: int, data: dict[str, Any]) -> None:
    """``{"ok": false, "error_code": N, "description": "..."}``, plus ``parameters``
    (``retry_after`` on 429, ``migrate_to_chat_id`` when a group became a supergroup)."""
    description = redact(str(data.get("description") or f"HTTP {status}"))
    code = int(data.get("error_code") or status)
    parameters = data.get("parameters") or {}
    text = f"telegram {method} failed ({code}): {description}"
    if code == 429 or status == 429:
        seconds = float(parameters.get("retry_after") or 0) or None
        retry_at = datetime.now(UTC) + timedelta(seconds=seconds) if seconds else None
        raise RateLimited(text, retry_at=retry_at, platform_message=description)
    if code in (401, 403) or "chat not found" in description.lower():
        raise AuthFailed(
            text + " (check the bot token, the chat_id and that the bot may post there)",
            platform_message=description,
        )
    if "migrate_to_chat_id" in parameters:
        raise Rejected(
            text + f" (the group moved: set chat_id = {parameters['migrate_to_chat_id']})",
            platform_message=description,
        )
    if code >= 500 or status >= 500:
        raise Transient(text, platform_message=description)
    raise Rejected(text, platform_message=description)
