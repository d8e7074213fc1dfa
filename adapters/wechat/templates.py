"""Card templates: the layout of a share card as data.

A template is a TOML (or JSON) file with the canvas and a list of boxes, in the spirit of
the "palette" of poster tools (a list of views of kind text, image, rect or qrcode with
CSS-like properties), so a news office changes its poster by editing a file, not code::

    name = "poster"
    width = 1080
    height = "auto"            # grow with the content, or a number of pixels
    background = "#ffffff"

    [[box]]
    name = "title"
    kind = "text"
    text = "{title}"
    x = 64
    below = "cover"            # placed `gap` pixels under the box named "cover"
    gap = 56
    w = 952
    font_size = 60
    max_lines = 3

Built-in templates live in ``layouts/`` beside this module (``poster``, ``square``,
``story`` and ``cover``), shipped as package data; copy one into ``config/`` to make your
own. Every mistake is a ``ConfigError`` naming the file and the key.
"""

from __future__ import annotations

import json
import re
import string
import tomllib
from dataclasses import dataclass, field, fields
from functools import cache
from pathlib import Path
from typing import Any

from syndicator.errors import ConfigError

#: The built-in layouts, shipped inside the package.
BUILTIN_DIR = Path(__file__).resolve().parent / "layouts"
BUILTIN = ("poster", "square", "story", "cover")

KINDS = ("text", "image", "rect", "qrcode")
PLACEHOLDERS = frozenset({"title", "summary", "source", "date", "cta", "url", "domain"})
IMAGE_SOURCES = ("cover", "logo")
CONDITIONS = ("always", "cover", "no_cover", "logo")
_COLOUR = re.compile(r"^(#[0-9a-fA-F]{6}|#[0-9a-fA-F]{8}|brand)$")


@dataclass(frozen=True)
class Box:
    """One element of a card. Positions are pixels; ``y`` or ``below`` places it."""

    name: str
    kind: str
    x: int = 0
    y: int | None = None
    below: str | None = None
    gap: int = 0
    w: int = 0
    h: int | None = None
    #: Only draw the box when this holds (a lead image exists, or not; a logo is set).
    when: str = "always"
    #: The box this one is deliberately drawn on top of (not an overlap mistake).
    over: str | None = None
    color: str = "#000000"
    # text
    text: str = ""
    font_size: int = 32
    #: Step the font down to this size before the text is cut (None: never shrink).
    min_font_size: int | None = None
    weight: str = "regular"
    line_height: float = 1.4
    max_lines: int = 1
    align: str = "left"
    valign: str = "top"
    fit: str = "ellipsis"
    #: Even out line lengths (no one-word last line) without adding a line.
    balance: bool = False
    max_bottom: int | None = None
    # image
    source: str = "cover"
    mode: str = "cover"
    # rect
    radius: int = 0
    # qrcode
    background: str = "#ffffff"


@dataclass(frozen=True)
class Template:
    name: str
    width: int
    height: int | None
    background: str = "#ffffff"
    padding_bottom: int = 64
    #: The QR code must get at least this many pixels per module, or rendering fails.
    min_module_px: int = 4
    boxes: tuple[Box, ...] = field(default_factory=tuple)
    path: Path | None = None


def load_template(layout: str, *, base_dir: Path = Path(".")) -> Template:
    """A built-in template by name, or a user's TOML/JSON file (relative to base_dir)."""
    if layout in BUILTIN:
        return _load_file(BUILTIN_DIR / f"{layout}.toml")
    path = Path(layout)
    if not path.is_absolute():
        path = base_dir / path
    if path.suffix.lower() not in {".toml", ".json"}:
        raise ConfigError(
            f"option `layout`: {layout!r} is neither a built-in layout "
            f"({', '.join(BUILTIN)}) nor a .toml/.json template file"
        )
    if not path.is_file():
        raise ConfigError(f"option `layout`: template file {str(path)!r} does not exist")
    return _load_file(path.resolve())


@cache
def _load_file(path: Path) -> Template:
    try:
        raw = path.read_text(encoding="utf-8")
        data = json.loads(raw) if path.suffix.lower() == ".json" else tomllib.loads(raw)
    except (OSError, ValueError) as exc:
        raise ConfigError(f"{path}: cannot read the card template: {exc}") from exc
    return parse_template(data, where=str(path), path=path)


def parse_template(data: dict[str, Any], *, where: str, path: Path | None = None) -> Template:
    """Check a template's keys and values; collect every problem before raising."""
    problems: list[str] = []
    top = {"name", "width", "height", "background", "padding_bottom", "min_module_px", "box"}
    for key in sorted(set(data) - top):
        problems.append(f"{where}: unknown key {key!r}")
    width = data.get("width")
    if not isinstance(width, int) or not 100 <= width <= 4000:
        problems.append(f"{where}: `width` must be a whole number of pixels, 100 to 4000")
        width = 1080
    height = data.get("height", "auto")
    if height == "auto":
        height = None
    elif not isinstance(height, int) or not 100 <= height <= 8000:
        problems.append(f'{where}: `height` must be "auto" or a whole number, 100 to 8000')
        height = None
    boxes = tuple(_parse_box(raw, i, where, problems) for i, raw in enumerate(data.get("box", [])))
    names: set[str] = set()
    for i, box in enumerate(boxes):
        for ref in (box.below, box.over):
            if ref is not None and ref not in names:
                problems.append(
                    f"{where}: box[{i}] ({box.name}) refers to {ref!r}, not a box above it"
                )
        if box.name in names:
            problems.append(f"{where}: box[{i}] repeats the name {box.name!r}")
        names.add(box.name)
    if not boxes:
        problems.append(f"{where}: a template needs at least one [[box]]")
    background = data.get("background", "#ffffff")
    if not isinstance(background, str) or not _COLOUR.match(background):
        problems.append(f'{where}: `background` must be a colour like "#ffffff"')
    if problems:
        raise ConfigError(problems)
    return Template(
        name=str(data.get("name", path.stem if path else "custom")),
        width=width,
        height=height,
        background=background,
        padding_bottom=int(data.get("padding_bottom", 64)),
        min_module_px=int(data.get("min_module_px", 4)),
        boxes=boxes,
        path=path,
    )


_BOX_FIELDS = {f.name: f for f in fields(Box)}
_TEXT_KEYS = ("name", "below", "over", "text", "color", "background")
_TYPES: dict[str, type] = {"line_height": float, "balance": bool} | {
    key: str
    for key in (*_TEXT_KEYS, "kind", "when", "weight", "align", "valign", "fit", "source", "mode")
}
_CHOICES: dict[str, tuple[str, ...]] = {
    "kind": KINDS,
    "when": CONDITIONS,
    "weight": ("regular", "bold"),
    "align": ("left", "center", "right"),
    "valign": ("top", "middle", "bottom"),
    "fit": ("ellipsis", "summarize"),
    "source": IMAGE_SOURCES,
    "mode": ("cover", "contain"),
}


def _parse_box(raw: Any, index: int, where: str, problems: list[str]) -> Box:
    label = f"{where}: box[{index}]"
    if not isinstance(raw, dict):
        problems.append(f"{label} must be a table")
        return Box(name=f"box{index}", kind="rect")
    values: dict[str, Any] = {}
    for key, value in raw.items():
        spec = _BOX_FIELDS.get(key)
        if spec is None:
            problems.append(f"{label}: unknown key {key!r}")
            continue
        expected: type = _TYPES.get(key, int)
        if expected is float and isinstance(value, int):
            value = float(value)
        if not isinstance(value, expected) or (isinstance(value, bool) and expected is not bool):
            problems.append(f"{label}.{key}: expected {expected.__name__}, got {value!r}")
            continue
        if key in _CHOICES and value not in _CHOICES[key]:
            problems.append(f"{label}.{key}: {value!r} is not one of {', '.join(_CHOICES[key])}")
            continue
        if key in {"color", "background"} and not _COLOUR.match(str(value)):
            problems.append(f'{label}.{key}: {value!r} is not a colour like "#1a1a1a" or "brand"')
            continue
        values[key] = value
    for required in ("name", "kind"):
        if required not in values:
            problems.append(f"{label}: `{required}` is required")
            values.setdefault(required, "rect" if required == "kind" else f"box{index}")
    box = Box(**values)
    if box.y is None and box.below is None:
        problems.append(f"{label} ({box.name}): set `y` or `below`")
    if box.kind != "text" and box.w <= 0:
        problems.append(f"{label} ({box.name}): `w` must be positive")
    if box.kind in {"image", "rect"} and not box.h:
        problems.append(f"{label} ({box.name}): `h` is required for a {box.kind} box")
    if box.kind == "text":
        if box.w <= 0:
            problems.append(f"{label} ({box.name}): `w` must be positive")
        for _, name, _, _ in string.Formatter().parse(box.text):
            if name is not None and name not in PLACEHOLDERS:
                problems.append(
                    f"{label}.text: unknown placeholder {{{name}}}; "
                    f"known: {', '.join(sorted(PLACEHOLDERS))}"
                )
        if box.max_lines < 1:
            problems.append(f"{label}.max_lines: must be at least 1")
        if box.min_font_size is not None and not 8 <= box.min_font_size <= box.font_size:
            problems.append(f"{label}.min_font_size: must be from 8 to font_size ({box.font_size})")
    return box
