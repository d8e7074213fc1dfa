"""Instagram Graph API content publishing: ``POST /{ig-user-id}/media``,
``GET /{container}?fields=status_code``, ``POST /{ig-user-id}/media_publish``,
``GET /{ig-user-id}/content_publishing_limit`` and ``GET /{media}?fields=permalink``.

Follows developers.facebook.com instagram-platform: the IG User Media reference
(``image_url`` fetched by Instagram, JPEG only; ``caption`` "Maximum 2200
characters, 30 hashtags, and 20 @ tags"; ``alt_text``), the IG Container reference
(``status_code`` EXPIRED / ERROR / FINISHED / IN_PROGRESS / PUBLISHED, ``status``
with the error when ERROR), IG User Media Publish (``creation_id``; a container not
yet FINISHED answers code 9007, subcode 2207027, "the media is not ready for
publishing") and IG User Content Publishing Limit (``{"data": [{"quota_usage",
"config": {"quota_total": 50, "quota_duration": 86400}}]}``; publishing over it
answers code 9, subcode 2207042). An image_url that cannot be fetched answers code
9004, subcode 2207052.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from tests.adapters.stubs.meta import Container, GraphStub, error, fetch_image, fields
from tests.servers.http import Request, Response

HASHTAG = re.compile(r"(?<![\w&])#\w+")
MENTION = re.compile(r"(?<![\w.])@[\w.]*\w")


@dataclass
class InstagramStub(GraphStub):
    user_id: str = "17841400000000001"
    username: str = "bit_international"
    quota_total: int = 50
    quota_usage: int = 0
    #: How the next containers progress: IN_PROGRESS reads before FINISHED, or a
    #: final state ("ERROR", "EXPIRED") given right away.
    progress: list[int | str] = field(default_factory=list)
    permalink_fails: bool = False
    containers: dict[str, Container] = field(default_factory=dict)
    published: dict[str, dict[str, str]] = field(default_factory=dict)
    fetched: list[bytes] = field(default_factory=list)

    def route(self, request: Request, path: str) -> Response:
        user = self.user_id
        values = fields(request)
        if request.method == "GET" and path == user:
            return 200, {}, {"id": user, "username": self.username}
        if request.method == "GET" and path == f"{user}/content_publishing_limit":
            config = {"quota_total": self.quota_total, "quota_duration": 86400}
            return 200, {}, {"data": [{"quota_usage": self.quota_usage, "config": config}]}
        if request.method == "POST" and path == f"{user}/media":
            return self._create(values)
        if request.method == "POST" and path == f"{user}/media_publish":
            return self._publish(values)
        if request.method == "GET" and path in self.containers:
            container = self.containers[path]
            status = container.read()
            return 200, {}, {"id": path, "status_code": status, "status": container.error_message}
        if request.method == "GET" and path in self.published:
            if self.permalink_fails:
                return error(
                    2,
                    "An unexpected error has occurred. Please retry your request later.",
                    status=500,
                )
            return 200, {}, {"id": path, "permalink": f"https://www.instagram.com/p/C{path}/"}
        return error(
            100, f"Unsupported {request.method} request. Object with ID '{path}' does not exist"
        )

    def _create(self, values: dict[str, str]) -> Response:
        caption = values.get("caption", "")
        if len(caption.encode("utf-16-le")) // 2 > 2200:
            return error(100, "The caption is longer than 2200 characters", subcode=2207008)
        if len(HASHTAG.findall(caption)) > 30 or len(MENTION.findall(caption)) > 20:
            return error(100, "The caption has more than 30 hashtags or 20 @ tags", subcode=2207008)
        image = fetch_image(values.get("image_url", ""))
        if image is None:
            return error(
                9004,
                "Media download has failed. The media URI doesn't meet our requirements.",
                subcode=2207052,
            )
        if not image.startswith(b"\xff\xd8\xff"):
            return error(
                9004, "Only photo or video can be accepted as media type.", subcode=2207026
            )
        self.fetched.append(image)
        container = Container(str(18000000000 + len(self.containers)), values)
        step = self.progress.pop(0) if self.progress else 0
        if isinstance(step, str):
            container.status = step
            if step == "ERROR":
                container.error_message = "Error: the image could not be processed (2207020)"
        else:
            container.reads_in_progress = step
        self.containers[container.id] = container
        return 200, {}, {"id": container.id}

    def _publish(self, values: dict[str, str]) -> Response:
        container = self.containers.get(values.get("creation_id", ""))
        if container is None:
            return error(100, "Invalid parameter: creation_id", subcode=2207001)
        if self.quota_usage >= self.quota_total:
            return error(9, "Application request limit reached", subcode=2207042, status=400)
        if container.status == "EXPIRED":
            return error(9007, "The container has expired", subcode=2207006)
        if container.status != "FINISHED":
            return error(9007, "Media ID is not available", subcode=2207027)
        container.status = "PUBLISHED"
        media_id = str(17900000000 + len(self.published))
        self.published[media_id] = container.fields
        self.quota_usage += 1
        return 200, {}, {"id": media_id}
