"""Sina Weibo ``statuses/share`` and ``account/get_uid`` as documented.

Follows https://open.weibo.com/wiki/2/statuses/share (POST, form-urlencoded or multipart
with ``pic`` < 5 MB; ``access_token``, ``status`` ≤ 140 汉字, ``rip``; a link on the
app's safe domain is required), https://open.weibo.com/wiki/Error_code (the
``{"request", "error_code", "error"}`` body; 20019 repeat content, 20012 too long,
10017 parameter invalid / appkey not bind domain, 10023 user rate limit, 21332 invalid
token) and the OAuth2 doc (a token may come as ``Authorization: OAuth2 <token>``).
Length is counted here independently: U+0000-U+00FF half, other BMP one, astral two.
"""

from __future__ import annotations

import ipaddress
import math
import re
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from tests.adapters.stubs import form_fields, is_image, multipart
from tests.servers.http import Request, Response

SHARE = "/2/statuses/share.json"
GET_UID = "/2/account/get_uid.json"


def weibo_length(text: str) -> int:
    halves = sum(1 if ord(c) <= 0xFF else 2 if ord(c) <= 0xFFFF else 4 for c in text)
    return math.ceil(halves / 2)


@dataclass
class WeiboStub:
    token: str
    safe_domain: str
    uid: int = 5_000_001
    rate_limited: bool = False
    posted: list[dict[str, Any]] = field(default_factory=list)

    def error(self, status: int, code: int, message: str, path: str) -> Response:
        return status, {}, {"request": path, "error_code": str(code), "error": message}

    def __call__(self, request: Request) -> Response:
        path = request.path
        if request.method == "GET" and path == GET_UID:
            if request.header("Authorization") != f"OAuth2 {self.token}":
                return self.error(401, 21332, "invalid_access_token", path)
            return 200, {}, {"uid": self.uid}
        if path != SHARE:
            return self.error(404, 10014, "Insufficient app permissions!", path)
        if request.method != "POST":
            return self.error(405, 10021, "HTTP method is not suported for this request!", path)
        try:
            fields = form_fields(request)
        except ValueError:
            return self.error(400, 10008, "param error, see doc for more info", path)
        token = fields.get("access_token")
        if not token:
            return self.error(400, 10006, "source paramter(appkey) is missing", path)
        if token != self.token:
            return self.error(401, 21332, "invalid_access_token", path)
        status = fields.get("status", "")
        if not status:
            return self.error(400, 10016, "miss required parameter (status)", path)
        try:
            ipaddress.ip_address(fields.get("rip", ""))
        except ValueError:
            return self.error(400, 10016, "miss required parameter (rip)", path)
        if self.rate_limited:
            return self.error(403, 10023, "User requests out of rate limit!", path)
        if weibo_length(status) > 140:
            return self.error(
                400, 20012, "Text too long, please input text less than 140 characters!", path
            )
        links = re.findall(r"https?://[^\s，。】）]+", status)
        hosts = [(urlsplit(u).hostname or "") for u in links]
        if not any(h == self.safe_domain or h.endswith("." + self.safe_domain) for h in hosts):
            return self.error(400, 10017, "appkey not bind domain!", path)
        if re.search(r"#[^#\s]+#", status):
            return self.error(400, 10017, "parameter (status)'s value invalid", path)
        picture = None
        if (request.header("Content-Type") or "").startswith("multipart/"):
            part = multipart(request).get("pic")
            if part is not None:
                if not is_image(part.data) or len(part.data) >= 5 * 1024 * 1024:
                    return self.error(400, 20006, "image size too large.", path)
                picture = part.data
        if any(p["text"] == status for p in self.posted):
            return self.error(400, 20019, "repeat content!", path)
        status_id = 4_900_000_000_000_000 + len(self.posted) + 1
        self.posted.append({"text": status, "pic": picture, "rip": fields["rip"]})
        return (
            200,
            {},
            {
                "id": status_id,
                "idstr": str(status_id),
                "mid": str(status_id),
                "text": status,
                "user": {"id": self.uid, "idstr": str(self.uid)},
            },
        )
