"""From feed or page HTML (or already-plain text) to clean plain text.

Peers leak ``&amp;`` and ``&#8211;`` into posts and carry a page's furniture
("Share:", "Sina Microblog", "release date :...", view counters) into summaries.
Everything that feeds a post goes through here first.

Cleaning runs on every item of every poll (tens of thousands per round), so the
work is done with C-speed string methods wherever they say the same thing as a
regex: a line that ``str.isprintable`` is skips the character translation,
``" ".join(line.split())`` collapses spaces, and markers are merged by splitting
on their NUL delimiter instead of a regex scan over the whole text. The HTML side
lives in ``html_text`` (libxml2), the furniture rules in ``boilerplate``.
"""

from __future__ import annotations

import html
import re

from syndicator.text.boilerplate import is_boilerplate

__all__ = ["clean_html", "clean_text", "is_boilerplate"]

_WS_RUN = re.compile(r"[ \t\r\n\f\v]+")
# Unicode spaces that should read as an ordinary space (NBSP, ideographic space, ...).
_SPACES = (
    "\u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007"
    "\u2008\u2009\u200a\u202f\u205f\u3000\t\f\v"
)
# Invisible characters that only break counting: zero-width space, BOM, soft hyphen,
# noncharacters, and C0/C1 controls other than newline. ZWJ/ZWNJ stay: emoji and scripts need them.
_DROP = {ord(c): None for c in "\u200b\ufeff\u00ad\u2060"}
# Noncharacters (U+FFFE, U+FFFF, U+FDD0..U+FDEF): never text, and refused by X.
_DROP.update({c: None for c in (0xFFFE, 0xFFFF, *range(0xFDD0, 0xFDF0))})
_DROP.update({c: None for c in range(0x20) if c != 0x0A})
_DROP.update({c: None for c in range(0x7F, 0xA0)})
_COMMON_SPACES = ("\u00a0", "\u3000", "\t")  # the spaces feeds are full of
# Spaces win over the control range: a tab between two words is a space, not nothing.
_TRANSLATE = _DROP | {ord(c): " " for c in _SPACES}
_ENTITY = re.compile(r"&(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});?")


def _is_cjk(ch: str) -> bool:
    return (
        "\u2e80" <= ch <= "\u9fff"
        or "\uac00" <= ch <= "\ud7af"
        or "\uf900" <= ch <= "\ufaff"
        or "\uff00" <= ch <= "\uffef"
    )


def _drop_spaces_between_cjk(line: str) -> str:
    """ "北京 理工" -> "北京理工"; a space beside Latin text stays. ``line`` is
    normalised (single spaces, stripped)."""
    if max(line, default=" ") < "\u2e80":  # below every CJK block: scanned in C, and
        return line  # unlike a regex class over the blocks, nothing to compile (9 ms)
    pieces = line.split(" ")
    out = [pieces[0]]
    for piece in pieces[1:]:
        if piece and out[-1] and _is_cjk(piece[0]) and _is_cjk(out[-1][-1]):
            out[-1] += piece
        else:
            out.append(piece)
    return " ".join(out)


def _normalise_line(raw: str) -> str:
    """``raw`` with spaces normalised, invisibles dropped, runs collapsed, stripped.
    Every character the translation touches is non-printable, and the only
    printable whitespace is " ": so a printable line (most lines) skips the
    translation, and one without a double or edge space is already done. (NBSP,
    ideographic space and tab were replaced in the whole text before.)"""
    if not raw.isprintable():
        raw = raw.translate(_TRANSLATE)
        if "\u2028" in raw or "\u2029" in raw:  # whitespace that must not collapse
            return _WS_RUN.sub(" ", raw).strip()
    if "  " in raw or raw[:1] == " " or raw[-1:] == " ":
        return " ".join(raw.split())
    return raw


def clean_text(text: str) -> str:
    """Normalise already-plain text: unescape leftover entities (feeds often escape
    twice), turn NBSP/ideographic spaces into spaces, drop invisible characters,
    collapse runs of spaces, drop boilerplate lines, and join paragraphs with
    exactly one blank line. Single line breaks inside a paragraph are kept."""
    if not text:
        return ""
    for _ in range(2):  # once for the markup, once more for feeds that escape twice
        if "&" not in text or not _ENTITY.search(text):
            break
        text = html.unescape(text)
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    for space in _COMMON_SPACES:  # one C pass each, instead of per line
        if space in text:
            text = text.replace(space, " ")
    paragraphs: list[str] = []
    current: list[str] = []
    for raw in text.split("\n"):
        if raw and raw.isprintable() and raw[0] != " " and raw[-1] != " " and "  " not in raw:
            line = raw  # already normal: the common case, decided without a call
        else:
            line = _normalise_line(raw) if raw else ""
        if not line:
            if current:
                paragraphs.append("\n".join(current))
                current = []
            continue
        if is_boilerplate(line):
            continue
        if " " in line and not line.isascii():
            line = _drop_spaces_between_cjk(line)
        current.append(line)
    if current:
        paragraphs.append("\n".join(current))
    return "\n\n".join(paragraphs)


def _merge_markers(text: str) -> str:
    """Each run of markers, with the whitespace around it, becomes one break: a
    blank line when it holds a paragraph marker or two line breaks, else a newline.
    ``text.split("\\x00")`` alternates text and marker letters (P or L)."""
    pieces = text.split("\x00")
    out: list[str] = [pieces[0]]
    run = ""  # marker letters of the current run
    for i in range(1, len(pieces), 2):
        run += pieces[i]
        after = pieces[i + 1]
        if (not after.isspace() and after) or i + 2 >= len(pieces):
            out[-1] = out[-1].rstrip()
            out.append("\n\n" if "P" in run or run.count("L") > 1 else "\n")
            out.append(after.lstrip())
            run = ""
    return "".join(out)


def clean_html(markup: str) -> str:
    """Turn an HTML fragment or a whole page into clean plain text: tags stripped
    (block elements become paragraph breaks, ``<br>`` a line break), entities
    unescaped, script/style/comments dropped, boilerplate lines removed, paragraphs
    separated by one blank line."""
    if not markup:
        return ""
    if "<" not in markup:
        return clean_text(markup)
    from syndicator.text.html_text import html_text

    text = html_text(markup)
    return clean_text(_merge_markers(text) if "\x00" in text else text)
