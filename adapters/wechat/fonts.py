"""Finding a font that can draw Chinese, and proving it covers the text before drawing.

A share card drawn with a font that lacks a character shows an empty box ("tofu") where
a word should be, and a poster with tofu in its headline is worse than no poster. So a
card is only drawn after every character of its text has been looked up in the font's
own character map (its ``cmap`` table, read with fontTools); a miss is a ``RenderError``
that names the characters.

Where the font comes from, in order: the target's ``font`` option (a path), the fonts
fontconfig knows for Chinese (``fc-list :lang=zh``), then the usual install paths of
Noto Sans CJK and WenQuanYi. Font collections (``.ttc``) hold several faces; the
Simplified Chinese one is picked (index 2, "Noto Sans CJK SC", in Noto's collection).
"""

from __future__ import annotations

import logging
import shutil
import subprocess
import unicodedata
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from syndicator.errors import ConfigError, RenderError

if TYPE_CHECKING:
    from PIL.ImageFont import FreeTypeFont

log = logging.getLogger(__name__)

#: Checked in order when fontconfig finds nothing: (path, face index).
KNOWN_REGULAR: tuple[tuple[str, int], ...] = (
    ("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc", 2),
    ("/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc", 2),
    ("/usr/share/fonts/google-noto-cjk/NotoSansCJK-Regular.ttc", 2),
    ("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc", 0),
    ("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc", 0),
)
KNOWN_BOLD: tuple[tuple[str, int], ...] = (
    ("/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc", 2),
    ("/usr/share/fonts/noto-cjk/NotoSansCJK-Bold.ttc", 2),
    ("/usr/share/fonts/google-noto-cjk/NotoSansCJK-Bold.ttc", 2),
)

_INSTALL_HINT = (
    "no font that can draw Chinese was found; install one "
    "(Debian/Ubuntu: apt-get install fonts-noto-cjk) or set the target's `font` option "
    "to the path of a .ttf/.otf/.ttc file"
)


@dataclass(frozen=True)
class FontFace:
    """One face of a font file (a ``.ttc`` holds several)."""

    path: Path
    index: int = 0


@dataclass(frozen=True)
class FontSet:
    """The faces a card is drawn with. ``bold`` may be the regular face."""

    regular: FontFace
    bold: FontFace

    def face(self, weight: str) -> FontFace:
        return self.bold if weight == "bold" else self.regular


def find_fonts(font: Path | None = None, font_bold: Path | None = None) -> FontSet:
    """The faces to draw with: the configured ones, else installed CJK fonts.

    Raises ``ConfigError`` when a configured path does not exist, and ``RenderError``
    when nothing usable is installed.
    """
    if font is not None:
        regular = _configured_face(font, "font")
        bold = _configured_face(font_bold, "font_bold") if font_bold else regular
        return FontSet(regular, bold)
    return _installed_fonts()


def _configured_face(path: Path, option: str) -> FontFace:
    if not path.is_file():
        raise ConfigError(f"option `{option}`: font file {str(path)!r} does not exist")
    return FontFace(path, _simplified_chinese_index(path))


@cache
def _installed_fonts() -> FontSet:
    regular = _fontconfig_face("Regular") or _first_existing(KNOWN_REGULAR)
    if regular is None:
        raise RenderError(_INSTALL_HINT)
    bold = _fontconfig_face("Bold") or _first_existing(KNOWN_BOLD) or regular
    log.debug("card fonts: regular %s, bold %s", regular, bold)
    return FontSet(regular, bold)


def _first_existing(candidates: tuple[tuple[str, int], ...]) -> FontFace | None:
    for path, index in candidates:
        if Path(path).is_file():
            return FontFace(Path(path), index)
    return None


def _fontconfig_face(style: str) -> FontFace | None:
    """The best Simplified Chinese sans face of ``style`` that fontconfig lists."""
    if shutil.which("fc-list") is None:
        return None
    try:
        listing = subprocess.run(
            ["fc-list", "-f", r"%{file}\t%{index}\t%{family}\t%{style}\n", ":lang=zh"],
            capture_output=True,
            text=True,
            timeout=10,
            check=True,
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    ranked: list[tuple[int, str, int]] = []
    for line in listing.splitlines():
        parts = line.split("\t")
        if len(parts) < 4 or not parts[1].isdigit():
            continue
        path, index, family, styles = parts[0], int(parts[1]), parts[2], parts[3]
        if style not in styles.split(","):
            continue
        rank = (
            (0 if " SC" in family or "GB" in family else 2)
            + (0 if "Sans" in family or "Hei" in family else 1)
            + (4 if "Mono" in family else 0)
        )
        ranked.append((rank, path, index))
    if not ranked:
        return None
    _, path, index = min(ranked)
    return FontFace(Path(path), index)


def _simplified_chinese_index(path: Path) -> int:
    """For a collection, the index of its Simplified Chinese face; else 0."""
    if path.suffix.lower() not in {".ttc", ".otc"}:
        return 0
    from fontTools.ttLib import TTCollection

    try:
        collection = TTCollection(str(path), lazy=True)
        names = [face["name"].getDebugName(1) or "" for face in collection.fonts]
    except Exception as exc:  # fontTools raises many types on a broken file
        raise ConfigError(f"option `font`: {str(path)!r} is not a readable font: {exc}") from exc
    for index, name in enumerate(names):
        if " SC" in name or name.endswith("GB"):
            return index
    return 0


@cache
def covered_codepoints(face: FontFace) -> frozenset[int]:
    """Every code point the face maps to a glyph (its best cmap subtable)."""
    from fontTools.ttLib import TTFont

    try:
        font = TTFont(str(face.path), fontNumber=face.index, lazy=True)
        cmap = font.getBestCmap() or {}
    except Exception as exc:
        raise RenderError(f"font {face.path} (face {face.index}) cannot be read: {exc}") from exc
    return frozenset(cmap)


def _needs_glyph(char: str) -> bool:
    """Whitespace, controls, invisible format characters and variation selectors
    draw nothing of their own."""
    code = ord(char)
    if 0xFE00 <= code <= 0xFE0F or 0xE0100 <= code <= 0xE01EF:
        return False
    return not (char.isspace() or unicodedata.category(char) in {"Cc", "Cf", "Zs", "Zl", "Zp"})


def missing_characters(face: FontFace, text: str) -> list[str]:
    """The characters of ``text`` the face cannot draw, each once, in order."""
    covered = covered_codepoints(face)
    missing: dict[str, None] = {}
    for char in text:
        if ord(char) not in covered and _needs_glyph(char):
            missing[char] = None
    return list(missing)


def describe_characters(chars: list[str]) -> str:
    """``'★' (U+2605), 'ß' (U+00DF)`` for an error message."""
    return ", ".join(f"{c!r} (U+{ord(c):04X})" for c in chars[:12]) + (
        f" and {len(chars) - 12} more" if len(chars) > 12 else ""
    )


@cache
def load_font(face: FontFace, size: int) -> FreeTypeFont:
    """A Pillow font object, cached: opening a 20 MB collection costs milliseconds."""
    from PIL import ImageFont

    try:
        return ImageFont.truetype(str(face.path), size, index=face.index)
    except OSError as exc:
        raise RenderError(f"font {face.path} (face {face.index}) cannot be opened: {exc}") from exc
