"""Grapheme clusters (UAX #29) and emoji sequences, with ``regex`` loaded on first use."""

from __future__ import annotations

from functools import cache
from typing import Any

__all__ = [
    "ends_with_emoji_joiner",
    "grapheme_count",
    "graphemes",
    "has_emoji",
    "is_emoji_cluster",
    "joins_next",
    "joins_previous",
]


@cache
def _re() -> Any:
    import regex  # heavy: imported only when a grapheme is first needed

    return regex


@cache
def _cluster() -> Any:
    return _re().compile(r"\X")


@cache
def _joiners() -> Any:
    """Code points that can join a neighbour into one cluster (UAX #29 rules GB3,
    GB6-GB9b, GB11-GB13). A text without any has one cluster per code point."""
    gcb = ["Extend", "ZWJ", "SpacingMark", "Prepend", "L", "V", "T", "Regional_Indicator"]
    return _re().compile("[\\r" + "".join(f"\\p{{Grapheme_Cluster_Break={g}}}" for g in gcb) + "]")


@cache
def _edge_joiners() -> tuple[Any, Any]:
    """(joins the character before it, joins the character after it)."""
    before = "[\\p{Grapheme_Cluster_Break=Extend}\\p{Grapheme_Cluster_Break=ZWJ}"
    before += "\\p{Grapheme_Cluster_Break=SpacingMark}]"
    return _re().compile(before), _re().compile("\\p{Grapheme_Cluster_Break=Prepend}")


def joins_previous(ch: str) -> bool:
    """True when ``ch`` would fuse with whatever character precedes it (a combining
    mark, an emoji modifier, a joiner): text starting with it cannot be pasted
    after a template's "【" or " " without changing that character."""
    return not ch.isascii() and _edge_joiners()[0].match(ch) is not None


def joins_next(ch: str) -> bool:
    """True when ``ch`` would fuse with whatever character follows it (Prepend)."""
    return not ch.isascii() and _edge_joiners()[1].match(ch) is not None


@cache
def _emoji_joiner_end() -> Any:
    return _re().compile(r"\p{Extended_Pictographic}\p{Grapheme_Cluster_Break=Extend}*\u200d$")


def ends_with_emoji_joiner(text: str) -> bool:
    """True when ``text`` ends in a pictograph (and its modifiers) plus U+200D: a
    pictograph placed after it would join it into one cluster (UAX #29 rule GB11)."""
    return text.endswith("\u200d") and _emoji_joiner_end().search(text) is not None


@cache
def _pictographic() -> Any:
    return _re().compile(r"[\p{Extended_Pictographic}\p{Regional_Indicator}\u20e3]")


def graphemes(text: str) -> list[str]:
    """User-perceived characters: a flag, a ZWJ family or "e" + accent is one item."""
    if text.isascii() and "\r\n" not in text:  # ASCII: each code point is a cluster
        return list(text)
    if _joiners().search(text) is None:  # one scan in C, then no clustering to do
        return list(text)
    return _cluster().findall(text)


def grapheme_count(text: str) -> int:
    if text.isascii() and "\r\n" not in text:
        return len(text)
    if _joiners().search(text) is None:
        return len(text)
    return len(_cluster().findall(text))


def has_emoji(text: str) -> bool:
    """False when no cluster of ``text`` can be an emoji for ``is_emoji_cluster``
    (no pictographic code point, regional indicator or keycap anywhere)."""
    return _pictographic().search(text) is not None


def is_emoji_cluster(cluster: str) -> bool:
    """True when twitter-text's emoji parser takes the cluster for one emoji: it holds a
    pictographic code point, a regional indicator or a keycap. A lone text-style
    symbol in the Latin ranges (© ® without U+FE0F) stays an ordinary character."""
    if len(cluster) == 1 and ord(cluster) < 0x2000:
        return False
    return _pictographic().search(cluster) is not None
