"""What the Graph API stubs of Facebook, Instagram and Threads share.

Follows developers.facebook.com "Handling Errors" (the error object
``{"error": {"message", "type", "code", "error_subcode", "fbtrace_id"}}``; 190 with
subcode 463 for an expired token, 200 for a missing permission, 4/17/32 for rate
limits, 2 for a temporary failure) and "Rate Limiting" (``X-App-Usage`` as a JSON
object of percentages; ``X-Business-Use-Case-Usage`` keyed by business object id,
each entry with ``estimated_time_to_regain_access`` in minutes). A version past its
sunset is not an error on the Graph API: "a request to an unavailable version is
upgraded to the oldest available version", so the stubs serve any ``vN.N`` path.
Requests must carry ``Authorization: Bearer <token>``; the token never belongs in a URL.
"""

from __future__ import annotations

import json
import re
import urllib.request
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from syndicator.adapter import Adapter
from syndicator.models import Post
from tests.servers.http import Request, Response

VERSIONED = re.compile(r"^/v[0-9]+\.[0-9]+/(?P<rest>.*)$")


def error(
    code: int,
    message: str,
    *,
    status: int = 400,
    subcode: int | None = None,
    kind: str = "OAuthException",
    headers: dict[str, str] | None = None,
) -> Response:
    body: dict[str, Any] = {"message": message, "type": kind, "code": code, "fbtrace_id": "AbC"}
    if subcode is not None:
        body["error_subcode"] = subcode
    return status, headers or {}, {"error": body}


def expired_token() -> Response:
    return error(
        190,
        "Error validating access token: Session has expired on Friday, 04-Dec-26 01:00:00 PST.",
        subcode=463,
    )


def permission_missing(permission: str) -> Response:
    return error(
        200,
        f"(#200) Requires {permission} permission to manage the object",
        status=403,
        kind="OAuthException",
    )


def rate_limited(code: int = 32, *, regain_minutes: int = 17) -> Response:
    usage = {
        "1234": [
            {
                "type": "pages",
                "call_count": 100,
                "total_cputime": 40,
                "total_time": 45,
                "estimated_time_to_regain_access": regain_minutes,
            }
        ]
    }
    return error(
        code,
        "(#32) Page request limit reached",
        headers={"X-Business-Use-Case-Usage": json.dumps(usage)},
        kind="OAuthException",
    )


def fetch_image(url: str) -> bytes | None:
    """What Meta does with ``image_url``: fetch it itself. ``None`` when it cannot."""
    try:
        with urllib.request.urlopen(url, timeout=5) as answer:  # a loopback URL in tests
            return bytes(answer.read())
    except OSError:
        return None


@dataclass
class GraphStub:
    """Auth, the version prefix, scripted failures and usage headers; subclasses route."""

    token: str
    #: Answers given, in order, instead of the next requests that reach ``route``.
    script: list[Response] = field(default_factory=list)
    #: ``X-App-Usage`` sent with every answer (percentages), when set.
    app_usage: dict[str, int] | None = None
    calls: list[tuple[str, str]] = field(default_factory=list)

    def __call__(self, request: Request) -> Response:
        match = VERSIONED.match(request.path)
        if match is None:
            return error(2500, "Unknown path components: " + request.path)
        if "access_token=" in request.target:
            return error(100, "the stub refuses tokens in URLs: they reach logs")
        if request.header("Authorization") != f"Bearer {self.token}":
            return error(190, "Invalid OAuth access token - Cannot parse access token")
        path = match["rest"]
        self.calls.append((request.method, path))
        if self.script:
            return self.script.pop(0)
        status, headers, body = self.route(request, path)
        if self.app_usage is not None:
            headers = {**headers, "X-App-Usage": json.dumps(self.app_usage)}
        return status, headers, body

    def route(self, request: Request, path: str) -> Response:
        raise NotImplementedError


def fields(request: Request) -> dict[str, str]:
    """The parameters of a Graph call: query, form or JSON body."""
    values = {k: v[0] for k, v in request.query.items()}
    content_type = request.header("Content-Type") or ""
    if content_type.startswith("application/x-www-form-urlencoded"):
        values.update({k: v[0] for k, v in request.form().items()})
    elif content_type.startswith("application/json"):
        values.update(
            {k: v if isinstance(v, str) else json.dumps(v) for k, v in request.json().items()}
        )
    return values


@dataclass
class Container:
    """An Instagram or Threads media container and how it will progress."""

    id: str
    fields: dict[str, str]
    reads_in_progress: int = 0  # IN_PROGRESS for this many status reads, then FINISHED
    status: str = "IN_PROGRESS"
    error_message: str = ""

    def read(self) -> str:
        if self.status == "IN_PROGRESS":
            if self.reads_in_progress > 0:
                self.reads_in_progress -= 1
            else:
                self.status = "FINISHED"
        return self.status


class PublishedMedia:
    """The media folder published by the real media server (``syndicator.media_server``),
    with the set of names "the post log references" in the hands of the test."""

    def __init__(self, folder: Path) -> None:
        from syndicator.adapter import PublicMedia
        from syndicator.media_server import start_media_server

        self.folder = folder
        self.referenced: set[str] = set()
        self.server = start_media_server("127.0.0.1:0", folder, self.referenced.__contains__)
        self.public = PublicMedia(self.server.url + "/", folder)

    def store(self, post: Post) -> Post:
        """What the engine does before publishing: media saved under content-hash names,
        and the post recorded (so its files are served)."""
        from syndicator.rendering import save_media

        media = tuple(save_media(m, self.folder) for m in post.media)
        self.referenced.update(m.path.name for m in media if m.path is not None)
        return replace(post, media=media)

    def stop(self) -> None:
        self.server.stop()


def with_public_media(adapter: Adapter, media: PublishedMedia | None) -> Adapter:
    """The same adapter for a target whose config names ``[media] public_url``."""
    from syndicator.adapter import MemoryCache

    target = replace(
        adapter.target, public_media=media.public if media else None, cache=MemoryCache()
    )
    return type(adapter)(target)
