"""WeChat share cards: the poster a person shares, since a web page cannot post to WeChat.

News offices in China share an image: headline, a short summary and the QR code of the
article ("长按识别二维码"), which opens the article when the image is long-pressed in
WeChat. ``render`` draws that poster (PNG, plus a JPEG under a size cap) and the
900 x 383 cover WeChat shows above a shared article; ``publish`` writes the files to a
folder, where a person (or a sync tool) picks them up. Publishing is idempotent: the same
delivery key always writes the same file names, replaced atomically.

Config::

    [[targets]]
    name = "wechat-poster"
    adapter = "wechat_card"
    layout = "poster"                 # poster | square | story | path/to/template.toml
    path = "cards"                    # output folder, relative to the config file
    utm = { source = "wechat", medium = "poster" }
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from pydantic import Field

from syndicator.adapter import Adapter, AdapterOptions
from syndicator.models import Article, Media, Post, Receipt

from .content import card_content, card_stem
from .draw import draw_layout, encode_jpeg, encode_png
from .fonts import FontSet, find_fonts
from .layout import CardContent, Layout, compute_layout
from .templates import Template, load_template

if TYPE_CHECKING:
    from PIL.Image import Image

log = logging.getLogger(__name__)

CAPTION_LIMIT = 500
COVER_JPEG_BYTES = 200 * 1024


class CardOptions(AdapterOptions):
    layout: str = "poster"
    path: str = "cards"
    font: Path | None = None
    font_bold: Path | None = None
    utm: dict[str, str] = Field(default_factory=dict)
    logo: Path | None = None
    brand_color: str = Field(default="#1d4f91", pattern=r"^#[0-9a-fA-F]{6}$")
    site_name: str | None = None
    #: Call-to-action overrides by language, e.g. { zh = "扫码阅读", en = "Scan me" }.
    cta: dict[str, str] = Field(default_factory=dict)
    jpeg_max_kb: int = Field(default=500, ge=30, le=10_000)
    cover: bool = True


@dataclass(frozen=True)
class RenderedCard:
    """A drawn card and the layout it was drawn from (for tests and previews)."""

    layout: Layout
    image: Image


def render_card(content: CardContent, template: Template, fonts: FontSet) -> RenderedCard:
    """Lay out and draw one card. Raises ``RenderError`` for text the font cannot draw
    or a QR code that would be too small to scan."""
    layout = compute_layout(template, content, fonts)
    return RenderedCard(layout, draw_layout(layout, content, fonts))


class WeChatCardAdapter(Adapter):
    rule: ClassVar[str] = "plain"
    idempotent: ClassVar[bool] = True
    Options: ClassVar[type[AdapterOptions]] = CardOptions

    @property
    def _options(self) -> CardOptions:
        assert isinstance(self.options, CardOptions)
        return self.options

    def _path(self, value: Path | None) -> Path | None:
        if value is None:
            return None
        return value if value.is_absolute() else self.target.base_dir / value

    def content(self, article: Article) -> CardContent:
        options = self._options
        return card_content(
            article,
            timezone=self.target.timezone,
            utm=options.utm,
            brand=options.brand_color,
            site_name=options.site_name,
            logo=self._path(options.logo),
            cta=options.cta,
        )

    def fonts(self) -> FontSet:
        options = self._options
        return find_fonts(self._path(options.font), self._path(options.font_bold))

    def render_article(self, article: Article) -> RenderedCard:
        """The poster for ``article`` in the configured layout."""
        template = load_template(self._options.layout, base_dir=self.target.base_dir)
        return render_card(self.content(article), template, self.fonts())

    def render(self, article: Article) -> Post:
        from syndicator.text import measure, truncate

        options = self._options
        content = self.content(article)
        fonts = self.fonts()
        template = load_template(options.layout, base_dir=self.target.base_dir)
        card = render_card(content, template, fonts)
        stem = card_stem(article, self.target.timezone)
        alt = f"{content.title} — {content.source}".strip(" —")
        media = [
            Media(f"{stem}-{template.name}.png", "image/png", encode_png(card.image), alt),
            Media(
                f"{stem}-{template.name}.jpg",
                "image/jpeg",
                encode_jpeg(card.image, max_bytes=options.jpeg_max_kb * 1024),
                alt,
            ),
        ]
        if options.cover:
            cover = render_card(content, load_template("cover"), fonts)
            media.append(
                Media(
                    f"{stem}-cover.jpg",
                    "image/jpeg",
                    encode_jpeg(cover.image, max_bytes=COVER_JPEG_BYTES),
                    content.title,
                )
            )
        room = CAPTION_LIMIT - measure(content.url, "plain") - 1
        title = (
            truncate(content.title, room, "plain")
            if measure(content.title, "plain") > room
            else content.title
        )
        caption = f"{title}\n{content.url}"
        return Post(
            target=self.target.name,
            adapter="wechat_card",
            text=caption,
            rule=self.rule,
            length=measure(caption, self.rule),
            limit=CAPTION_LIMIT,
            media=tuple(media),
            extra={
                "layout": template.name,
                "size": [card.layout.width, card.layout.height],
                "title_lines": _headline_lines(card.layout),
                "files": [m.filename for m in media],
            },
            link=content.url,
            title=content.title,
        )

    def _files(self, post: Post) -> list[tuple[Path, Media]]:
        """Where each medium goes in the card folder: under its own name
        (``YYYY-MM-DD-<slug>-<layout>.png``), whatever the delivery key."""
        folder = self.target.base_dir / self._options.path
        return [(folder / Path(m.filename).name, m) for m in post.media]

    def publish(self, post: Post, *, key: str) -> Receipt:
        files = self._files(post)
        if not files:
            from syndicator.errors import Rejected

            raise Rejected("the post has no card image to write")
        folder = files[0][0].parent
        try:
            folder.mkdir(parents=True, exist_ok=True)
            for path, media in files:
                place_file(path, media)
        except OSError as exc:
            from syndicator.errors import Transient

            raise Transient(f"cannot write the card to {folder}: {exc.strerror or exc}") from exc
        log.info("wrote %d card files to %s", len(files), folder)
        return _receipt(files)

    def find_existing(self, post: Post, *, key: str) -> Receipt | None:
        files = self._files(post)
        if files and all(_holds(path, media) for path, media in files):
            return _receipt(files)
        return None

    def verify(self) -> str:
        fonts = self.fonts()
        template = load_template(self._options.layout, base_dir=self.target.base_dir)
        return f"card layout {template.name!r}, font {fonts.regular.path.name} (face {fonts.regular.index})"


def _headline_lines(layout: Layout) -> list[str]:
    """The headline as drawn: under the lead image, or on the brand colour without one."""
    for name in ("title", "band_title", "cover_title"):
        if layout.has(name):
            return list(layout.box(name).text.lines)  # type: ignore[union-attr]
    return []


def _receipt(files: list[tuple[Path, Media]]) -> Receipt:
    png = files[0][0].resolve()
    return Receipt(
        remote_id=png.name,
        remote_url=png.as_uri(),
        detail=", ".join(path.name for path, _ in files),
    )


def _holds(path: Path, media: Media) -> bool:
    """Whether ``path`` is already this medium (the same file, or the same bytes)."""
    if not path.is_file():
        return False
    if media.path is not None and media.path.is_file() and path.samefile(media.path):
        return True
    return path.read_bytes() == media.data


def place_file(path: Path, media: Media) -> None:
    """Put ``media`` at ``path``, stored once: a hard link to the copy the engine keeps
    in its media folder (the same bytes on disk, and a card a person or sync tool finds
    by name), a relative symbolic link where the two folders are on different file
    systems, and the bytes themselves only for a medium the engine did not store.
    Readers see the old file or the new one, never half of one."""
    if _holds(path, media):
        return
    stored = media.path if media.path is not None and media.path.is_file() else None
    temporary = path.with_name(f".{path.name}.{os.getpid()}.part")
    temporary.unlink(missing_ok=True)
    try:
        if stored is None:
            _write_bytes(temporary, media.data)
        else:
            try:
                os.link(stored, temporary)
            except OSError:
                os.symlink(os.path.relpath(stored.resolve(), path.parent.resolve()), temporary)
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


def _write_bytes(path: Path, data: bytes) -> None:
    with open(path, "wb") as stream:
        stream.write(data)
        stream.flush()
        os.fsync(stream.fileno())
    os.chmod(path, 0o644)
