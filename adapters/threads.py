"""Threads (graph.threads.net): a container, then ``threads_publish``.

developers.facebook.com/documentation/threads/posts: ``POST /{user_id}/threads`` with
``media_type`` TEXT (``text``, and ``link_attachment`` for the link card) or IMAGE
(``image_url``, fetched by Threads from a public URL, and ``text``), then
``POST /{user_id}/threads_publish`` with ``creation_id``. Text is at most 500
characters with emoji counted as their UTF-8 bytes, and at most 5 links (rule
``threads``). Profiles may publish 250 posts in a moving 24 hours
(``GET /{user_id}/threads_publishing_limit``), checked before each post.

An image needs ``[media] public_url``; without one, or with ``picture = false``, the
post is TEXT with the link attached. The container flow, its bounded polling, the
reuse of a delivery's container on retry and ``find_existing`` from that record are
shared with Instagram (``_meta``).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta

from pydantic import Field

from syndicator.adapter import Adapter, AdapterOptions, Target
from syndicator.errors import PublishError, RateLimited, Transient
from syndicator.models import Article, Post, Receipt
from syndicator.secrets import redact

from ._common import compose, lead_picture, receipt
from ._containers import (
    published_container,
    publishing_quota,
    run_container_flow,
    wait_for_container,
)
from ._meta import GraphClient, is_graph_id

log = logging.getLogger(__name__)

PLATFORM = "threads"
DEFAULT_TEMPLATE = "{title}\n\n{summary}\n\n{url} {hashtags}"
MAX_IMAGE_BYTES = 8 * 1024 * 1024  # images: JPEG or PNG, at most 8 MB


class ThreadsOptions(AdapterOptions):
    #: The Threads user id of the profile.
    user_id: str = Field(pattern=r"^[0-9]+$")
    #: Post the lead image (needs [media] public_url); otherwise a text post.
    picture: bool = True
    version: str = Field("v1.0", pattern=r"^v[0-9]+\.[0-9]+$")
    base_url: str = Field("https://graph.threads.net", pattern=r"^https?://")
    poll_delay: float = Field(1.0, ge=0.0, le=60.0)
    poll_attempts: int = Field(6, ge=1, le=20)


class ThreadsAdapter(Adapter):
    rule = "threads"
    Options = ThreadsOptions
    secrets = frozenset({"access_token"})
    required_secrets = secrets
    #: "Threads profiles are limited to 250 API-published posts within a 24-hour
    #: moving period" (Threads API overview, Rate Limiting).
    max_per_day = 250

    def __init__(self, target: Target) -> None:
        super().__init__(target)
        self._client: GraphClient | None = None

    @property
    def _options(self) -> ThreadsOptions:
        return self.options

    @property
    def client(self) -> GraphClient:
        if self._client is None:
            self._client = GraphClient(
                root=self._options.base_url.rstrip("/"),
                version=self._options.version,
                token=lambda: self.target.secret("access_token"),
                platform=PLATFORM,
            )
        return self._client

    def render(self, article: Article) -> Post:
        fitted = compose(article, self.target, rule="threads", default_template=DEFAULT_TEMPLATE)
        picture = (
            lead_picture(article, max_bytes=MAX_IMAGE_BYTES) if self._options.picture else None
        )
        return Post(
            target=self.target.name,
            adapter="threads",
            text=fitted.text,
            rule="threads",
            length=fitted.length,
            limit=fitted.limit,
            media=(picture,) if picture else (),
            link=article.url,
            title=article.title,
        )

    def validate(self, source_urls: Mapping[str, str]) -> list[str]:
        if self._options.picture and self.target.public_media is None:
            return [
                "threads fetches images from a public URL: set [media] public_url, or "
                "picture = false for text posts with the link attached"
            ]
        return []

    def publish(self, post: Post, *, key: str) -> Receipt:
        published, earlier = run_container_flow(
            cache=self.target.cache,
            key=key,
            platform=PLATFORM,
            status=self._status,
            check_quota=self._check_quota,
            create=lambda: self._create(post),
            wait=self._wait,
            publish=self._publish_container,
        )
        if earlier:
            return receipt(remote_id=published, detail="published by an earlier attempt")
        return receipt(remote_id=published, remote_url=self._permalink(published))

    def _create(self, post: Post) -> str:
        public = self.target.public_media
        image_url = public.url_for(post.media[0]) if public is not None and post.media else None
        fields = {"text": post.text}
        if image_url:
            fields.update(media_type="IMAGE", image_url=image_url)
            if post.media[0].alt:
                fields["alt_text"] = post.media[0].alt
        else:
            fields["media_type"] = "TEXT"
            if post.link:
                fields["link_attachment"] = post.link
        created = self.client.call("POST", f"{self._options.user_id}/threads", data=fields)
        container = str(created.get("id") or "")
        if not is_graph_id(container):
            raise Transient("threads: POST /threads answered without a valid container id")
        return container

    def _check_quota(self) -> None:
        answer = self.client.call(
            "GET",
            f"{self._options.user_id}/threads_publishing_limit",
            params={"fields": "quota_usage,config"},
        )
        quota = publishing_quota(answer)
        if quota is not None and quota[0] >= quota[1]:
            raise RateLimited(
                f"threads: {quota[0]} of {quota[1]} posts in 24 hours used (threads_publishing_limit)",
                retry_at=datetime.now(UTC) + timedelta(hours=1),
            )

    def _read(self, container: str) -> tuple[str, str]:
        answer = self.client.call("GET", container, params={"fields": "status,error_message"})
        return str(answer.get("status") or "IN_PROGRESS"), str(answer.get("error_message") or "")

    def _status(self, container: str) -> str:
        return self._read(container)[0]

    def _wait(self, container: str) -> str:
        return wait_for_container(
            lambda: self._read(container),
            platform=PLATFORM,
            attempts=self._options.poll_attempts,
            first_delay=self._options.poll_delay,
            sleep=time.sleep,
        )

    def _publish_container(self, container: str) -> str:
        published = self.client.call(
            "POST", f"{self._options.user_id}/threads_publish", data={"creation_id": container}
        )
        post_id = str(published.get("id") or "")
        if not post_id:
            raise Transient("threads: threads_publish answered without a post id")
        log.info("threads post %s published", redact(post_id))
        return post_id

    def _permalink(self, post_id: str) -> str:
        if not is_graph_id(post_id):
            return ""
        try:
            answer = self.client.call("GET", post_id, params={"fields": "permalink"})
        except PublishError as exc:
            log.warning("threads post %s published; permalink not read: %s", post_id, exc)
            return ""
        return str(answer.get("permalink") or "")

    def find_existing(self, post: Post, *, key: str) -> Receipt | None:
        """After a crash mid-publish: the delivery's recorded container, if published."""
        container = published_container(
            self.target.cache, key, platform=PLATFORM, status=self._status
        )
        if container is None:
            return None
        return receipt(remote_id=container, detail="found published after an interruption")

    def verify(self) -> str:
        user = self.client.call("GET", "me", params={"fields": "id,username"})
        return f"@{user.get('username')} ({user.get('id')})"

    def close(self) -> None:
        if self._client is not None:
            self._client.close()
            self._client = None
