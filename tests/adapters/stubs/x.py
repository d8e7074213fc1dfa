"""X API v2 (``POST /2/tweets``, ``POST /2/media/upload``, ``GET /2/users/me``) with
OAuth 1.0a user-context checking.

Follows RFC 5849 §3.4 (the signature is recomputed here, independently of the adapter,
from the consumer and token secrets; a JSON or multipart body is not signed, §3.4.1.3.1),
docs.x.com "Create Post" (JSON ``{"text", "media": {"media_ids"}}``, problem-details
errors), "Upload media" (multipart ``media`` + ``media_category``, images ≤ 5 MB,
answer ``{"data": {"id", "media_key"}}``), the duplicate-content 403 body quoted in
PLATFORMS.md §6, and the 429 ``x-rate-limit-reset`` epoch header. The weighted length is
counted here in a simplified form of twitter-text v3 (URLs 23; code points in the
weight-100 ranges count 1, others 2), enough for the texts these tests send.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, quote, unquote

from tests.adapters.stubs import is_image, multipart
from tests.servers.http import Request, Response

DUPLICATE = {
    "detail": "You are not allowed to create a Tweet with duplicate content.",
    "type": "about:blank",
    "title": "Forbidden",
    "status": 403,
}
UNAUTHORIZED = {
    "title": "Unauthorized",
    "type": "about:blank",
    "status": 401,
    "detail": "Unauthorized",
}
_LIGHT = ((0, 4351), (8192, 8205), (8208, 8223), (8242, 8247))


def x_length(text: str) -> int:
    total = 0
    for piece in re.split(r"(https?://\S+)", text):
        if piece.startswith(("http://", "https://")):
            total += 23
        else:
            total += sum(1 if any(a <= ord(c) <= b for a, b in _LIGHT) else 2 for c in piece)
    return total


def _enc(value: str) -> str:
    return quote(value, safe="~")


@dataclass
class XStub:
    consumer_key: str
    consumer_secret: str
    token: str
    token_secret: str
    forbidden: bool = False  # when set, /2/tweets answers a policy 403
    rate_reset: int | None = None  # when set, /2/tweets answers 429 with this reset epoch
    posts: list[dict[str, Any]] = field(default_factory=list)
    media: dict[str, bytes] = field(default_factory=dict)
    nonces: set[str] = field(default_factory=set)

    def _signature_ok(self, request: Request) -> bool:
        header = request.header("Authorization") or ""
        if not header.startswith("OAuth "):
            return False
        params = {k: unquote(v) for k, v in re.findall(r'(\w+)="([^"]*)"', header)}
        if params.get("oauth_consumer_key") != self.consumer_key:
            return False
        if params.get("oauth_token") != self.token or params.get("oauth_version") != "1.0":
            return False
        if params.get("oauth_signature_method") != "HMAC-SHA1":
            return False
        if abs(int(params.get("oauth_timestamp", "0")) - time.time()) > 300:
            return False
        nonce = params.get("oauth_nonce", "")
        if not nonce or nonce in self.nonces:
            return False
        signed = [(k, v) for k, v in params.items() if k != "oauth_signature"]
        signed += parse_qsl(request.target.partition("?")[2], keep_blank_values=True)
        if (request.header("Content-Type") or "").startswith("application/x-www-form-urlencoded"):
            signed += parse_qsl(request.body.decode(), keep_blank_values=True)
        pairs = "&".join(f"{k}={v}" for k, v in sorted((_enc(k), _enc(v)) for k, v in signed))
        base_uri = f"http://{request.header('Host')}{request.path}"
        base = "&".join([request.method, _enc(base_uri), _enc(pairs)])
        key = f"{_enc(self.consumer_secret)}&{_enc(self.token_secret)}"
        expected = base64.b64encode(
            hmac.new(key.encode(), base.encode(), hashlib.sha1).digest()
        ).decode()
        if not hmac.compare_digest(expected, params.get("oauth_signature", "")):
            return False
        self.nonces.add(nonce)
        return True

    def __call__(self, request: Request) -> Response:
        if not self._signature_ok(request):
            return 401, {}, UNAUTHORIZED
        if request.method == "GET" and request.path == "/2/users/me":
            return 200, {}, {"data": {"id": "1001", "name": "BIT News", "username": "bitnews"}}
        if request.method == "POST" and request.path == "/2/media/upload":
            return self._upload(request)
        if request.method == "POST" and request.path == "/2/tweets":
            return self._tweet(request)
        return 404, {}, {"title": "Not Found Error", "status": 404, "type": "about:blank"}

    def _upload(self, request: Request) -> Response:
        try:
            parts = multipart(request)
        except ValueError:
            return 400, {}, _invalid("media upload must be multipart/form-data")
        media = parts.get("media")
        category = parts.get("media_category")
        if media is None or not is_image(media.data) or len(media.data) > 5 * 1024 * 1024:
            return 400, {}, _invalid("media must be an image of at most 5 MB")
        if category is None or category.data.decode() not in {"tweet_image", "tweet_gif"}:
            return 400, {}, _invalid("media_category must be tweet_image")
        media_id = str(1_700_000_000_000_000_000 + len(self.media))
        self.media[media_id] = media.data
        return (
            200,
            {},
            {"data": {"id": media_id, "media_key": f"3_{media_id}", "size": len(media.data)}},
        )

    def _tweet(self, request: Request) -> Response:
        if not (request.header("Content-Type") or "").startswith("application/json"):
            return (
                415,
                {},
                {"title": "Unsupported Media Type", "status": 415, "type": "about:blank"},
            )
        body = json.loads(request.body)
        if self.rate_reset is not None:
            headers = {
                "x-rate-limit-limit": "200",
                "x-rate-limit-remaining": "0",
                "x-rate-limit-reset": str(self.rate_reset),
            }
            return (
                429,
                headers,
                {
                    "title": "Too Many Requests",
                    "detail": "Too Many Requests",
                    "type": "about:blank",
                    "status": 429,
                },
            )
        if self.forbidden:
            return 403, {}, {**DUPLICATE, "detail": "You are not permitted to perform this action."}
        text = body.get("text", "")
        if not text or x_length(text) > 280:
            return 400, {}, _invalid(f"text: weighted length {x_length(text)} is over 280")
        media_ids = (body.get("media") or {}).get("media_ids", [])
        if any(m not in self.media for m in media_ids):
            return 400, {}, _invalid("media.media_ids: unknown media id")
        if any(p["text"] == text for p in self.posts):
            return 403, {}, DUPLICATE
        post_id = str(1_790_000_000_000_000_000 + len(self.posts) + 1)
        self.posts.append({"id": post_id, "text": text, "media_ids": media_ids})
        return 201, {}, {"data": {"id": post_id, "text": text, "edit_history_tweet_ids": [post_id]}}


def _invalid(message: str) -> dict[str, Any]:
    return {
        "errors": [{"message": message}],
        "title": "Invalid Request",
        "detail": "One or more parameters to your request was invalid.",
        "type": "https://api.twitter.com/2/problems/invalid-request",
    }
