"""Breaking card text into lines that fit a box, by Unicode's line-breaking rules.

``syndicator.text.word_units`` cuts text at UAX #14 break opportunities, with Chinese
words kept whole (a dictionary segmenter says where they end), so a Chinese comma stays
with the character before it, "国际化" and an English word stay whole; this module
fills lines greedily with those units, measured with the real font, then settles the
last line: it never holds only one or two characters or a fragment without a letter
("(13)。"), a unit moves down from the line before instead. A unit wider than a whole
line (a long URL, a run of 30 digits) is the one case that is cut inside, and even
then no line starts with closing punctuation.

Finding break opportunities costs far more than measuring (it is per character), so
text that fits on one line is never broken up, only a bounded prefix of a long text is,
and the units of a text are remembered for the next card of the same article.
"""

from __future__ import annotations

import re
from functools import lru_cache
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
    """One line of text: runs of whitespace (line breaks too) become one space; a line
    break between two CJK characters becomes nothing, since Chinese puts no space
    between sentences ("上。团队", not "上。 团队"). A deliberate space stays."""
    return _SPACES.sub(_space_for, text).strip()


def _space_for(match: re.Match[str]) -> str:
    text, start, end = match.string, match.start(), match.end()
    if (
        "\n" in match.group()
        and start > 0
        and end < len(text)
        and _is_wide(text[start - 1])
        and _is_wide(text[end])
    ):
        return ""
    return " "


def _is_wide(char: str) -> bool:
    """CJK ideographs, kana, hangul and full-width punctuation."""
    code = ord(char)
    return 0x2E80 <= code <= 0x9FFF or 0xAC00 <= code <= 0xD7AF or 0xF900 <= code <= 0xFFEF


@lru_cache(maxsize=512)
def units(text: str) -> tuple[str, ...]:
    from syndicator.text import word_units

    return tuple(word_units(text))


def is_short_line(line: str) -> bool:
    """A line too slight to stand alone at the end of a text: one or two characters,
    or a few characters without a letter ("(13)。", "2019.")."""
    visible = "".join(line.split())
    letters = sum(1 for char in visible if char.isalpha())
    return len(visible) <= 2 or (letters == 0 and len(visible) <= 8)


class Measure:
    """Line widths in pixels for one font, with the language the text is shaped for."""

    def __init__(self, font: FreeTypeFont, language: str | None = None) -> None:
        self.font = font
        self.language = language

    def __call__(self, text: str) -> float:
        return self.font.getlength(text, language=self.language)

    def chars_per_line(self, text: str, width: int) -> float:
        sample = text[:200]
        return width / max(self(sample) / max(len(sample), 1), 1.0)


def wrap(text: str, measure: Measure, width: int, max_lines: int | None = None) -> list[str]:
    """The lines of ``text`` at ``width`` pixels; with ``max_lines``, at most one more
    line than that is computed (enough to know the text is cut)."""
    return ["".join(line).rstrip() for line in _wrap_units(text, measure, width, max_lines)]


def _wrap_units(text: str, measure: Measure, width: int, max_lines: int | None) -> list[list[str]]:
    text = normalize(text)
    if not text:
        return []
    if measure(text) <= width:
        return [[text]]
    if max_lines is not None:  # break only a prefix that surely holds max_lines + 1 lines
        bound = int(measure.chars_per_line(text, width) * (max_lines + 1) * 1.5) + 16
        if len(text) > bound:
            lines = _fill(units(text[:bound]), measure, width, max_lines)
            if len(lines) > max_lines:
                return lines
    return _fill(units(text), measure, width, max_lines)


def _fill(
    pieces: tuple[str, ...], measure: Measure, width: int, max_lines: int | None
) -> list[list[str]]:
    lines: list[list[str]] = []
    current: list[str] = []
    line = ""
    for unit in pieces:
        if max_lines is not None and len(lines) > max_lines:
            break
        if measure((line + unit).rstrip()) <= width:
            current.append(unit)
            line += unit
            continue
        if line.strip():
            lines.append(current)
        current, line = [], ""
        if measure(unit.rstrip()) <= width:
            current, line = [unit], unit
        else:
            chunks = _split_wide_unit(unit, measure, width)
            lines.extend([chunk] for chunk in chunks[:-1])
            current, line = [chunks[-1]], chunks[-1]
    if line.strip():
        lines.append(current)
    return _settle_last_line(lines, measure, width)


def _settle_last_line(lines: list[list[str]], measure: Measure, width: int) -> list[list[str]]:
    """Move units down from the line before while the last line is too slight
    (``is_short_line``), as long as the lines keep fitting; when that leaves the line
    before with one or two characters, it takes units from the line above it in turn."""
    row = len(lines) - 1
    while row >= 1:
        while _slight(lines[row], last=row == len(lines) - 1) and len(lines[row - 1]) > 1:
            grown = [lines[row - 1][-1], *lines[row]]
            if measure("".join(grown).rstrip()) > width:
                break
            lines[row - 1], lines[row] = lines[row - 1][:-1], grown
        if _slight(lines[row], last=row == len(lines) - 1) or not _slight(lines[row - 1]):
            return lines
        row -= 1
    return lines


def _slight(units_: list[str], *, last: bool = False) -> bool:
    line = "".join(units_)
    return is_short_line(line) if last else len("".join(line.split())) <= 2


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


def _ellipsize(pieces: list[str], measure: Measure, width: int) -> str:
    """A line (as its units) shortened until it fits with "…" at its end."""
    pieces = list(pieces)
    while pieces:
        head = "".join(pieces).rstrip(_TRAILING_JUNK)
        if head and measure(head + ELLIPSIS) <= width:
            return head + ELLIPSIS
        if len(pieces) == 1:  # a single wide unit: cut it by characters
            pieces = [pieces[0][:-1]] if len(pieces[0]) > 1 else []
        else:
            pieces.pop()
    return ELLIPSIS


def fit_lines(text: str, measure: Measure, width: int, max_lines: int) -> tuple[list[str], bool]:
    """At most ``max_lines`` lines; when text is left over the last line ends in "…".
    Returns the lines and whether anything was cut."""
    lines = _wrap_units(text, measure, width, max_lines)
    joined = ["".join(line).rstrip() for line in lines]
    if len(lines) <= max_lines:
        return joined, False
    return [*joined[: max_lines - 1], _ellipsize(lines[max_lines - 1], measure, width)], True


def summary_fitting(
    text: str, measure: Measure, width: int, max_lines: int, *, title: str = ""
) -> tuple[list[str], bool]:
    """The article's summary in at most ``max_lines`` lines: whole sentences chosen by
    the text engine (never one that repeats ``title``, never page furniture, the lead
    without its dateline since the card shows the date), the lead cut on a boundary
    when even it does not fit; an ellipsis is only the last resort. ``text`` keeps its
    line breaks, since they end headlines and furniture lines."""
    from syndicator.text.summarize import rank, select, without_dateline

    capacity = width * max_lines

    def fits(candidate: str) -> bool:
        candidate = normalize(candidate)
        if measure(candidate) > capacity:  # one measurement rules out most candidates
            return False
        return len(wrap(candidate, measure, width, max_lines)) <= max_lines

    summary, cut = select(without_dateline(rank(text, avoid=title)), fits)
    summary = normalize(summary)
    if summary and fits(summary):
        return wrap(summary, measure, width, max_lines), cut
    return fit_lines(summary or normalize(text), measure, width, max_lines)
