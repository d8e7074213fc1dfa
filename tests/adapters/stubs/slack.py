"""A Slack incoming webhook (``POST /services/T.../B.../...``).

Follows api.slack.com/messaging/webhooks (JSON ``{"text", "blocks"}``, answer ``ok``),
api.slack.com/reference/block-kit/blocks#section (section ``text`` ≤ 3000 characters,
``type`` plain_text or mrkdwn), api.slack.com/reference/surfaces/formatting#escaping
(``&``, ``<``, ``>`` must be escaped outside ``<...>`` links and mentions) and the
changelog 2016-05-17 "changes to errors for incoming webhooks" (plain-text bodies:
invalid_payload 400, action_prohibited 403, channel_not_found 404, channel_is_archived
410, rollup_error 500; no_service for a revoked hook), plus 429 with Retry-After.
"""

from __future__ import annotations

import html
import json
import re
from dataclasses import dataclass, field
from typing import Any

from tests.servers.http import Request, Response

_LINK = re.compile(r"<([^<>|]+)(?:\|([^<>]*))?>")


def displayed(mrkdwn: str) -> str:
    """What a reader sees; ValueError when a stray ``<``/``>`` breaks the markup."""
    shown = _LINK.sub(lambda m: m.group(2) if m.group(2) is not None else m.group(1), mrkdwn)
    if "<" in shown or ">" in shown:
        raise ValueError("unescaped control character")
    if re.search(r"&(?!(?:amp|lt|gt);)", shown):
        raise ValueError("unescaped ampersand")
    return html.unescape(shown)


@dataclass
class SlackStub:
    path: str = "/services/T0001/B0001/XXXXXXXXXXXXXXXXXXXXXXXX"
    answer: tuple[int, str] | None = None  # a forced documented error (status, body)
    retry_after: int | None = None
    messages: list[dict[str, Any]] = field(default_factory=list)

    def __call__(self, request: Request) -> Response:
        plain = {"Content-Type": "text/plain"}
        if request.path != self.path:
            return 404, plain, "no_service"
        if self.retry_after is not None:
            return 429, {**plain, "Retry-After": str(self.retry_after)}, "rate_limited"
        if self.answer is not None:
            return self.answer[0], plain, self.answer[1]
        if not (request.header("Content-Type") or "").startswith("application/json"):
            return 400, plain, "invalid_payload"
        try:
            body = json.loads(request.body)
        except ValueError:
            return 400, plain, "invalid_payload"
        if not body.get("text") and not body.get("blocks"):
            return 400, plain, "no_text"
        for block in body.get("blocks") or []:
            text = (block.get("text") or {}) if block.get("type") == "section" else {}
            if text.get("type") not in {"mrkdwn", "plain_text"} or not text.get("text"):
                return 400, plain, "invalid_blocks"
            if len(text["text"]) > 3000:
                return 400, plain, "invalid_blocks"
            try:
                displayed(text["text"])
            except ValueError:
                return 400, plain, "invalid_blocks"
        self.messages.append(body)
        return 200, plain, "ok"
