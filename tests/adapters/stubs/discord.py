"""Discord "Execute Webhook" (``POST /api/webhooks/{id}/{token}``).

Follows discord/discord-api-docs: resources/webhook.mdx (JSON body; ``wait=true``
returns the message, else 204; one of content/embeds required), resources/message.mdx
(content ≤ 2000; embed title 256, description 4096, all embeds together 6000, ≤ 10
embeds), topics/opcodes-and-status-codes.mdx (10015 Unknown Webhook, 50027 Invalid
Webhook Token, 50006 Cannot send an empty message, 50035 Invalid Form Body with nested
``errors``) and topics/rate-limits.mdx (429 ``{message, retry_after, global}`` with a
``Retry-After`` header).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

from tests.servers.http import Request, Response


def _too_long(where: str, limit: int) -> Response:
    errors: dict[str, Any] = {}
    node = errors
    for part in where.split("."):
        node = node.setdefault(part, {})
    node["_errors"] = [
        {"code": "BASE_TYPE_MAX_LENGTH", "message": f"Must be {limit} or fewer in length."}
    ]
    return 400, {}, {"message": "Invalid Form Body", "code": 50035, "errors": errors}


@dataclass
class DiscordStub:
    webhook_id: str
    token: str
    retry_after: float | None = None
    header_only_retry_after: int | None = None  # a 429 from the edge: header, no JSON
    messages: list[dict[str, Any]] = field(default_factory=list)

    def __call__(self, request: Request) -> Response:
        match = re.fullmatch(r"/api/webhooks/(\d+)/([\w-]+)", request.path)
        if request.method != "POST" or not match or match.group(1) != self.webhook_id:
            return 404, {}, {"message": "Unknown Webhook", "code": 10015}
        if match.group(2) != self.token:
            return 401, {}, {"message": "Invalid Webhook Token", "code": 50027}
        if self.header_only_retry_after is not None:
            return 429, {"Retry-After": str(self.header_only_retry_after)}, "rate limited"
        if self.retry_after is not None:
            headers = {"Retry-After": str(int(self.retry_after) + 1), "X-RateLimit-Scope": "user"}
            body = {
                "message": "You are being rate limited.",
                "retry_after": self.retry_after,
                "global": False,
            }
            return 429, headers, body
        if not (request.header("Content-Type") or "").startswith("application/json"):
            return 400, {}, {"message": "Cannot send an empty message", "code": 50006}
        try:
            body = json.loads(request.body)
        except ValueError:
            return 400, {}, {"message": "The request body contains invalid JSON.", "code": 50109}
        content = str(body.get("content") or "")
        embeds = body.get("embeds") or []
        if not content.strip() and not embeds:
            return 400, {}, {"message": "Cannot send an empty message", "code": 50006}
        if len(content) > 2000:
            return _too_long("content", 2000)
        if len(embeds) > 10:
            return _too_long("embeds", 10)
        total = 0
        for index, embed in enumerate(embeds):
            for name, limit in (("title", 256), ("description", 4096)):
                value = str(embed.get(name) or "").strip()
                if len(value) > limit:
                    return _too_long(f"embeds.{index}.{name}", limit)
                total += len(value)
        if total > 6000:
            return _too_long("embeds", 6000)
        message_id = str(1_240_000_000_000_000_000 + len(self.messages) + 1)
        message = {
            "id": message_id,
            "channel_id": "1100000000000000001",
            "webhook_id": self.webhook_id,
            "content": content,
            "embeds": embeds,
            "allowed_mentions": body.get("allowed_mentions"),
        }
        self.messages.append(message)
        if request.query.get("wait") == ["true"]:
            return 200, {}, message
        return 204, {}, b""
