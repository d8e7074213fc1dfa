"""Grapheme clusters (UAX #29) and emoji sequences, with ``regex`` loaded on first use."""

from __future__ import annotations

from functools import cache
from typing import Any

__all__ = ["grapheme_count", "graphemes", "is_emoji_cluster"]


@cache
def _re() -> Any:
    import regex  # heavy: imported only when a grapheme is first needed

    return regex


@cache
def _cluster() -> Any:
    return _re().compile(r"\X")


@cache
def _pictographic() -> Any:
    return _re().compile(r"[\p{Extended_Pictographic}\p{Regional_Indicator}\u20e3]")


def graphemes(text: str) -> list[str]:
    """User-perceived characters: a flag, a ZWJ family or "e" + accent is one item."""
    if text.isascii() and "\r\n" not in text:  # ASCII: each code point is a cluster
        return list(text)
    return _cluster().findall(text)


def grapheme_count(text: str) -> int:
    if text.isascii() and "\r\n" not in text:
        return len(text)
    return len(_cluster().findall(text))


def is_emoji_cluster(cluster: str) -> bool:
    """True when twitter-text's emoji parser takes the cluster for one emoji: it holds a
    pictographic code point, a regional indicator or a keycap. A lone text-style
    symbol in the Latin ranges (© ® without U+FE0F) stays an ordinary character."""
    if len(cluster) == 1 and ord(cluster) < 0x2000:
        return False
    return _pictographic().search(cluster) is not None
