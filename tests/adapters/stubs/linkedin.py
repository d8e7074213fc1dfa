"""LinkedIn Posts API and Images API: ``POST /rest/posts``, ``GET /rest/posts?q=author``,
``POST /rest/images?action=initializeUpload``, the upload ``PUT`` and
``GET /rest/organizations/{id}``.

Follows learn.microsoft.com/linkedin/marketing/community-management/shares/posts-api
(headers ``LinkedIn-Version: YYYYMM`` and ``X-Restli-Protocol-Version: 2.0.0``; body
``author``, ``commentary``, ``visibility``, ``distribution``, ``lifecycleState``,
``content.article {source, title, description, thumbnail}``; 201 with the URN in
``x-restli-id``; the author finder ``q=author`` with ``X-RestLi-Method: FINDER``),
images-api (``initializeUploadRequest.owner`` → ``value.uploadUrl`` and ``value.image``),
the little text format (reserved characters not backslash-escaped cut the post
there, as LinkedIn does silently), versioning (a version not active answers 426
``NONEXISTENT_VERSION``) and the error body ``{"status", "serviceErrorCode", "code",
"message"}`` (401 65602 expired token, 403 ACCESS_DENIED, 429 TOO_MANY_REQUESTS with
no Retry-After: daily quotas reset at midnight UTC). Commentary over 3,000 characters
(UTF-16 units) answers 422.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote

from tests.adapters.stubs import is_image
from tests.servers.http import Request, Response

ACTIVE_VERSIONS = frozenset({"202601", "202603", "202607", "202610"})
RESERVED = set("|{}@[]()<>#\\*_~")
URL = re.compile(r"https?://\S+")


def _error(status: int, code: str, message: str, service_code: int) -> Response:
    body = {"status": status, "serviceErrorCode": service_code, "code": code, "message": message}
    return status, {}, body


def unescape_little_text(text: str) -> str:
    """What LinkedIn shows: escapes removed, and the text cut at the first unescaped
    reserved character outside a URL."""
    shown: list[str] = []
    urls = [(m.start(), m.end()) for m in URL.finditer(text)]
    i = 0
    while i < len(text):
        inside = next((end for start, end in urls if start == i), None)
        if inside is not None:
            shown.append(text[i:inside])
            i = inside
            continue
        ch = text[i]
        if ch == "\\" and i + 1 < len(text) and text[i + 1] in RESERVED:
            shown.append(text[i + 1])
            i += 2
            continue
        if ch in RESERVED:
            break
        shown.append(ch)
        i += 1
    return "".join(shown)


@dataclass
class LinkedInStub:
    token: str
    organization: str = "urn:li:organization:5515715"
    url: str = ""  # the server's base URL, for upload URLs
    expired: bool = False
    forbidden: bool = False
    throttled: bool = False
    posts: list[dict[str, Any]] = field(default_factory=list)
    images: dict[str, bytes | None] = field(default_factory=dict)

    def __call__(self, request: Request) -> Response:
        if request.header("Authorization") != f"Bearer {self.token}" or self.expired:
            return _error(
                401, "EXPIRED_ACCESS_TOKEN", "The token used in the request has expired", 65602
            )
        if request.path.startswith("/upload/"):
            return self._upload(request)
        if request.header("X-Restli-Protocol-Version") != "2.0.0":
            return _error(
                400, "ILLEGAL_ARGUMENT", "X-Restli-Protocol-Version 2.0.0 is required", 100
            )
        version = request.header("LinkedIn-Version") or ""
        if version not in ACTIVE_VERSIONS:
            return _error(
                426, "NONEXISTENT_VERSION", f"Requested version {version} is not active", 0
            )
        if request.path.startswith("/rest/organizations/"):
            return (
                200,
                {},
                {"id": request.path.rsplit("/", 1)[1], "localizedName": "BIT International"},
            )
        if self.forbidden:
            return _error(
                403,
                "ACCESS_DENIED",
                "Not enough permissions to access: partnerApiPostsExternal.CREATE.20260701",
                100,
            )
        if self.throttled:
            return _error(
                429,
                "TOO_MANY_REQUESTS",
                "Resource level throttle APPLICATION DAY limit for calls to this resource is reached.",
                101,
            )
        if request.method == "POST" and request.path == "/rest/images":
            return self._initialize(request)
        if request.method == "POST" and request.path == "/rest/posts":
            return self._post(request.json())
        if request.method == "GET" and request.path == "/rest/posts":
            return self._find(request)
        return _error(404, "NOT_FOUND", f"No resource {request.path}", 0)

    def _initialize(self, request: Request) -> Response:
        if request.query.get("action") != ["initializeUpload"]:
            return _error(400, "ILLEGAL_ARGUMENT", "action=initializeUpload expected", 100)
        owner = (request.json().get("initializeUploadRequest") or {}).get("owner")
        if owner != self.organization:
            return _error(
                403, "ACCESS_DENIED", "Not enough permissions to upload for this owner", 100
            )
        urn = f"urn:li:image:C4E10AQ{len(self.images):05d}"
        self.images[urn] = None
        value = {
            "uploadUrlExpiresAt": 1_900_000_000_000,
            "uploadUrl": f"{self.url}/upload/{urn}",
            "image": urn,
        }
        return 200, {}, {"value": value}

    def _upload(self, request: Request) -> Response:
        urn = unquote(request.path.removeprefix("/upload/"))
        if request.method != "PUT" or urn not in self.images or not is_image(request.body):
            return 400, {}, {"message": "bad upload"}
        self.images[urn] = request.body
        return 201, {}, b""

    def _post(self, body: dict[str, Any]) -> Response:
        if body.get("author") != self.organization:
            return _error(
                403, "ACCESS_DENIED", "Not enough permissions to post as this author", 100
            )
        commentary = str(body.get("commentary") or "")
        if len(commentary.encode("utf-16-le")) // 2 > 3000:
            return _error(
                422, "UNPROCESSABLE_ENTITY", "commentary is longer than 3000 characters", 100
            )
        article = (body.get("content") or {}).get("article") or {}
        thumbnail = article.get("thumbnail")
        if thumbnail is not None and self.images.get(thumbnail) is None:
            return _error(
                422, "UNPROCESSABLE_ENTITY", f"thumbnail {thumbnail} was never uploaded", 100
            )
        if not article.get("source") or not article.get("title"):
            return _error(
                422, "UNPROCESSABLE_ENTITY", "/content/article/source and title are required", 100
            )
        for post in self.posts:
            if post["commentary"] == commentary and post["article"]["source"] == article["source"]:
                return _error(422, "DUPLICATE_POST", f"Content is a duplicate of {post['id']}", 100)
        urn = f"urn:li:share:{7100000000000000000 + len(self.posts)}"
        self.posts.insert(
            0,
            {
                "id": urn,
                "commentary": commentary,
                "shown": unescape_little_text(commentary),
                "article": article,
            },
        )
        return 201, {"x-restli-id": urn}, b""

    def _find(self, request: Request) -> Response:
        if request.query.get("q") != ["author"] or request.header("X-RestLi-Method") != "FINDER":
            return _error(
                400, "ILLEGAL_ARGUMENT", "q=author with X-RestLi-Method FINDER expected", 100
            )
        if request.query.get("author") != [self.organization]:
            return 200, {}, {"elements": [], "paging": {"count": 0, "start": 0}}
        count = int(request.query.get("count", ["10"])[0])
        elements = [
            {
                "id": p["id"],
                "author": self.organization,
                "commentary": p["commentary"],
                "content": {"article": p["article"]},
            }
            for p in self.posts[:count]
        ]
        return 200, {}, {"elements": elements, "paging": {"count": count, "start": 0}}
