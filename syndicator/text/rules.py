"""The counting rules text is fitted with: what a unit is, the limit, URL weight.

The rules of the built-in platforms are in ``RULES`` from the start. An adapter
declares the rule it counts with (``Adapter.rule``): one of these by name, or a
``Rule`` of its own, registered here when the adapter is loaded (``register_rule``),
after which its name works wherever a rule name does. A rule name nobody registered
is an error, never a count by ``len()``. Sources of the built-in numbers: twitter-text config/v3.json,
Mastodon's StatusLengthValidator, the app.bsky.feed.post lexicon (300 graphemes,
3000 bytes), Weibo's statuses/share (140), the Telegram Bot API (4096 / 1024 after
entity parsing) and Discord's webhook docs (2000).

Meta and LinkedIn, and what each source says (the rule follows the source; where
the source leaves the unit open, the unit chosen is never fewer than the
platform's, so a text that fits here is never too long there):

* ``threads``: developers.facebook.com/documentation/threads/posts, "Limitations":
  "Text posts are limited to 500 characters. Emojis are counted as the number of
  UTF-8 bytes"; .../create-posts/text-attachments: "The number of links is
  restricted to 5 or fewer" (unique URLs of the text; THREADS_API__LINK_LIMIT_EXCEEDED
  from 2025-12-22). Unit "threads": an emoji cluster counts its UTF-8 bytes, any
  other character its UTF-16 units.
* ``instagram``: the IG User Media reference (developers.facebook.com/docs/
  instagram-platform/instagram-graph-api/reference/ig-user/media), ``caption``:
  "Maximum 2200 characters, 30 hashtags, and 20 @ tags". Meta does not name the
  unit; UTF-16 units (what Instagram's own composer, a JavaScript field, counts).
* ``facebook``: no Graph API page states the unit; 63,206 is the cap of a post's
  message reported consistently since 2011 (secondary sources, e.g. ferryman.io's
  and socialk.it's limit tables). UTF-16 units, as for Instagram.
* ``linkedin``: Posts API ``commentary`` (learn.microsoft.com/linkedin/marketing/
  community-management/shares/posts-api) is "little text": ``| { } @ [ ] ( ) < > #
  \\ * _ ~`` must be backslash-escaped (learn.microsoft.com/linkedin/marketing/
  community-management/shares/little-text-format). 3,000 characters (letmepost,
  postsyncer, Buffer's limit tables). Unit "linkedin": UTF-16 units of the text as
  sent, i.e. after escaping, so each reserved character counts 2.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from types import MappingProxyType

__all__ = [
    "RULES",
    "UNITS",
    "X_V2",
    "X_V3",
    "Rule",
    "WeightConfig",
    "get_rule",
    "register_rule",
]

# The units ``measure`` counts in (see ``Rule``); a rule in another unit brings ``count``.
UNITS = frozenset(
    {"x", "mastodon", "graphemes", "weibo", "utf16", "codepoints", "threads", "linkedin"}
)


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
    (UTF-16 code units), "threads" (emoji clusters as UTF-8 bytes, the rest as UTF-16
    units), "linkedin" (UTF-16 units after little-text escaping) and "codepoints". A
    platform that counts otherwise gives ``count`` (text -> length; ``unit`` then only
    names it). ``byte_limit`` is a second cap in UTF-8 bytes (Bluesky).

    A third-party adapter's rule: ``Rule("mastodon_social", 500, "graphemes")``."""

    name: str
    limit: int
    unit: str
    url_length: int | None = None
    byte_limit: int | None = None
    hashtag_style: str = "hash"
    #: Caps on entities the platform counts apart from the length (Instagram's
    #: hashtags and @ tags, Threads' unique links); ``fits`` checks them too.
    max_hashtags: int | None = None
    max_mentions: int | None = None
    max_links: int | None = None
    count: Callable[[str], int] | None = None

    def __post_init__(self) -> None:
        if not self.name:
            raise ValueError("a length rule needs a name")
        if self.limit < 1:
            raise ValueError(f"length rule {self.name!r}: limit must be at least 1")
        if self.count is None and self.unit not in UNITS:
            raise ValueError(
                f"length rule {self.name!r}: unknown unit {self.unit!r} "
                f"(known: {', '.join(sorted(UNITS))}; or give count=)"
            )


_registry: dict[str, Rule] = dict(
    {
        "x": Rule("x", 280, "x", url_length=23),
        "mastodon": Rule("mastodon", 500, "mastodon", url_length=23),
        "bluesky": Rule("bluesky", 300, "graphemes", byte_limit=3000),
        "weibo": Rule("weibo", 140, "weibo", hashtag_style="weibo"),
        "telegram": Rule("telegram", 4096, "utf16"),
        "telegram_caption": Rule("telegram_caption", 1024, "utf16"),
        # Discord counts characters; UTF-16 units are never fewer, so never over.
        "discord": Rule("discord", 2000, "utf16"),
        "facebook": Rule("facebook", 63_206, "utf16"),
        "instagram": Rule("instagram", 2200, "utf16", max_hashtags=30, max_mentions=20),
        "linkedin": Rule("linkedin", 3000, "linkedin"),
        "threads": Rule("threads", 500, "threads", max_links=5),
        "plain": Rule("plain", 100_000, "codepoints"),
    }
)
_lock = threading.Lock()
#: Every rule known in this process, by name (a read-only view: rules are added with
#: ``register_rule``).
RULES = MappingProxyType(_registry)


def register_rule(rule: Rule) -> Rule:
    """Make ``rule`` known by its name. Registering the same rule again is harmless;
    another rule under a name already taken is an error (two adapters would count
    one name two ways)."""
    with _lock:
        known = _registry.get(rule.name)
        if known is not None and known != rule:
            raise ValueError(
                f"length rule {rule.name!r} is already registered with other numbers "
                f"({known}); give this one another name"
            )
        _registry[rule.name] = rule
    return rule


def get_rule(rule: str | Rule) -> Rule:
    """The rule named ``rule`` (a ``Rule`` is itself)."""
    if isinstance(rule, Rule):
        return rule
    try:
        return _registry[rule]
    except KeyError:
        known = ", ".join(sorted(_registry))
        raise ValueError(f"unknown length rule {rule!r} (known: {known})") from None
