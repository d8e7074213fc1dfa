"""Painting a computed ``Layout`` with Pillow, and encoding it byte-for-byte reproducibly.

Nothing is decided here: every position, line and module size comes from the layout.
The encoders write no timestamps or other per-run metadata, so the same article and
template always give the same bytes (the post log can compare digests).
"""

from __future__ import annotations

import io
from typing import TYPE_CHECKING

from .fonts import FontSet, load_font
from .images import contain, smart_crop
from .layout import CardContent, Layout, PlacedBox

if TYPE_CHECKING:
    from PIL.Image import Image
    from PIL.ImageDraw import ImageDraw


def draw_layout(layout: Layout, content: CardContent, fonts: FontSet) -> Image:
    """The card as an RGB image."""
    from PIL import Image as PILImage
    from PIL import ImageDraw

    canvas = PILImage.new("RGB", (layout.width, layout.height), layout.background)
    pen = ImageDraw.Draw(canvas)
    for placed in layout.boxes:
        if placed.kind == "rect":
            _rect(pen, placed)
        elif placed.kind == "image":
            _image(canvas, pen, placed, content)
        elif placed.kind == "text":
            _text(pen, placed, fonts, layout.language)
        elif placed.kind == "qrcode":
            _qrcode(canvas, placed)
    return canvas


def _rect(pen: ImageDraw, placed: PlacedBox) -> None:
    shape = (placed.x, placed.y, placed.x + placed.w - 1, placed.bottom - 1)
    if placed.box.radius:
        pen.rounded_rectangle(shape, radius=placed.box.radius, fill=placed.color)
    else:
        pen.rectangle(shape, fill=placed.color)


def _image(canvas: Image, pen: ImageDraw, placed: PlacedBox, content: CardContent) -> None:
    source = content.cover if placed.box.source == "cover" else content.logo
    if source is None:  # no usable lead image: the branded colour block
        pen.rectangle(
            (placed.x, placed.y, placed.x + placed.w - 1, placed.bottom - 1), fill=content.brand
        )
        return
    if placed.box.mode == "contain":
        picture = contain(source, placed.w, placed.h)
        x = placed.x + (placed.w - picture.width) // 2
        y = placed.y + (placed.h - picture.height) // 2
    else:
        picture = smart_crop(source, placed.w, placed.h)
        x, y = placed.x, placed.y
    if picture.mode == "RGBA":
        canvas.paste(picture, (x, y), picture)
    else:
        canvas.paste(picture, (x, y))


def _text(pen: ImageDraw, placed: PlacedBox, fonts: FontSet, language: str) -> None:
    text = placed.text
    assert text is not None
    font = load_font(fonts.face(text.weight), text.font_size)
    for number, line in enumerate(text.lines):
        width = font.getlength(line, language=language)
        x: float = placed.x
        if text.align == "center":
            x += (placed.w - width) / 2
        elif text.align == "right":
            x += placed.w - width
        middle = placed.y + text.offset + number * text.line_px + text.line_px / 2
        pen.text((x, middle), line, font=font, fill=placed.color, anchor="lm", language=language)


def _qrcode(canvas: Image, placed: PlacedBox) -> None:
    """Modules drawn at whole pixels (no resampling blur), with a light quiet zone even
    on a coloured background, so that scanners find the code."""
    from PIL import Image as PILImage

    qr = placed.qr
    assert qr is not None
    quiet, modules = qr.quiet_zone, qr.modules
    total = modules + 2 * quiet
    small = PILImage.new("L", (total, total), 255)
    small.putdata(
        [
            0
            if quiet <= y < quiet + modules
            and quiet <= x < quiet + modules
            and qr.matrix[y - quiet][x - quiet]
            else 255
            for y in range(total)
            for x in range(total)
        ]
    )
    big = small.resize((qr.size, qr.size), PILImage.Resampling.NEAREST)
    light = PILImage.new("RGB", big.size, placed.box.background)
    dark = PILImage.new("RGB", big.size, placed.color)
    canvas.paste(PILImage.composite(light, dark, big), (qr.x, qr.y))


def encode_png(image: Image) -> bytes:
    """PNG without text, time or physical-size chunks: same pixels, same bytes."""
    buffer = io.BytesIO()
    # Level 3: half the time of the default 6 for 1% more bytes on a flat poster.
    image.save(buffer, format="PNG", compress_level=3)
    return buffer.getvalue()


def encode_jpeg(image: Image, *, max_bytes: int, min_quality: int = 40) -> bytes:
    """The best-quality JPEG under ``max_bytes``; when even ``min_quality`` is too big,
    the image is scaled down until it fits (WeChat's thumb material is capped at 64 KB)."""
    from PIL import Image as PILImage

    current = image.convert("RGB")
    while True:
        for quality in (90, 85, 80, 75, 70, 60, 50, min_quality):
            buffer = io.BytesIO()
            current.save(buffer, format="JPEG", quality=quality, optimize=True, subsampling=2)
            if buffer.tell() <= max_bytes:
                return buffer.getvalue()
        if current.width < 64:
            raise ValueError(f"cannot encode a JPEG under {max_bytes} bytes")
        size = (current.width * 3 // 4, current.height * 3 // 4)
        current = current.resize(size, PILImage.Resampling.LANCZOS)
