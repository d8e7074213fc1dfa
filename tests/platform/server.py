"""The local platform: a threaded HTTP server on 127.0.0.1 that records every post.

Its contract is a generic status API modelled on Mastodon's ``POST /api/v1/statuses``
(https://docs.joinmastodon.org/methods/statuses/#create) and the IETF draft "The
Idempotency-Key HTTP Header Field" (draft-ietf-httpapi-idempotency-key-header):

* ``POST /<channel>/posts`` with JSON ``{"text", "link"}`` and ``Authorization: Bearer
  <token>`` creates a post: ``201 {"id", "url"}``. With an ``Idempotency-Key`` header
  already seen on that channel it creates nothing and answers ``200`` with the first
  post (Mastodon keeps keys for an hour; this server for its lifetime).
* ``GET /<channel>/posts?link=URL`` lists the channel's posts with that link (how an
  adapter "checks the remote side" after a crash).
* Errors, as platforms send them: ``401 {"error"}`` for a wrong token, ``422`` for a
  refused post, ``429`` with ``Retry-After`` (seconds or an HTTP-date) and/or
  ``X-RateLimit-Reset`` (ISO 8601, as Mastodon sends), ``503`` when overloaded.
  ``script`` queues such answers for the next posts of a channel.
"""

from __future__ import annotations

import threading
import time
from collections import defaultdict
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from tests.servers.http import Request, Response, StubServer, serve

TOKEN = "good-token"


@dataclass(frozen=True)
class RecordedPost:
    id: str
    channel: str
    text: str
    link: str
    key: str | None


class Platform:
    def __init__(self, *, delay: float = 0.0, token: str = TOKEN) -> None:
        self.delay = delay  # seconds between recording a post and answering
        self.token = token
        self.posts: dict[str, list[RecordedPost]] = defaultdict(list)
        self.keys: dict[tuple[str, str], RecordedPost] = {}
        self.scripted: dict[str, list[Response]] = defaultdict(list)
        self.attempts: dict[str, int] = defaultdict(int)  # POSTs received, per channel
        self._lock = threading.Lock()
        self.stub: StubServer | None = None

    @property
    def url(self) -> str:
        assert self.stub is not None
        return self.stub.url

    def script(self, channel: str, *responses: tuple[int, Mapping[str, str], Any]) -> None:
        """Answer the next POSTs on ``channel`` with these responses, in order."""
        with self._lock:
            self.scripted[channel].extend(responses)

    def links(self, channel: str) -> list[str]:
        with self._lock:
            return [post.link for post in self.posts[channel]]

    def handle(self, request: Request) -> Response:
        parts = request.path.strip("/").split("/")
        if len(parts) != 2 or parts[1] != "posts":
            return 404, {}, {"error": "no such endpoint"}
        channel = parts[0]
        if request.method == "GET":
            link = request.query.get("link", [""])[0]
            with self._lock:
                found = [p.__dict__ for p in self.posts[channel] if p.link == link]
            return 200, {}, found
        if request.header("Authorization") != f"Bearer {self.token}":
            return 401, {}, {"error": "The access token is invalid"}
        with self._lock:
            self.attempts[channel] += 1
            if self.scripted[channel]:
                return self.scripted[channel].pop(0)
            key = request.header("Idempotency-Key")
            if key and (channel, key) in self.keys:
                first = self.keys[(channel, key)]
                return 200, {}, {"id": first.id, "url": self._post_url(first)}
            body = request.json()
            post = RecordedPost(
                id=str(sum(len(v) for v in self.posts.values()) + 1),
                channel=channel,
                text=body["text"],
                link=body.get("link", ""),
                key=key,
            )
            self.posts[channel].append(post)
            if key:
                self.keys[(channel, key)] = post
        if self.delay:
            time.sleep(self.delay)  # the post exists; the client has not heard yet
        return 201, {}, {"id": post.id, "url": self._post_url(post)}

    def _post_url(self, post: RecordedPost) -> str:
        return f"{self.url}/{post.channel}/posts/{post.id}"


@contextmanager
def running_platform(*, delay: float = 0.0) -> Iterator[Platform]:
    platform = Platform(delay=delay)
    with serve(platform.handle) as stub:
        platform.stub = stub
        yield platform
