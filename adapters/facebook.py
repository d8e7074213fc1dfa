"""Facebook Pages: ``POST /{page_id}/feed`` with ``message`` and ``link``; the platform
builds the link card from the article page's Open Graph tags.

With ``picture = true`` the lead image (else a share card) is uploaded first to ``/{page_id}/photos`` with
``published=false`` and attached by its id (``attached_media``); the link then stays in
the message, since Facebook shows a photo post rather than a link card.

Facebook counts a post's ``message`` up to 63,206 characters (rule ``facebook``, see
``syndicator.text.rules``). A post is a teaser for the card, so the default
``limit`` is 1,000; raise it up to 63,206 for long posts.

The usage headers of every answer (``X-App-Usage``, ``X-Page-Usage``,
``X-Business-Use-Case-Usage``) are read, and a target at 90 % of a window is paused
before the limit rather than after (see ``_meta.UsageGuard``).

Not idempotent, but ``find_existing`` lists the Page's recent posts and looks for the
article's link, so a delivery interrupted by a crash is settled, never posted twice.
"""

from __future__ import annotations

import logging
from typing import Any

from pydantic import Field, field_validator

from syndicator.adapter import Adapter, AdapterOptions, Target
from syndicator.errors import RenderError, Transient
from syndicator.models import Article, Media, Post, Receipt
from syndicator.secrets import redact

from ._card_picture import share_card_jpeg
from ._common import compose, lead_picture, media_data, receipt
from ._meta import GraphClient, UsageGuard

log = logging.getLogger(__name__)

PLATFORM = "facebook"
DEFAULT_TEMPLATE = "{title}\n\n{summary}\n\n{url} {hashtags}"
MAX_PHOTO_BYTES = 4 * 1024 * 1024  # Page photos: JPEG, PNG, GIF up to 4 MB
RECENT_POSTS = 25  # how many of the Page's newest posts find_existing reads


class FacebookOptions(AdapterOptions):
    #: The Page's numeric id.
    page_id: str = Field(pattern=r"^[0-9]+$")
    #: Upload the lead image (else a share card) and attach it: a photo post instead
    #: of the link card.
    picture: bool = False
    #: The share-card layout used when the article has no lead image.
    card_layout: str = "square"
    #: Our own cap on the message, in the platform's units (at most 63,206).
    limit: int = Field(1000, ge=100, le=63_206)
    #: The Graph API version to call (Meta upgrades a retired one to its oldest).
    version: str = Field("v24.0", pattern=r"^v[0-9]+\.[0-9]+$")
    base_url: str = "https://graph.facebook.com"

    @field_validator("base_url")
    @classmethod
    def _http_url(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")):
            raise ValueError(f"expected an http(s):// URL, got {value!r}")
        return value.rstrip("/")


class FacebookAdapter(Adapter):
    rule = "facebook"
    Options = FacebookOptions
    secrets = frozenset({"access_token"})
    required_secrets = secrets

    def __init__(self, target: Target) -> None:
        super().__init__(target)
        self._client: GraphClient | None = None

    @property
    def _options(self) -> FacebookOptions:
        return self.options

    @property
    def client(self) -> GraphClient:
        if self._client is None:
            options = self._options
            self._client = GraphClient(
                root=options.base_url,
                version=options.version,
                token=lambda: self.target.secret("access_token"),
                platform=PLATFORM,
                guard=UsageGuard(
                    self.target.cache, f"facebook-usage:{options.page_id}", platform=PLATFORM
                ),
            )
        return self._client

    def render(self, article: Article) -> Post:
        fitted = compose(
            article,
            self.target,
            rule="facebook",
            default_template=DEFAULT_TEMPLATE,
            limit=self._options.limit,
        )
        picture = self._picture(article) if self._options.picture else None
        return Post(
            target=self.target.name,
            adapter="facebook",
            text=fitted.text,
            rule="facebook",
            length=fitted.length,
            limit=fitted.limit,
            media=(picture,) if picture else (),
            link=article.url,
            title=article.title,
        )

    def _picture(self, article: Article) -> Media | None:
        """The lead image, else a share card; neither (no font for the card): none."""
        lead = lead_picture(article, max_bytes=MAX_PHOTO_BYTES)
        if lead is not None:
            return lead
        try:
            card = share_card_jpeg(
                article, self.target, layout=self._options.card_layout, max_bytes=MAX_PHOTO_BYTES
            )
        except RenderError as exc:
            log.warning("facebook: no picture for %s: %s", article.url, exc)
            return None
        return Media("card.jpg", "image/jpeg", card, article.title)

    def publish(self, post: Post, *, key: str) -> Receipt:
        client = self.client
        assert client.guard is not None
        client.guard.check()
        page = self._options.page_id
        body: dict[str, Any] = {"message": post.text}
        if post.media:
            photo = post.media[0]
            uploaded = client.call(
                "POST",
                f"{page}/photos",
                data={"published": "false"},
                files={"source": (photo.filename, media_data(photo), photo.mime)},
            )
            photo_id = str(uploaded.get("id") or "")
            if not photo_id:
                raise Transient("facebook: the photo upload answered without an id")
            body["attached_media"] = [{"media_fbid": photo_id}]
        elif post.link:
            body["link"] = post.link
        created = client.call("POST", f"{page}/feed", json=body)
        post_id = str(created.get("id") or "")
        if not post_id:
            raise Transient("facebook: POST /feed answered without a post id")
        log.info("Facebook post %s created", redact(post_id))
        return receipt(remote_id=post_id, remote_url=f"https://www.facebook.com/{post_id}")

    def find_existing(self, post: Post, *, key: str) -> Receipt | None:
        """The Page's newest posts, searched for this article's link (as the link of
        a card, or in the message of a photo post)."""
        listing = self.client.call(
            "GET",
            f"{self._options.page_id}/feed",
            params={"fields": "id,message,link,permalink_url", "limit": str(RECENT_POSTS)},
        )
        for item in listing.get("data") or []:
            if not isinstance(item, dict):
                continue
            if item.get("link") == post.link or (
                post.link and post.link in str(item.get("message"))
            ):
                post_id = str(item.get("id") or "")
                url = str(item.get("permalink_url") or f"https://www.facebook.com/{post_id}")
                return receipt(remote_id=post_id, remote_url=url)
        return None

    def verify(self) -> str:
        page = self.client.call("GET", self._options.page_id, params={"fields": "id,name"})
        return f"Page {page.get('name')} ({page.get('id')})"

    def close(self) -> None:
        if self._client is not None:
            self._client.close()
            self._client = None
