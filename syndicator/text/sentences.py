"""Sentence splitting and language detection for English, Chinese and mixed text.

A summary is only as good as its sentence boundaries: "Dr. Li" or "Feb. 7th" must
not end a sentence, while "。" always does, even with no space after it. Offsets
are kept so that truncation can cut exactly at a sentence end.
"""

from __future__ import annotations

import re
from functools import cache

__all__ = ["detect_language", "sentence_spans", "split_sentences"]

# Abbreviations that end with "." but rarely end a sentence (lower-cased, no dot).
ABBREVIATIONS = frozenset(
    [
        "mr",
        "mrs",
        "ms",
        "dr",
        "prof",
        "sr",
        "jr",
        "st",
        "mt",
        "ft",
        "vs",
        "etc",
        "eg",
        "ie",
        "cf",
        "al",
        "inc",
        "ltd",
        "co",
        "corp",
        "dept",
        "univ",
        "assn",
        "bros",
        "jan",
        "feb",
        "mar",
        "apr",
        "jun",
        "jul",
        "aug",
        "sep",
        "sept",
        "oct",
        "nov",
        "dec",
        "mon",
        "tue",
        "tues",
        "wed",
        "thu",
        "thur",
        "thurs",
        "fri",
        "sat",
        "sun",
        "no",
        "nos",
        "vol",
        "vols",
        "fig",
        "figs",
        "pp",
        "ed",
        "eds",
        "est",
        "approx",
        "gov",
        "sen",
        "rep",
        "gen",
        "col",
        "lt",
        "capt",
        "cmdr",
        "sgt",
        "maj",
        "adm",
        "rev",
        "hon",
        "pres",
        "supt",
        "messrs",
        "mmes",
        "ave",
        "blvd",
        "rd",
        "u.s",
        "u.k",
        "u.n",
        "e.u",
        "a.m",
        "p.m",
        "ph.d",
        "m.a",
        "b.a",
        "m.s",
        "b.s",
        "d.c",
        "e.g",
        "i.e",
    ]
)
_CJK_END = "。！？；!?"
_CLOSERS = "”’」』）)】〕\"'»"
_CJK = "\u2e80-\u9fff\uac00-\ud7af\uf900-\ufaff\uff00-\uffef"
# A run of terminators plus closing quotes/brackets.
_BOUNDARY = re.compile(rf"(?:[。！？；]+|[!?]+|\.+|…+)[{re.escape(_CLOSERS)}]*")
_WORD_BEFORE = re.compile(r"([A-Za-z][A-Za-z.]*)\.+$")
_LATIN_WORD = re.compile(r"[A-Za-z\u00c0-\u024f]+")


# Classes spanning the CJK blocks cost milliseconds to compile: compiled on first use.
@cache
def _next_starts_sentence() -> re.Pattern[str]:
    return re.compile(rf"\s+[\"'“‘(\[]?(?:[A-Z0-9]|[{_CJK}])")


@cache
def _han() -> re.Pattern[str]:
    return re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\u3040-\u30ff\uac00-\ud7af]")


def _is_boundary(text: str, match: re.Match[str]) -> bool:
    mark = match.group()
    end = match.end()
    if mark[0] in "。！？；":
        return True
    # A bounded look-ahead: what follows the mark decides, and slicing the whole rest
    # of a long text at every mark would make splitting quadratic.
    rest = text[end : end + 64]
    if not rest.strip() and not text[end:].strip():
        return True
    if mark[0] in "!?…":
        return rest[0].isspace() or bool(_han().match(rest))
    # "." — needs whitespace then a sentence start, and no abbreviation before it.
    if not _next_starts_sentence().match(rest):
        return False
    # Only the word just before the full stop matters: look at a short window, so a
    # long text costs linear time, not a rescan from its start at every full stop.
    word = _WORD_BEFORE.search(text[max(0, match.start() - 64) : match.start() + 1])
    if word:
        token = word.group(1).lower()
        if token in ABBREVIATIONS or token.rstrip(".") in ABBREVIATIONS:
            return False
        if len(token) == 1:  # an initial: "J. Smith"
            return False
        if "." in token.strip("."):  # an initialism: "U.S." / "a.m."
            return False
    return True


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) offsets of each sentence, trailing spaces excluded. Line breaks
    always end a sentence (a headline or list item has no full stop)."""
    spans: list[tuple[int, int]] = []
    for line in re.finditer(r"[^\n]+", text):
        base = line.start()
        chunk = line.group()
        start = 0
        for m in _BOUNDARY.finditer(chunk):
            if _is_boundary(chunk, m):
                _add(spans, chunk, base, start, m.end())
                start = m.end()
        _add(spans, chunk, base, start, len(chunk))
    return spans


def _add(spans: list[tuple[int, int]], chunk: str, base: int, start: int, end: int) -> None:
    piece = chunk[start:end]
    stripped = piece.strip()
    if stripped:
        lead = len(piece) - len(piece.lstrip())
        spans.append((base + start + lead, base + start + lead + len(stripped)))


def split_sentences(text: str) -> list[str]:
    """Sentences in order, stripped. Knows 。！？； and English abbreviations."""
    return [text[s:e] for s, e in sentence_spans(text)]


def detect_language(text: str) -> str:
    """ "zh" when Han/kana/Hangul characters outnumber Latin words, "en" when Latin
    words dominate, "und" when the text has neither."""
    han = len(_han().findall(text))
    words = len(_LATIN_WORD.findall(text))
    if han == 0 and words == 0:
        return "und"
    return "zh" if han >= words else "en"
