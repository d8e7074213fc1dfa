"""Every platform's counting rule in one table: what a unit is, the limit, URL weight.

An adapter names its rule ("x", "mastodon", ...); ``measure`` and ``fit`` read the
numbers from here and nowhere else. Sources: twitter-text config/v3.json,
Mastodon's StatusLengthValidator, the app.bsky.feed.post lexicon (300 graphemes,
3000 bytes), Weibo's statuses/share (140), the Telegram Bot API (4096 / 1024 after
entity parsing) and Discord's webhook docs (2000).
"""

from __future__ import annotations

from dataclasses import dataclass
from types import MappingProxyType

__all__ = ["RULES", "X_V2", "X_V3", "Rule", "WeightConfig", "get_rule"]


@dataclass(frozen=True)
class WeightConfig:
    """twitter-text's weighting config (config/v2.json, v3.json)."""

    scale: int
    default_weight: int
    ranges: tuple[tuple[int, int, int], ...]  # (first, last code point, weight)
    url_length: int
    emoji_parsing: bool
    max_length: int

    def weight(self, cp: int) -> int:
        for first, last, weight in self.ranges:
            if first <= cp <= last:
                return weight
        return self.default_weight


_X_RANGES = ((0, 4351, 100), (8192, 8205, 100), (8208, 8223, 100), (8242, 8247, 100))
X_V2 = WeightConfig(100, 200, _X_RANGES, 23, False, 280)
X_V3 = WeightConfig(100, 200, _X_RANGES, 23, True, 280)


@dataclass(frozen=True)
class Rule:
    """How one platform counts. ``unit`` selects the counting function:
    "x" (weighted, URLs 23), "mastodon" (graphemes, URLs 23, @user@domain as @user),
    "graphemes", "weibo" (half-width 0.5, BMP 1, astral 2, rounded up), "utf16"
    (UTF-16 code units) and "codepoints". ``byte_limit`` is a second cap in UTF-8
    bytes (Bluesky)."""

    name: str
    limit: int
    unit: str
    url_length: int | None = None
    byte_limit: int | None = None
    hashtag_style: str = "hash"


RULES = MappingProxyType(
    {
        "x": Rule("x", 280, "x", url_length=23),
        "mastodon": Rule("mastodon", 500, "mastodon", url_length=23),
        "bluesky": Rule("bluesky", 300, "graphemes", byte_limit=3000),
        "weibo": Rule("weibo", 140, "weibo", hashtag_style="weibo"),
        "telegram": Rule("telegram", 4096, "utf16"),
        "telegram_caption": Rule("telegram_caption", 1024, "utf16"),
        # Discord counts characters; UTF-16 units are never fewer, so never over.
        "discord": Rule("discord", 2000, "utf16"),
        "plain": Rule("plain", 100_000, "codepoints"),
    }
)


def get_rule(name: str) -> Rule:
    try:
        return RULES[name]
    except KeyError:
        known = ", ".join(sorted(RULES))
        raise ValueError(f"unknown length rule {name!r} (known: {known})") from None
