"""A receiver for the generic webhook, written the way its documentation (the adapter's
module docstring) tells integrators to write one: check ``sha256=<hex>`` HMAC of the raw
body before parsing, answer 401 on a bad signature, 415 on a non-JSON body, and treat a
repeated ``Idempotency-Key`` as the same event (answering the first event's id)."""

from __future__ import annotations

import hashlib
import hmac
import json
from dataclasses import dataclass, field
from typing import Any

from tests.servers.http import Request, Response


@dataclass
class WebhookReceiver:
    path: str
    signing_key: str | None = None
    header: str = "X-Syndicator-Signature"
    answer: tuple[int, dict[str, str], Any] | None = None  # a forced answer
    events: list[dict[str, Any]] = field(default_factory=list)
    by_key: dict[str, str] = field(default_factory=dict)

    def __call__(self, request: Request) -> Response:
        if request.path != self.path:
            return 404, {}, {"error": "not found"}
        if self.answer is not None:
            return self.answer
        if self.signing_key is not None:
            expected = (
                "sha256="
                + hmac.new(self.signing_key.encode(), request.body, hashlib.sha256).hexdigest()
            )
            if not hmac.compare_digest(expected, request.header(self.header) or ""):
                return 401, {}, {"error": "bad signature"}
        if not (request.header("Content-Type") or "").startswith("application/json"):
            return 415, {}, {"error": "expected JSON"}
        key = request.header("Idempotency-Key")
        if key and key in self.by_key:
            return 200, {}, {"id": self.by_key[key], "duplicate": True}
        event_id = f"evt_{len(self.events) + 1}"
        self.events.append(json.loads(request.body))
        if key:
            self.by_key[key] = event_id
        return 201, {}, {"id": event_id}
