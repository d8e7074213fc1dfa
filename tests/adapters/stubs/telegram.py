"""The Telegram Bot API (``/bot<token>/<method>``): getMe, sendMessage, sendPhoto.

Follows https://core.telegram.org/bots/api: "Making requests" (JSON, urlencoded or
multipart; answers ``{"ok", "result"}`` or ``{"ok": false, "error_code",
"description", "parameters"}``), "HTML style" (only the listed tags; every ``<``, ``>``,
``&`` that is not markup must be an entity), sendMessage ``text`` 1-4096 and sendPhoto
``caption`` 0-1024 characters *after entities parsing* (counted here in UTF-16 units),
"chat not found" for an unknown chat, and 429 with ``parameters.retry_after``.
"""

from __future__ import annotations

import html
import json
import re
from dataclasses import dataclass, field
from typing import Any

from tests.adapters.stubs import form_fields, is_image, multipart
from tests.servers.http import Request, Response

TAGS = {"b", "strong", "i", "em", "u", "ins", "s", "strike", "del", "a", "code", "pre",
        "span", "tg-spoiler", "tg-emoji", "blockquote"}  # fmt: skip
_TAG = re.compile(r"<(/?)([a-zA-Z][\w-]*)((?:\s[^<>]*)?)>")
_BARE_AMP = re.compile(r"&(?!(?:lt|gt|amp|quot|#\d+|#x[0-9a-fA-F]+);)")


def parse_html(text: str) -> str:
    """The plain text Telegram sees, or ValueError as its "can't parse entities"."""
    match = _BARE_AMP.search(text)
    if match:
        raise ValueError(f"Unexpected end of name token at byte offset {match.start()}")
    stack: list[str] = []
    plain: list[str] = []
    pos = 0
    for tag in _TAG.finditer(text):
        chunk = text[pos : tag.start()]
        if "<" in chunk or ">" in chunk:
            raise ValueError(f"Unsupported start tag at byte offset {pos + chunk.find('<')}")
        plain.append(chunk)
        closing, name = tag.group(1), tag.group(2).lower()
        if name not in TAGS:
            raise ValueError(f'Unsupported start tag "{name}" at byte offset {tag.start()}')
        if closing:
            if not stack or stack.pop() != name:
                raise ValueError(f'Unmatched end tag "{name}" at byte offset {tag.start()}')
        else:
            stack.append(name)
        pos = tag.end()
    rest = text[pos:]
    if "<" in rest or ">" in rest:
        raise ValueError(f"Unsupported start tag at byte offset {pos + rest.find('<')}")
    if stack:
        raise ValueError(f'Can\'t find end tag corresponding to start tag "{stack[-1]}"')
    plain.append(rest)
    return html.unescape("".join(plain))


def utf16_length(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


@dataclass
class TelegramStub:
    token: str
    chats: tuple[str, ...] = ("@bitnews",)
    #: Chats that exist but where the bot may not post (403 Forbidden).
    forbidden_chats: tuple[str, ...] = ("@otherchannel",)
    retry_after: int | None = None
    messages: list[dict[str, Any]] = field(default_factory=list)

    def __call__(self, request: Request) -> Response:
        match = re.fullmatch(r"/bot([^/]+)/(\w+)", request.path)
        if not match:
            return 404, {}, {"ok": False, "error_code": 404, "description": "Not Found"}
        token, method = match.groups()
        if token != self.token:
            return 401, {}, {"ok": False, "error_code": 401, "description": "Unauthorized"}
        try:
            params = self._params(request)
        except ValueError:
            return _bad("Bad Request: invalid request parameters")
        if method == "getMe":
            return (
                200,
                {},
                {
                    "ok": True,
                    "result": {
                        "id": 42,
                        "is_bot": True,
                        "first_name": "BIT News",
                        "username": "bitnews_bot",
                    },
                },
            )
        if method not in {"sendMessage", "sendPhoto"}:
            return 404, {}, {"ok": False, "error_code": 404, "description": "Not Found"}
        if str(params.get("chat_id")) in self.forbidden_chats:
            description = "Forbidden: bot is not a member of the channel chat"
            return 403, {}, {"ok": False, "error_code": 403, "description": description}
        if str(params.get("chat_id")) not in self.chats:
            return _bad("Bad Request: chat not found")
        if self.retry_after is not None:
            return (
                429,
                {},
                {
                    "ok": False,
                    "error_code": 429,
                    "description": f"Too Many Requests: retry after {self.retry_after}",
                    "parameters": {"retry_after": self.retry_after},
                },
            )
        field_name, limit = ("text", 4096) if method == "sendMessage" else ("caption", 1024)
        raw = str(params.get(field_name, ""))
        try:
            plain = parse_html(raw) if params.get("parse_mode") == "HTML" else raw
        except ValueError as exc:
            return _bad(f"Bad Request: can't parse entities: {exc}")
        if method == "sendMessage" and not plain.strip():
            return _bad("Bad Request: message text is empty")
        if utf16_length(plain) > limit:
            which = (
                "message is too long" if method == "sendMessage" else "message caption is too long"
            )
            return _bad(f"Bad Request: {which}")
        photo = None
        if method == "sendPhoto":
            part = multipart(request).get("photo")
            if part is None or not is_image(part.data) or len(part.data) > 10 * 1024 * 1024:
                return _bad("Bad Request: IMAGE_PROCESS_FAILED")
            photo = part.data
        message_id = 100 + len(self.messages) + 1
        self.messages.append({"method": method, "params": params, "plain": plain, "photo": photo})
        return (
            200,
            {},
            {
                "ok": True,
                "result": {
                    "message_id": message_id,
                    "date": 1716190000,
                    "chat": {"id": -1001234567890, "type": "channel"},
                },
            },
        )

    def _params(self, request: Request) -> dict[str, Any]:
        content_type = request.header("Content-Type") or ""
        if not request.body:
            return {}
        if content_type.startswith("application/json"):
            return dict(json.loads(request.body))
        return dict(form_fields(request))


def _bad(description: str) -> Response:
    return 400, {}, {"ok": False, "error_code": 400, "description": description}
