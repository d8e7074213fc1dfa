"""WeChat Official Account (公众号): an article saved as a draft, optionally published.

The flow (developers.weixin.qq.com, "草稿箱" and "发布能力"): upload the cover as permanent
thumb material (a JPEG of at most 64 KB), ``draft/add`` the article, and with
``publish = true`` ``freepublish/submit`` it, then poll ``freepublish/get`` until WeChat
reports success (``publish_status`` 0) or failure (2 and above). Publishing through the
API is only open to verified accounts since July 2025, so the share card
(``wechat_card``) is the default way to WeChat; this adapter is for offices whose
account is verified, or who want drafts to review on the MP website.

Config::

    [[targets]]
    name = "wechat-oa"
    adapter = "wechat_oa"
    appid = "wx0123456789abcdef"
    publish = false                   # true: publish the draft too
    [targets.secrets]
    app_secret = "env:WECHAT_APP_SECRET"
"""

from __future__ import annotations

import logging
import time
from pathlib import Path
from typing import Any, ClassVar

from pydantic import Field

from syndicator.adapter import Adapter, AdapterOptions
from syndicator.errors import Rejected
from syndicator.models import Article, Media, Post, Receipt

from .card import render_card
from .content import card_content, file_stem, summary_text
from .draw import encode_jpeg
from .fonts import find_fonts
from .html import paragraphs_to_html, sanitize_html
from .oa_client import OfficialAccountClient
from .templates import load_template

log = logging.getLogger(__name__)

TITLE_LIMIT = 64
DIGEST_LIMIT = 120
CONTENT_LIMIT = 20_000
THUMB_BYTES = 64 * 1024
PUBLISH_STATUS = {
    2: "original-content check failed",
    3: "publishing failed",
    4: "platform review failed",
    5: "deleted after publishing",
    6: "banned after publishing",
}


class OfficialAccountOptions(AdapterOptions):
    appid: str = Field(min_length=1)
    base_url: str = "https://api.weixin.qq.com"
    author: str = ""
    publish: bool = False
    need_open_comment: bool = False
    only_fans_can_comment: bool = False
    font: Path | None = None
    font_bold: Path | None = None
    brand_color: str = Field(default="#1d4f91", pattern=r"^#[0-9a-fA-F]{6}$")
    site_name: str | None = None
    poll_interval: float = Field(default=3.0, gt=0)
    poll_timeout: float = Field(default=120.0, gt=0)


class WeChatOfficialAccountAdapter(Adapter):
    rule: ClassVar[str] = "plain"
    idempotent: ClassVar[bool] = False
    Options: ClassVar[type[AdapterOptions]] = OfficialAccountOptions
    secrets: ClassVar[frozenset[str]] = frozenset({"app_secret"})
    required_secrets: ClassVar[frozenset[str]] = frozenset({"app_secret"})

    _client: OfficialAccountClient | None = None

    @property
    def _options(self) -> OfficialAccountOptions:
        assert isinstance(self.options, OfficialAccountOptions)
        return self.options

    @property
    def client(self) -> OfficialAccountClient:
        if self._client is None:
            self._client = OfficialAccountClient(
                self._options.base_url,
                self._options.appid,
                lambda: self.target.secret("app_secret"),
                self.target.cache,
            )
        return self._client

    def _path(self, value: Path | None) -> Path | None:
        if value is None:
            return None
        return value if value.is_absolute() else self.target.base_dir / value

    def render(self, article: Article) -> Post:
        from syndicator.text import measure, summarize, truncate

        options = self._options
        title = article.title
        if measure(title, "plain") > TITLE_LIMIT:
            title = truncate(title, TITLE_LIMIT, "plain")
        digest = summarize(summary_text(article), DIGEST_LIMIT, "plain", title=article.title)
        content = card_content(
            article,
            timezone=self.target.timezone,
            brand=options.brand_color,
            site_name=options.site_name,
        )
        fonts = find_fonts(self._path(options.font), self._path(options.font_bold))
        cover = render_card(content, load_template("cover"), fonts)
        thumb = Media(
            f"{file_stem(article.key)}-thumb.jpg",
            "image/jpeg",
            encode_jpeg(cover.image, max_bytes=THUMB_BYTES),
            title,
        )
        return Post(
            target=self.target.name,
            adapter="wechat_oa",
            text=digest,
            rule=self.rule,
            length=measure(digest, self.rule),
            limit=DIGEST_LIMIT,
            media=(thumb,),
            extra={
                "content": article_html(article.text or article.summary),
                "author": options.author,
                "content_source_url": article.url,
                "need_open_comment": int(options.need_open_comment),
                "only_fans_can_comment": int(options.only_fans_can_comment),
            },
            link=article.url,
            title=title,
        )

    def publish(self, post: Post, *, key: str) -> Receipt:
        if not post.media:
            raise Rejected("a WeChat article needs a cover image (thumb material)")
        thumb = post.media[0]
        uploaded = self.client.call(
            "/cgi-bin/material/add_material",
            params={"type": "thumb"},
            files={"media": (thumb.filename, thumb.data, thumb.mime)},
            action="uploading the cover",
        )
        article: dict[str, Any] = {
            "title": post.title,
            "author": post.extra.get("author", ""),
            "digest": post.text,
            "content": post.extra["content"],
            "content_source_url": post.extra.get("content_source_url", post.link),
            "thumb_media_id": uploaded["media_id"],
            "need_open_comment": post.extra.get("need_open_comment", 0),
            "only_fans_can_comment": post.extra.get("only_fans_can_comment", 0),
        }
        draft = self.client.call(
            "/cgi-bin/draft/add", payload={"articles": [article]}, action="saving the draft"
        )
        draft_id = str(draft["media_id"])
        if not self._options.publish:
            return Receipt(remote_id=draft_id, detail="saved as a draft")
        submitted = self.client.call(
            "/cgi-bin/freepublish/submit",
            payload={"media_id": draft_id},
            action="submitting the draft for publishing",
        )
        return self._wait_for_publishing(str(submitted["publish_id"]), draft_id)

    def _wait_for_publishing(self, publish_id: str, draft_id: str) -> Receipt:
        """Poll ``freepublish/get``: errcode 0 only meant "accepted"."""
        deadline = time.monotonic() + self._options.poll_timeout
        while True:
            state = self.client.call(
                "/cgi-bin/freepublish/get",
                payload={"publish_id": publish_id},
                action="checking the publishing",
            )
            status = int(state.get("publish_status", 1))
            if status == 0:
                items = (state.get("article_detail") or {}).get("item") or [{}]
                return Receipt(
                    remote_id=str(state.get("article_id", publish_id)),
                    remote_url=str(items[0].get("article_url", "")),
                    detail=f"published (publish_id {publish_id}, draft {draft_id})",
                )
            if status >= 2:
                reason = PUBLISH_STATUS.get(status, f"publish_status {status}")
                failed = state.get("fail_idx") or []
                raise Rejected(
                    f"WeChat {reason} for publish_id {publish_id}"
                    + (f" (failed articles: {failed})" if failed else ""),
                    platform_message=str(state),
                )
            if time.monotonic() >= deadline:
                log.warning(
                    "publish_id %s still publishing after %.0f s",
                    publish_id,
                    self._options.poll_timeout,
                )
                return Receipt(
                    remote_id=publish_id,
                    detail=f"submitted; still publishing after {self._options.poll_timeout:.0f} s "
                    f"(draft {draft_id})",
                )
            time.sleep(self._options.poll_interval)

    def verify(self) -> str:
        self.client.token()
        return f"WeChat Official Account {self._options.appid}: access_token OK"

    def close(self) -> None:
        if self._client is not None:
            self._client.close()
            self._client = None


def article_html(text: str) -> str:
    """The body as sanitized HTML under WeChat's 20,000-character cap, cut between
    paragraphs (the "阅读原文" link leads to the rest)."""
    html = sanitize_html(paragraphs_to_html(text))
    if len(html) < CONTENT_LIMIT:
        return html
    kept: list[str] = []
    size = 0
    for paragraph in html.split("</p>"):
        piece = paragraph + "</p>"
        if size + len(piece) >= CONTENT_LIMIT - 20:
            break
        kept.append(piece)
        size += len(piece)
    return "".join(kept) + "<p>…</p>"
