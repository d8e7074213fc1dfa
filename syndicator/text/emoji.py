"""The emoji twitter-text 3.1.0 weighs as one: twemoji-parser 11's reading of Emoji 11.0.

X counts each emoji twemoji-parser finds as 2 and everything else code point by code
point, so what counts is exactly which spans that parser takes, tried in its order:
ZWJ sequences, keycaps, symbols that need U+FE0F, text-default symbols (unless U+FE0E
follows), modifier bases with an optional skin tone, tag and flag sequences,
emoji-presentation characters, and a lone U+FE0F. A sequence newer than Emoji 11.0
(``❤️‍🔥``, ``🫶🏿``) is then several parts, as on X.

The table is ``emoji11.py``, generated from Unicode's Emoji 11.0 files by
scripts/gen_emoji_table.py; the pattern is built from it on first use.
"""

from __future__ import annotations

import re
from functools import cache

from syndicator.text import emoji11

__all__ = ["emoji_spans"]

_VS15, _VS16 = "\ufe0e", "\ufe0f"


def _cls(ranges: tuple[tuple[int, int], ...] | list[tuple[int, int]]) -> str:
    parts = []
    for first, last in ranges:
        parts.append(
            re.escape(chr(first))
            if first == last
            else f"{re.escape(chr(first))}-{re.escape(chr(last))}"
        )
    return "[" + "".join(parts) + "]"


def _trie(seqs: list[str]) -> str:
    """An alternation of literal strings shaped as a trie, so that matching stays cheap
    and the longest sequence wins, as in twemoji-parser's longest-first list."""
    if not seqs:
        return ""
    heads: dict[str, list[str]] = {}
    ends = False
    for s in seqs:
        if not s:
            ends = True
        else:
            heads.setdefault(s[0], []).append(s[1:])
    branches = [re.escape(h) + _trie(rest) for h, rest in heads.items()]
    body = branches[0] if len(branches) == 1 and not ends else "(?:" + "|".join(branches) + ")"
    return f"(?:{body})?" if ends else body


def _seq(hexes: tuple[str, ...]) -> list[str]:
    return ["".join(chr(int(h, 16)) for h in s.split()) for s in hexes]


@cache
def _pattern() -> re.Pattern[str]:
    t = emoji11
    keycap = "[" + re.escape("".join(chr(c) for c in t.KEYCAP_BASES)) + "]"
    needs_vs16 = "[" + "".join(re.escape(chr(c)) for c in t.REQUIRES_VS16) + "]"
    text_style = f"(?:{_VS16}|(?!{_VS15}))"
    modifier_base = (
        f"(?:{_cls(t.MODIFIER_BASE_TEXT)}{text_style}|{_cls(t.MODIFIER_BASE_EMOJI)})"
        f"{_cls(t.MODIFIERS)}?"
    )
    alternatives = [
        _trie(_seq(t.ZWJ_SEQUENCES)),
        f"{keycap}{_VS16}?\u20e3",
        f"{needs_vs16}{_VS16}",
        f"{_cls(t.TEXT_DEFAULT)}{text_style}",
        modifier_base,
        _trie(_seq(t.TAG_SEQUENCES) + _seq(t.FLAG_SEQUENCES)),
        _cls(t.PRESENTATION),
        _VS16,
    ]
    return re.compile("|".join(alternatives))


@cache
def _candidates() -> frozenset[str]:
    """Every character an emoji can start with, plus U+FE0F and U+20E3 (which an ASCII
    keycap base needs after it): a text without one, like most CJK news text, holds no
    emoji, and in one that has some only the places near them need trying. (A set is
    checked in a few microseconds; a character class this large takes 0.4 ms per KB.)"""
    t = emoji11
    firsts = {int(s.split()[0], 16) for s in t.ZWJ_SEQUENCES + t.TAG_SEQUENCES + t.FLAG_SEQUENCES}
    firsts |= set(t.REQUIRES_VS16) | {0x20E3, 0xFE0F}
    for ranges in (t.TEXT_DEFAULT, t.MODIFIER_BASE_TEXT, t.MODIFIER_BASE_EMOJI, t.PRESENTATION):
        for first, last in ranges:
            firsts.update(range(first, last + 1))
    return frozenset(chr(cp) for cp in firsts if cp > 0x7F)


def emoji_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) code point offsets of every emoji twemoji-parser 11 finds, in order.

    Equal to scanning the whole text with the pattern (as twemoji-parser does): a match
    starts at a candidate character or, for a keycap, one or two places before it."""
    candidates = _candidates()
    if text.isascii() or candidates.isdisjoint(text):
        return []
    pattern = _pattern()
    spans: list[tuple[int, int]] = []
    end = 0
    for pos, ch in enumerate(text):
        if ch not in candidates or pos < end:
            continue
        for start in range(max(pos - 2, end), pos + 1):
            m = pattern.match(text, start)
            if m:
                spans.append(m.span())
                end = m.end()
                break
    return spans
