"""Threads API: ``POST /{user-id}/threads``, ``GET /{container}?fields=status``,
``POST /{user-id}/threads_publish``, ``GET /{user-id}/threads_publishing_limit``,
``GET /{post}?fields=permalink`` and ``GET /me``.

Follows developers.facebook.com/documentation/threads: "Posts" (``media_type`` TEXT
with ``text``, IMAGE with an ``image_url`` Threads fetches itself; ``link_attachment``
on text posts; "Text posts are limited to 500 characters. Emojis are counted as the
number of UTF-8 bytes" — counted here independently of the adapter: UTF-8 bytes for
a character in the emoji blocks, one per other code point), "Text attachments" (more
than 5 links fail at container creation with THREADS_API__LINK_LIMIT_EXCEEDED), the
container ``status`` (EXPIRED, ERROR with ``error_message``, FINISHED, IN_PROGRESS,
PUBLISHED) and "Overview", Rate Limiting (250 posts in 24 hours, enforced at
``threads_publish``, read with ``threads_publishing_limit``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from tests.adapters.stubs.meta import Container, GraphStub, error, fetch_image, fields
from tests.servers.http import Request, Response

URL = re.compile(r"(?:https?://)?(?:[a-z0-9-]+\.)+[a-z]{2,}(?:/\S*)?", re.IGNORECASE)


def threads_length(text: str) -> int:
    total = 0
    for ch in text:
        cp = ord(ch)
        emoji = 0x1F000 <= cp <= 0x1FAFF or 0x2600 <= cp <= 0x27BF or cp in (0x200D, 0xFE0F)
        total += len(ch.encode("utf-8")) if emoji else 1
    return total


@dataclass
class ThreadsStub(GraphStub):
    user_id: str = "26000000000000001"
    username: str = "bit.international"
    quota_total: int = 250
    quota_usage: int = 0
    progress: list[int | str] = field(default_factory=list)
    containers: dict[str, Container] = field(default_factory=dict)
    published: dict[str, dict[str, str]] = field(default_factory=dict)
    fetched: list[bytes] = field(default_factory=list)

    def route(self, request: Request, path: str) -> Response:
        user = self.user_id
        values = fields(request)
        if request.method == "GET" and path == "me":
            return 200, {}, {"id": user, "username": self.username}
        if request.method == "GET" and path == f"{user}/threads_publishing_limit":
            config = {"quota_total": self.quota_total, "quota_duration": 86400}
            return 200, {}, {"data": [{"quota_usage": self.quota_usage, "config": config}]}
        if request.method == "POST" and path == f"{user}/threads":
            return self._create(values)
        if request.method == "POST" and path == f"{user}/threads_publish":
            return self._publish(values)
        if request.method == "GET" and path in self.containers:
            container = self.containers[path]
            status = container.read()
            return 200, {}, {"id": path, "status": status, "error_message": container.error_message}
        if request.method == "GET" and path in self.published:
            return (
                200,
                {},
                {"id": path, "permalink": f"https://www.threads.com/@{self.username}/post/{path}"},
            )
        return error(100, f"Object with ID '{path}' does not exist")

    def _create(self, values: dict[str, str]) -> Response:
        kind, text = values.get("media_type"), values.get("text", "")
        if kind not in ("TEXT", "IMAGE"):
            return error(100, "Param media_type must be one of {TEXT, IMAGE, VIDEO, CAROUSEL}")
        if threads_length(text) > 500:
            return error(100, "Param text must be at most 500 characters long")
        if len(set(URL.findall(text))) > 5:
            return error(100, "THREADS_API__LINK_LIMIT_EXCEEDED: posts may contain at most 5 links")
        if kind == "IMAGE":
            image = fetch_image(values.get("image_url", ""))
            if image is None:
                return error(100, "Media download has failed: image_url could not be fetched")
            self.fetched.append(image)
        elif not text:
            return error(100, "Param text is required for TEXT posts")
        container = Container(str(17000000000 + len(self.containers)), values)
        step = self.progress.pop(0) if self.progress else 0
        if isinstance(step, str):
            container.status = step
            container.error_message = "FAILED_PROCESSING_IMAGE" if step == "ERROR" else ""
        else:
            container.reads_in_progress = step
        self.containers[container.id] = container
        return 200, {}, {"id": container.id}

    def _publish(self, values: dict[str, str]) -> Response:
        container = self.containers.get(values.get("creation_id", ""))
        if container is None:
            return error(100, "Param creation_id is not a valid container")
        if self.quota_usage >= self.quota_total:
            return error(4, "Application request limit reached: 250 posts in 24 hours")
        if container.status != "FINISHED":
            return error(
                24, f"The media container is {container.status}, not FINISHED", subcode=4279009
            )
        container.status = "PUBLISHED"
        post_id = str(18100000000 + len(self.published))
        self.published[post_id] = container.fields
        self.quota_usage += 1
        return 200, {}, {"id": post_id}
