"""Breaking card text into lines that fit a box, by Unicode's line-breaking rules.

``syndicator.text.wrap_units`` cuts text at UAX #14 break opportunities, so a Chinese
comma stays with the character before it and an English word stays whole; this module
only fills lines greedily with those units, measured with the real font. A unit wider
than a whole line (a long URL, a run of 30 digits) is the one case that is cut inside,
and even then no line starts with closing punctuation.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from PIL.ImageFont import FreeTypeFont

ELLIPSIS = "…"
#: Characters a line must never start with (closing punctuation, CJK and Latin).
NO_LINE_START = frozenset("，。、；：！？）》」』】〕〉”’,.;:!?)]}%·…—～")
#: Trimmed from a cut line before the ellipsis, so "北京，…" reads "北京…".
_TRAILING_JUNK = " \t,.;:，。、；：!！?？-—(（《「『【“‘"
_SPACES = re.compile(r"\s+")


def normalize(text: str) -> str:
    """One line of text: runs of whitespace (line breaks too) become one space."""
    return _SPACES.sub(" ", text).strip()


class Measure:
    """Line widths in pixels for one font, with the language the text is shaped for."""

    def __init__(self, font: FreeTypeFont, language: str | None = None) -> None:
        self.font = font
        self.language = language

    def __call__(self, text: str) -> float:
        return self.font.getlength(text, language=self.language)


def wrap(text: str, measure: Measure, width: int) -> list[str]:
    """All lines of ``text`` at ``width`` pixels, with no limit on their number."""
    from syndicator.text import wrap_units

    lines: list[str] = []
    current = ""
    for unit in wrap_units(normalize(text)):
        candidate = current + unit
        if measure(candidate.rstrip()) <= width:
            current = candidate
            continue
        if current.strip():
            lines.append(current.rstrip())
        current = ""
        if measure(unit.rstrip()) <= width:
            current = unit
        else:
            pieces = _split_wide_unit(unit, measure, width)
            lines.extend(pieces[:-1])
            current = pieces[-1]
    if current.strip():
        lines.append(current.rstrip())
    return lines


def _split_wide_unit(unit: str, measure: Measure, width: int) -> list[str]:
    """Cut a unit wider than a line by characters; never start a line with closing
    punctuation (the character before it moves down with it)."""
    pieces: list[str] = []
    current = ""
    for char in unit:
        if current and measure((current + char).rstrip()) > width:
            if char in NO_LINE_START and len(current) > 1:
                pieces.append(current[:-1])
                current = current[-1]
            else:
                pieces.append(current)
                current = ""
        current += char
    pieces.append(current)
    return [p for p in pieces if p] or [""]


def ellipsize(line: str, measure: Measure, width: int) -> str:
    """``line`` shortened until it fits with "…" at its end."""
    from syndicator.text import wrap_units

    units = list(wrap_units(line))
    while units:
        head = "".join(units).rstrip(_TRAILING_JUNK)
        if head and measure(head + ELLIPSIS) <= width:
            return head + ELLIPSIS
        if len(units) == 1:  # a single wide unit: cut it by characters
            units = [units[0][:-1]] if len(units[0]) > 1 else []
        else:
            units.pop()
    return ELLIPSIS


def fit_lines(text: str, measure: Measure, width: int, max_lines: int) -> tuple[list[str], bool]:
    """At most ``max_lines`` lines; when text is left over the last line ends in "…".
    Returns the lines and whether anything was cut."""
    lines = wrap(text, measure, width)
    if len(lines) <= max_lines:
        return lines, False
    kept = lines[:max_lines]
    kept[-1] = ellipsize(kept[-1], measure, width)
    return kept, True


def summary_fitting(
    text: str, measure: Measure, width: int, max_lines: int, *, attempts: int = 6
) -> tuple[list[str], bool]:
    """The article's summary, shortened by the text engine (on a sentence or word
    boundary) until its lines fit; an ellipsis is only the last resort."""
    from syndicator.text import summarize

    text = normalize(text)
    if not text:
        return [], False
    lines = wrap(text, measure, width)
    if len(lines) <= max_lines:
        return lines, False
    sample = text[:400]
    per_char = max(measure(sample) / max(len(sample), 1), 1.0)
    budget = int(max_lines * width / per_char * 0.95)
    for _ in range(attempts):
        if budget < 4:
            break
        short = normalize(summarize(text, budget, "plain"))
        lines = wrap(short, measure, width)
        if short and len(lines) <= max_lines:
            return lines, True
        budget = int(budget * 0.85)
    return fit_lines(text, measure, width, max_lines)
