"""Instagram (a professional account, Instagram Graph API): every post is an image.

The flow (developers.facebook.com, Instagram Platform, "Content Publishing"):
``GET /{user_id}/content_publishing_limit`` first (a refused post would still use a
call), ``POST /{user_id}/media`` with ``image_url``, ``caption`` and ``alt_text``
creates a container, ``GET /{container}?fields=status_code`` until FINISHED (bounded
back-off, ``_meta.wait_for_container``), then ``POST /{user_id}/media_publish``.

Instagram fetches ``image_url`` itself, so the image must be at a public URL:
``[media] public_url`` (and ``[media] serve``, or the office's web server). The image
is the lead image as a JPEG (the only type Instagram takes) padded into the allowed
aspect ratios (4:5 to 1.91:1), or a square share card (``image = "card"``, and
whenever the article has no lead image).

The container id is recorded per delivery in the post log's shared cache before it
is published: a retry reuses it, sees it PUBLISHED if the last attempt got that far,
and never publishes twice; an EXPIRED container (24 h) is created again; after a
crash, ``find_existing`` answers from the same record. Reading the permalink after
publishing is a courtesy: when it fails, the post is still sent.
"""

from __future__ import annotations

import io
import logging
import time
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Literal

from pydantic import Field

from syndicator.adapter import Adapter, AdapterOptions, Target
from syndicator.errors import PublishError, RateLimited, Rejected, RenderError, Transient
from syndicator.models import Article, Media, Post, Receipt
from syndicator.secrets import redact

from ._card_picture import share_card_jpeg
from ._common import compose, lead_picture, media_data, receipt
from ._containers import (
    published_container,
    publishing_quota,
    run_container_flow,
    wait_for_container,
)
from ._meta import GraphClient, UsageGuard, is_graph_id

log = logging.getLogger(__name__)

PLATFORM = "instagram"
DEFAULT_TEMPLATE = "{title}\n\n{summary}\n\n{url}\n\n{hashtags}"
MAX_IMAGE_BYTES = 8 * 1024 * 1024  # image_url: JPEG, at most 8 MB
RATIOS = (4 / 5, 1.91)  # narrowest and widest aspect ratio a feed image may have
MAX_ALT = 1000  # alt_text


class InstagramOptions(AdapterOptions):
    #: The Instagram professional account's id (IG User id).
    user_id: str = Field(pattern=r"^[0-9]+$")
    #: "lead": the article's image (a card when it has none); "card": always a card.
    image: Literal["lead", "card"] = "lead"
    #: The share-card layout used for "card" (see the wechat_card adapter).
    card_layout: str = "square"
    version: str = Field("v24.0", pattern=r"^v[0-9]+\.[0-9]+$")
    #: graph.facebook.com (Facebook Login) or graph.instagram.com (Instagram Login).
    base_url: str = Field("https://graph.facebook.com", pattern=r"^https?://")
    #: Container polling: the first wait (seconds, doubled each time) and how many reads.
    poll_delay: float = Field(2.0, ge=0.0, le=60.0)
    poll_attempts: int = Field(6, ge=1, le=20)


class InstagramAdapter(Adapter):
    rule = "instagram"
    Options = InstagramOptions
    secrets = frozenset({"access_token"})
    required_secrets = secrets
    #: content_publishing_limit's documented quota: 50 posts in a moving 24 hours.
    max_per_day = 50

    def __init__(self, target: Target) -> None:
        super().__init__(target)
        self._client: GraphClient | None = None

    @property
    def _options(self) -> InstagramOptions:
        return self.options

    @property
    def client(self) -> GraphClient:
        if self._client is None:
            options = self._options
            self._client = GraphClient(
                root=options.base_url.rstrip("/"),
                version=options.version,
                token=lambda: self.target.secret("access_token"),
                platform=PLATFORM,
                guard=UsageGuard(
                    self.target.cache, f"instagram-usage:{options.user_id}", platform=PLATFORM
                ),
            )
        return self._client

    def render(self, article: Article) -> Post:
        fitted = compose(article, self.target, rule="instagram", default_template=DEFAULT_TEMPLATE)
        return Post(
            target=self.target.name,
            adapter="instagram",
            text=fitted.text,
            rule="instagram",
            length=fitted.length,
            limit=fitted.limit,
            media=(self._image(article),),
            link=article.url,
            title=article.title,
        )

    def _image(self, article: Article) -> Media:
        alt = article.title[:MAX_ALT]
        if self._options.image == "lead":
            picture = lead_picture(article, max_bytes=MAX_IMAGE_BYTES)
            if picture is not None:
                data = feed_jpeg(media_data(picture))
                if data is not None:
                    return Media(f"{_stem(picture.filename)}.jpg", "image/jpeg", data, alt)
        return Media("card.jpg", "image/jpeg", self._card(article), alt)

    def _card(self, article: Article) -> bytes:
        return share_card_jpeg(
            article, self.target, layout=self._options.card_layout, max_bytes=MAX_IMAGE_BYTES
        )

    def validate(self, source_urls: Mapping[str, str]) -> list[str]:
        if self.target.public_media is None:
            return [
                "instagram fetches the image from a public URL: set [media] public_url "
                '(and [media] serve = "0.0.0.0:8081", or publish the media folder yourself)'
            ]
        return []

    def publish(self, post: Post, *, key: str) -> Receipt:
        client = self.client
        assert client.guard is not None
        client.guard.check()
        image_url = self._image_url(post)
        published, earlier = run_container_flow(
            cache=self.target.cache,
            key=key,
            platform=PLATFORM,
            status=self._status,
            check_quota=self._check_quota,
            create=lambda: self._create(post, image_url),
            wait=self._wait,
            publish=self._publish_container,
        )
        if earlier:
            log.info("instagram container %s was already published", published)
            return receipt(remote_id=published, detail="published by an earlier attempt")
        return receipt(remote_id=published, remote_url=self._permalink(published))

    def _image_url(self, post: Post) -> str:
        public = self.target.public_media
        url = public.url_for(post.media[0]) if public is not None and post.media else None
        if url is None:
            raise Rejected(
                "instagram: the image has no public URL; set [media] public_url "
                "(syndicator check says what is missing)"
            )
        return url

    def _check_quota(self) -> None:
        answer = self.client.call(
            "GET",
            f"{self._options.user_id}/content_publishing_limit",
            params={"fields": "quota_usage,config"},
        )
        quota = publishing_quota(answer)
        if quota is not None and quota[0] >= quota[1]:
            raise RateLimited(
                f"instagram: {quota[0]} of {quota[1]} posts in 24 hours used (content_publishing_limit)",
                retry_at=datetime.now(UTC) + timedelta(hours=1),
            )

    def _create(self, post: Post, image_url: str) -> str:
        fields = {"image_url": image_url, "caption": post.text}
        if post.media and post.media[0].alt:
            fields["alt_text"] = post.media[0].alt
        created = self.client.call("POST", f"{self._options.user_id}/media", data=fields)
        container = str(created.get("id") or "")
        if not is_graph_id(container):
            raise Transient("instagram: POST /media answered without a valid container id")
        return container

    def _status(self, container: str) -> str:
        answer = self.client.call("GET", container, params={"fields": "status_code,status"})
        return str(answer.get("status_code") or "IN_PROGRESS")

    def _wait(self, container: str) -> str:
        def read() -> tuple[str, str]:
            answer = self.client.call("GET", container, params={"fields": "status_code,status"})
            return str(answer.get("status_code") or "IN_PROGRESS"), str(answer.get("status") or "")

        options = self._options
        return wait_for_container(
            read,
            platform=PLATFORM,
            attempts=options.poll_attempts,
            first_delay=options.poll_delay,
            sleep=time.sleep,
        )

    def _publish_container(self, container: str) -> str:
        published = self.client.call(
            "POST", f"{self._options.user_id}/media_publish", data={"creation_id": container}
        )
        media_id = str(published.get("id") or "")
        if not media_id:
            raise Transient("instagram: media_publish answered without a media id")
        log.info("instagram media %s published", redact(media_id))
        return media_id

    def _permalink(self, media_id: str) -> str:
        """The post's address; any failure here is logged, the post stands."""
        if not is_graph_id(media_id):
            return ""
        try:
            answer = self.client.call("GET", media_id, params={"fields": "permalink"})
        except PublishError as exc:
            log.warning(
                "instagram media %s published; its permalink could not be read: %s", media_id, exc
            )
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
        user = self.client.call("GET", self._options.user_id, params={"fields": "id,username"})
        return f"@{user.get('username')} ({user.get('id')})"

    def close(self) -> None:
        if self._client is not None:
            self._client.close()
            self._client = None


def feed_jpeg(data: bytes) -> bytes | None:
    """``data`` as a JPEG Instagram's feed accepts: RGB, padded with white to an aspect
    ratio between 4:5 and 1.91:1, under 8 MB. ``None`` when it cannot be decoded."""
    from PIL import Image, ImageOps

    try:
        with Image.open(io.BytesIO(data)) as opened:
            image = ImageOps.exif_transpose(opened).convert("RGB")
    except (OSError, SyntaxError, ValueError, Image.DecompressionBombError) as exc:
        log.warning("instagram: lead image not usable: %s", exc)
        return None
    width, height = image.size
    narrow, wide = RATIOS
    if width / height < narrow:
        width = round(height * narrow + 0.5)
    elif width / height > wide:
        height = round(width / wide + 0.5)
    if (width, height) != image.size:
        canvas = Image.new("RGB", (width, height), (255, 255, 255))
        canvas.paste(image, ((width - image.width) // 2, (height - image.height) // 2))
        image = canvas
    image.thumbnail((1440, 1800))
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=88, optimize=True)
    if buffer.tell() > MAX_IMAGE_BYTES:
        raise RenderError("instagram: the lead image does not fit 8 MB as a JPEG")
    return buffer.getvalue()


def _stem(filename: str) -> str:
    return filename.rsplit(".", 1)[0] or "image"
