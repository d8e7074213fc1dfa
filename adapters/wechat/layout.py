"""Placing a template's boxes for one article: positions, wrapped lines, QR modules.

The layout is computed in full before a pixel is drawn, and returned, so that tests (and
``preview``) can check what was decided: the lines of the title, where the QR code sits
and how many pixels each of its modules gets. ``draw.py`` only paints a ``Layout``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING

from syndicator.errors import RenderError

from .balance import balanced
from .fonts import FontSet, describe_characters, load_font, missing_characters
from .templates import Box, Template
from .wrap import ELLIPSIS, Measure, fit_lines, normalize, summary_fitting

if TYPE_CHECKING:
    from PIL.Image import Image

QUIET_ZONE = 4  # modules of light margin around a QR code, as ISO/IEC 18004 asks


@dataclass(frozen=True)
class CardContent:
    """Everything a card shows, already chosen for the article's language."""

    title: str
    url: str
    summary: str = ""
    source: str = ""
    date: str = ""
    cta: str = ""
    language: str = "en"
    brand: str = "#1d4f91"
    cover: Image | None = None
    logo: Image | None = None

    @property
    def domain(self) -> str:
        from urllib.parse import urlsplit

        return urlsplit(self.url).hostname or ""


@dataclass(frozen=True)
class PlacedText:
    lines: tuple[str, ...]
    font_size: int
    line_px: int
    weight: str
    align: str
    truncated: bool
    #: Pixels between the box top and the first line (vertical alignment).
    offset: int = 0


@dataclass(frozen=True)
class PlacedQR:
    matrix: tuple[tuple[bool, ...], ...]
    module_px: int
    quiet_zone: int
    error_correction: str
    #: The drawn square (quiet zone included), centred in its box.
    x: int
    y: int
    size: int

    @property
    def modules(self) -> int:
        return len(self.matrix)


@dataclass(frozen=True)
class PlacedBox:
    name: str
    kind: str
    x: int
    y: int
    w: int
    h: int
    color: str
    box: Box
    text: PlacedText | None = None
    qr: PlacedQR | None = None

    @property
    def bottom(self) -> int:
        return self.y + self.h

    def overlaps(self, other: PlacedBox) -> bool:
        return not (
            self.x + self.w <= other.x
            or other.x + other.w <= self.x
            or self.bottom <= other.y
            or other.bottom <= self.y
        )


@dataclass(frozen=True)
class Layout:
    width: int
    height: int
    background: str
    language: str
    boxes: tuple[PlacedBox, ...] = field(default_factory=tuple)

    def box(self, name: str) -> PlacedBox:
        for placed in self.boxes:
            if placed.name == name:
                return placed
        raise KeyError(f"no box {name!r} was drawn")

    def has(self, name: str) -> bool:
        return any(placed.name == name for placed in self.boxes)


def compute_layout(template: Template, content: CardContent, fonts: FontSet) -> Layout:
    """Place every box of ``template`` for ``content``. Raises ``RenderError`` when the
    font lacks characters of the text or the QR code cannot get legible modules."""
    values = {
        "title": normalize(content.title),
        "summary": content.summary.strip(),  # line breaks kept for the summarizer
        "source": content.source,
        "date": content.date,
        "cta": content.cta,
        "url": content.url,
        "domain": content.domain,
    }
    language = "zh-Hans" if content.language.startswith("zh") else content.language or "en"
    bottoms: dict[str, int] = {}
    placed: list[PlacedBox] = []
    for box in template.boxes:
        top = box.y if box.y is not None else bottoms[box.below or ""] + box.gap
        result = None
        if _condition_holds(box.when, content):
            result = _place(box, top, template, content, values, fonts, language)
        if result is None:  # skipped boxes take no room: what is below moves up
            bottoms[box.name] = bottoms[box.below] if box.below else top
            continue
        placed.append(result)
        bottoms[box.name] = result.bottom
    _check_glyphs(placed, fonts)
    height = template.height or max(p.bottom for p in placed) + template.padding_bottom
    return Layout(template.width, height, template.background, language, tuple(placed))


def _condition_holds(when: str, content: CardContent) -> bool:
    return {
        "always": True,
        "cover": content.cover is not None,
        "no_cover": content.cover is None,
        "logo": content.logo is not None,
    }[when]


def _colour(value: str, content: CardContent) -> str:
    return content.brand if value == "brand" else value


def _place(
    box: Box,
    top: int,
    template: Template,
    content: CardContent,
    values: dict[str, str],
    fonts: FontSet,
    language: str,
) -> PlacedBox | None:
    colour = _colour(box.color, content)
    if box.kind == "text":
        return _place_text(box, top, values, fonts, language, colour)
    if box.kind == "qrcode":
        qr = _place_qr(box, top, content.url, template.min_module_px)
        return PlacedBox(box.name, box.kind, box.x, top, box.w, box.w, colour, box, qr=qr)
    if box.kind == "image" and box.source == "logo" and content.logo is None:
        return None
    return PlacedBox(box.name, box.kind, box.x, top, box.w, box.h or 0, colour, box)


def _place_text(
    box: Box, top: int, values: dict[str, str], fonts: FontSet, language: str, colour: str
) -> PlacedBox | None:
    text = box.text.format_map(values).strip()
    if not text:
        return None
    fitted = None
    for size in _font_sizes(box):
        fitted = _lines_at(box, top, text, fonts, language, size, values["title"])
        if fitted is None or not fitted[2]:  # no room at all, or it fits uncut
            break
    if fitted is None:
        return None
    lines, line_px, cut, size = fitted
    height = box.h or len(lines) * line_px
    spare = height - len(lines) * line_px
    offset = {"top": 0, "middle": spare // 2, "bottom": spare}[box.valign]
    placed_text = PlacedText(tuple(lines), size, line_px, box.weight, box.align, cut, offset)
    return PlacedBox(box.name, "text", box.x, top, box.w, height, colour, box, text=placed_text)


def _font_sizes(box: Box) -> list[int]:
    """The box's font size, then smaller steps down to ``min_font_size``: a headline
    shrinks (by about 6% a step) before it is cut."""
    sizes = [box.font_size]
    floor = box.min_font_size or box.font_size
    while sizes[-1] > floor:
        sizes.append(max(floor, min(sizes[-1] - 2, round(sizes[-1] * 0.94))))
    return sizes


def _lines_at(
    box: Box, top: int, text: str, fonts: FontSet, language: str, size: int, title: str
) -> tuple[list[str], int, bool, int] | None:
    """The lines of ``text`` at font ``size``: (lines, line height, cut, size), or None
    when the box has no room for a line."""
    line_px = round(size * box.line_height)
    room = box.max_lines
    if box.h:
        room = min(room, box.h // line_px)
    if box.max_bottom is not None:
        room = min(room, (box.max_bottom - top) // line_px)
    if room < 1:
        return None
    measure = Measure(load_font(fonts.face(box.weight), size), language)
    if box.fit == "summarize":
        lines, cut = summary_fitting(text, measure, box.w, room, title=title)
    else:
        lines, cut = fit_lines(text, measure, box.w, room)
    if not lines:
        return None
    if box.balance and not cut and len(lines) > 1:
        lines = balanced(text, measure, box.w, len(lines), room)
    return lines, line_px, cut, size


def _place_qr(box: Box, top: int, url: str, min_module_px: int) -> PlacedQR:
    """The QR code with the largest whole-pixel modules that fit the box: medium error
    correction (survives JPEG and downscaling), low only when the URL is too long."""
    for level in ("M", "L"):
        matrix = qr_matrix(url, level)
        total = len(matrix) + 2 * QUIET_ZONE
        module_px = box.w // total
        if module_px >= min_module_px:
            size = total * module_px
            x = box.x + (box.w - size) // 2
            y = top + (box.w - size) // 2
            return PlacedQR(matrix, module_px, QUIET_ZONE, level, x, y, size)
    raise RenderError(
        f"the QR code of a {len(url)}-character URL needs {total} modules; the "
        f"{box.w} px box {box.name!r} gives fewer than {min_module_px} px each. "
        "Shorten the URL (fewer UTM parameters) or enlarge the box"
    )


def qr_matrix(url: str, level: str) -> tuple[tuple[bool, ...], ...]:
    """The QR modules of ``url`` (True = dark), without the quiet zone."""
    return _qr_matrix_cached(url, level)


@lru_cache(maxsize=64)
def _qr_matrix_cached(url: str, level: str) -> tuple[tuple[bool, ...], ...]:
    import qrcode
    from qrcode.constants import ERROR_CORRECT_L, ERROR_CORRECT_M

    code = qrcode.QRCode(
        error_correction={"M": ERROR_CORRECT_M, "L": ERROR_CORRECT_L}[level], border=0
    )
    code.add_data(url.encode("utf-8"))
    code.make(fit=True)
    return tuple(tuple(bool(cell) for cell in row) for row in code.get_matrix())


def _check_glyphs(placed: list[PlacedBox], fonts: FontSet) -> None:
    """Refuse to draw tofu: every character on the card must be in its font's cmap."""
    problems: list[str] = []
    for item in placed:
        if item.text is None:
            continue
        face = fonts.face(item.text.weight)
        missing = missing_characters(
            face, "".join(item.text.lines) + ELLIPSIS * item.text.truncated
        )
        if missing:
            problems.append(
                f"the {item.name} needs {describe_characters(missing)}, which font "
                f"{face.path.name} (face {face.index}) cannot draw"
            )
    if problems:
        raise RenderError(
            "; ".join(problems) + ". Set the target's `font` option to a font that covers them"
        )
