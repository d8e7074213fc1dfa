"""A local stand-in for the WeChat Official Account API, following its documentation.

Documentation followed (developers.weixin.qq.com):

- access_token: ``GET /cgi-bin/token?grant_type=client_credential&appid=&secret=`` →
  ``{"access_token", "expires_in": 7200}``; errcode 40013 invalid appid, 40125 invalid
  appsecret; a used token that expired is errcode 42001, an unknown one 40001
  (/doc/offiaccount/Basic_Information/Get_access_token.html, global return codes page).
- permanent material: ``POST /cgi-bin/material/add_material?access_token=&type=thumb``,
  multipart field ``media``; thumb is a JPG of at most 64 KB → ``{"media_id", "url"}``
  (/doc/service/api/material/permanent/api_addmaterial).
- drafts: ``POST /cgi-bin/draft/add`` ``{"articles": [{title, author, digest, content,
  content_source_url, thumb_media_id, need_open_comment, only_fans_can_comment}]}`` →
  ``{"media_id"}``; thumb_media_id must be a permanent material id
  (/doc/offiaccount/Draft_Box/Add_draft.html).
- publishing: ``POST /cgi-bin/freepublish/submit {"media_id"}`` →
  ``{"errcode": 0, "publish_id", "msg_data_id"}``; ``POST /cgi-bin/freepublish/get
  {"publish_id"}`` → ``publish_status`` 0 success (with ``article_id`` and
  ``article_detail.item[].article_url``), 1 publishing, 2+ failures with ``fail_idx``;
  53503-53505 publish refusals (/doc/service/api/public/api_freepublish_submit,
  /doc/service/Publish/Publish.html).
- quota: errcode 45009 "reach max api daily quota limit"; -1 "system error".
"""

from __future__ import annotations

import itertools
import threading
from dataclasses import dataclass, field
from email.parser import BytesParser
from email.policy import HTTP
from typing import Any

from tests.servers.http import Request, Response

APPID = "wx0123456789abcdef"
SECRET = "s3cr3t-app-secret-value"
THUMB_LIMIT = 64 * 1024


def _error(code: int, message: str) -> Response:
    return 200, {}, {"errcode": code, "errmsg": message}


@dataclass
class FakeWeChat:
    """State of the fake account. Tests script faults with ``fail_next`` (path → list
    of errcodes returned before the real answer) and ``expire_tokens_on`` (a path whose
    first call finds every issued token expired)."""

    publishing_polls: int = 2
    token_fetches: int = 0
    tokens: set[str] = field(default_factory=set)
    expired: set[str] = field(default_factory=set)
    materials: dict[str, bytes] = field(default_factory=dict)
    drafts: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    published: dict[str, dict[str, Any]] = field(default_factory=dict)
    fail_next: dict[str, list[int]] = field(default_factory=dict)
    expire_tokens_on: str | None = None
    final_status: int = 0
    _ids: itertools.count = field(default_factory=lambda: itertools.count(1))
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def __call__(self, request: Request) -> Response:
        with self._lock:
            return self._handle(request)

    def _handle(self, request: Request) -> Response:
        if request.path == "/cgi-bin/token" and request.method == "GET":
            return self._token(request)
        token = (request.query.get("access_token") or [""])[0]
        if self.expire_tokens_on == request.path:
            self.expire_tokens_on = None
            self.expired |= self.tokens
            self.tokens.clear()
        if token in self.expired:
            return _error(42001, "access_token expired rid: 1")
        if token not in self.tokens:
            return _error(40001, "invalid credential, access_token is invalid or not latest")
        queued = self.fail_next.get(request.path)
        if queued:
            code = queued.pop(0)
            return _error(
                code,
                {45009: "reach max api daily quota limit", -1: "system error"}.get(code, "refused"),
            )
        routes = {
            "/cgi-bin/material/add_material": self._add_material,
            "/cgi-bin/draft/add": self._draft_add,
            "/cgi-bin/freepublish/submit": self._submit,
            "/cgi-bin/freepublish/get": self._get,
        }
        if request.method != "POST" or request.path not in routes:
            return 404, {}, "not found"
        return routes[request.path](request)

    def _token(self, request: Request) -> Response:
        query = {k: v[0] for k, v in request.query.items()}
        if query.get("grant_type") != "client_credential":
            return _error(40002, "invalid grant_type")
        if query.get("appid") != APPID:
            return _error(40013, "invalid appid")
        if query.get("secret") != SECRET:
            return _error(40125, "invalid appsecret")
        self.token_fetches += 1
        token = f"TOKEN-{self.token_fetches}"
        self.tokens.add(token)
        return 200, {}, {"access_token": token, "expires_in": 7200}

    def _add_material(self, request: Request) -> Response:
        if request.query.get("type") != ["thumb"]:
            return _error(40004, "invalid media type")
        header = f"Content-Type: {request.header('Content-Type')}\r\n\r\n".encode()
        message = BytesParser(policy=HTTP).parsebytes(header + request.body)
        parts = {
            part.get_param("name", header="content-disposition"): part
            for part in message.iter_parts()
        }
        media = parts.get("media")
        if media is None:
            return _error(41005, "media data missing")
        data = media.get_payload(decode=True)
        if not data.startswith(b"\xff\xd8") or len(data) > THUMB_LIMIT:
            return _error(40009, "invalid image size or format (thumb: JPG, 64 KB)")
        media_id = f"THUMB-{next(self._ids)}"
        self.materials[media_id] = data
        return 200, {}, {"media_id": media_id, "url": f"https://mmbiz.qpic.cn/{media_id}/0"}

    def _draft_add(self, request: Request) -> Response:
        articles = request.json().get("articles") or []
        if not articles:
            return _error(40007, "invalid media_id")
        for article in articles:
            if article.get("thumb_media_id") not in self.materials:
                return _error(40007, "invalid media_id")
            if len(article.get("title", "")) > 64 or not article.get("content"):
                return _error(45003, "title size out of limit")
        media_id = f"DRAFT-{next(self._ids)}"
        self.drafts[media_id] = articles
        return 200, {}, {"media_id": media_id}

    def _submit(self, request: Request) -> Response:
        media_id = request.json().get("media_id")
        if media_id not in self.drafts:
            return _error(40007, "invalid media_id")
        publish_id = f"{next(self._ids)}00"
        self.published[publish_id] = {"draft": media_id, "polls": 0}
        return 200, {}, {"errcode": 0, "errmsg": "ok", "publish_id": publish_id, "msg_data_id": 1}

    def _get(self, request: Request) -> Response:
        publish_id = request.json().get("publish_id")
        job = self.published.get(publish_id)
        if job is None:
            return _error(40007, "invalid publish_id")
        job["polls"] += 1
        if job["polls"] <= self.publishing_polls:
            return 200, {}, {"publish_id": publish_id, "publish_status": 1}
        if self.final_status:
            return (
                200,
                {},
                {"publish_id": publish_id, "publish_status": self.final_status, "fail_idx": [1]},
            )
        article_id = f"ARTICLE-{publish_id}"
        return (
            200,
            {},
            {
                "publish_id": publish_id,
                "publish_status": 0,
                "article_id": article_id,
                "article_detail": {
                    "count": 1,
                    "item": [{"idx": 1, "article_url": f"https://mp.weixin.qq.com/s/{article_id}"}],
                },
                "fail_idx": [],
            },
        )
