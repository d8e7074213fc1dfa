"""Hashtags in each platform's syntax, from config and the article's categories.

Tags are cleaned (spaces and punctuation removed, Chinese kept), de-duplicated
case-insensitively and kept in priority order, so that ``fit`` can drop the
lowest-priority ones first when space runs out.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable

__all__ = ["HASHTAG_STYLES", "clean_tag", "format_hashtags"]

HASHTAG_STYLES = ("hash", "weibo", "none")


def clean_tag(tag: str) -> str:
    """Letters, digits, marks and "_" only: "Double First-Class" -> "DoubleFirstClass",
    "北理工 新闻" -> "北理工新闻". A tag of digits only is dropped ("#2024" is not a
    tag on Bluesky or Mastodon)."""
    kept = "".join(
        ch
        for ch in unicodedata.normalize("NFC", tag)
        if ch == "_" or unicodedata.category(ch)[0] in "LMN"
    )
    return "" if kept.isdigit() else kept


def format_hashtags(tags: Iterable[str], style: str = "hash") -> list[str]:
    """Render tags in a platform's syntax: "hash" -> "#tag", "weibo" -> "#tag#",
    "none" -> [] (Weibo's share API rejects topics)."""
    if style not in HASHTAG_STYLES:
        raise ValueError(f"unknown hashtag style {style!r} (known: {', '.join(HASHTAG_STYLES)})")
    if style == "none":
        return []
    seen: set[str] = set()
    out: list[str] = []
    for raw in tags:
        tag = clean_tag(raw.lstrip("#＃").rstrip("#＃"))
        key = tag.casefold()
        if not tag or key in seen:
            continue
        seen.add(key)
        out.append(f"#{tag}#" if style == "weibo" else f"#{tag}")
    return out
