"""Facebook Pages API: ``POST /{page-id}/feed``, ``POST /{page-id}/photos``,
``GET /{page-id}/feed`` and ``GET /{page-id}``.

Follows developers.facebook.com graph-api/reference/page/feed ("Publishing":
``message``, ``link``, ``attached_media`` = ``[{"media_fbid": id}]`` of photos uploaded
with ``published=false``; the answer ``{"id": "{page-id}_{post-id}"}``; reading the
feed lists ``data`` newest first with the requested ``fields``) and
reference/page/photos (multipart ``source``, ``published``; ``{"id"}``). A message over
63,206 characters (counted as UTF-16 units here) is refused with code 100. Errors and
usage headers: see ``stubs.meta``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from tests.adapters.stubs import is_image, multipart
from tests.adapters.stubs.meta import GraphStub, error, fields
from tests.servers.http import Request, Response


@dataclass
class FacebookStub(GraphStub):
    page_id: str = "1234"
    page_name: str = "BIT International Office"
    posts: list[dict[str, Any]] = field(default_factory=list)
    photos: dict[str, dict[str, Any]] = field(default_factory=dict)

    def route(self, request: Request, path: str) -> Response:
        page = self.page_id
        if request.method == "GET" and path == page:
            return 200, {}, {"id": page, "name": self.page_name}
        if request.method == "GET" and path == f"{page}/feed":
            return self._list(request)
        if request.method == "POST" and path == f"{page}/photos":
            return self._photo(request)
        if request.method == "POST" and path == f"{page}/feed":
            return self._post(request)
        return error(100, f"Unsupported {request.method} request. Object does not exist")

    def _photo(self, request: Request) -> Response:
        try:
            parts = multipart(request)
        except ValueError:
            return error(324, "(#324) Requires upload file")
        source = parts.get("source")
        if source is None or not is_image(source.data) or len(source.data) > 4 * 1024 * 1024:
            return error(324, "(#324) Requires upload file")
        published = parts["published"].data.decode() if "published" in parts else "true"
        photo_id = str(9000 + len(self.photos))
        self.photos[photo_id] = {"data": source.data, "published": published == "true"}
        return 200, {}, {"id": photo_id}

    def _post(self, request: Request) -> Response:
        values = fields(request)
        message = values.get("message", "")
        if len(message.encode("utf-16-le")) // 2 > 63_206:
            return error(100, "(#100) The message is too long")
        attached = json.loads(values.get("attached_media", "[]"))
        ids = [item.get("media_fbid") for item in attached]
        if any(i not in self.photos or self.photos[i]["published"] for i in ids):
            return error(100, "(#100) attached_media must be unpublished photos of this Page")
        if not message and not values.get("link") and not ids:
            return error(100, "(#100) Missing message or attachment")
        post_id = f"{self.page_id}_{5000 + len(self.posts)}"
        self.posts.insert(
            0, {"id": post_id, "message": message, "link": values.get("link"), "photos": ids}
        )
        return 200, {}, {"id": post_id}

    def _list(self, request: Request) -> Response:
        wanted = request.query.get("fields", ["id"])[0].split(",")
        limit = int(request.query.get("limit", ["25"])[0])
        rows = []
        for post in self.posts[:limit]:
            full = {**post, "permalink_url": f"https://www.facebook.com/{post['id']}"}
            rows.append({k: full[k] for k in wanted if full.get(k) is not None})
        return 200, {}, {"data": rows, "paging": {}}
