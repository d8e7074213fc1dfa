"""Length models: count a text exactly as each platform counts it.

Peers count ``len(text)`` and get posts rejected (X weighs CJK double and every URL
as 23; Mastodon counts URLs as 23 and graphemes, not code points; Weibo counts
half-width characters as half). ``measure`` is called for every candidate post in
fitting, so each counter has an ASCII/no-URL fast path.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Callable
from functools import cache

from syndicator.text.emoji import emoji_spans
from syndicator.text.graphemes import grapheme_count, graphemes, has_emoji, is_emoji_cluster
from syndicator.text.rules import X_V3, Rule, WeightConfig, get_rule
from syndicator.text.urls import extract_urls

__all__ = [
    "entity_problems",
    "escape_little_text",
    "fits",
    "limit",
    "mastodon_length",
    "measure",
    "utf16_length",
    "weibo_length",
    "weighted_length",
]


def limit(rule: str | Rule) -> int:
    """The platform's default text limit in its own units."""
    return get_rule(rule).limit


def measure(text: str, rule: str | Rule) -> int:
    """The length of ``text`` in ``rule``'s units (see ``rules.RULES``)."""
    return _measure(text, get_rule(rule))


# Characters twitter-text's parseTweet calls invalid (the post is refused).
_X_INVALID = re.compile("[\ufffe\ufeff\uffff]")


def fits(text: str, rule: str | Rule, limit: int | None = None) -> bool:
    """True when the platform would accept ``text``: within ``limit`` (default: the
    rule's), for Bluesky within the 3000-byte cap too, and for X free of U+FFFE,
    U+FEFF and U+FFFF."""
    r = get_rule(rule)
    cap = r.limit if limit is None else limit
    if r.byte_limit is not None and len(text.encode("utf-8")) > r.byte_limit:
        return False
    if r.unit == "x" and _X_INVALID.search(text):
        return False
    if _has_entity_caps(r) and entity_problems(text, rule):
        return False
    return _measure(text, r) <= cap


# Instagram's hashtag and @ tag: a "#" or "@" not glued to a word before it (an
# e-mail address is not a tag), then word characters.
_HASHTAG = re.compile(r"(?<![\w&])[#＃]\w+")
_MENTION_TAG = re.compile(r"(?<![\w.])@[\w.]*\w")


def _has_entity_caps(rule: Rule) -> bool:
    return (
        rule.max_hashtags is not None
        or rule.max_mentions is not None
        or (rule.max_links is not None)
    )


def entity_problems(text: str, rule: str | Rule) -> list[str]:
    """What in ``text`` is over ``rule``'s entity caps (Instagram: 30 hashtags, 20 @
    tags; Threads: 5 unique links), in words for an operator; ``[]`` when none is."""
    r = get_rule(rule)
    problems: list[str] = []
    if r.max_hashtags is not None and ("#" in text or "＃" in text):
        count = len(_HASHTAG.findall(text))
        if count > r.max_hashtags:
            problems.append(f"{count} hashtags, over {r.max_hashtags}")
    if r.max_mentions is not None and "@" in text:
        count = len(_MENTION_TAG.findall(text))
        if count > r.max_mentions:
            problems.append(f"{count} @ tags, over {r.max_mentions}")
    if r.max_links is not None and "." in text:
        count = len({span.url for span in extract_urls(text, without_protocol=True)})
        if count > r.max_links:
            problems.append(f"{count} links, over {r.max_links}")
    return problems


def _measure(text: str, rule: Rule) -> int:
    if rule.count is not None:
        return rule.count(text)
    return _COUNTERS[rule.unit](text)


def utf16_length(text: str) -> int:
    """UTF-16 code units: Telegram's and JavaScript's ``length``."""
    if text.isascii():
        return len(text)
    return len(text) + sum(1 for ch in text if ord(ch) > 0xFFFF)


def threads_length(text: str) -> int:
    """Threads: "Emojis are counted as the number of UTF-8 bytes"; every other
    character as UTF-16 units (never fewer than the characters Threads counts)."""
    if text.isascii():
        return len(text)
    if not has_emoji(text):
        return utf16_length(text)
    total = 0
    for cluster in graphemes(text):
        if is_emoji_cluster(cluster):
            total += len(cluster.encode("utf-8"))
        else:
            total += utf16_length(cluster)
    return total


# LinkedIn's little text format: these characters are markup unless escaped.
_LITTLE_TEXT_RESERVED = re.compile(r"[\\|{}@\[\]()<>#*_~]")


def escape_little_text(text: str) -> str:
    """``commentary`` as LinkedIn must receive it: each reserved character of the
    little text format backslash-escaped, so it shows as written (unescaped, LinkedIn
    cuts the post at the first one). URLs are left whole so that they still link."""
    if _LITTLE_TEXT_RESERVED.search(text) is None:
        return text
    parts: list[str] = []
    pos = 0
    for span in extract_urls(text, without_protocol=False) if "://" in text else ():
        parts.append(_LITTLE_TEXT_RESERVED.sub(_escaped, text[pos : span.start]))
        parts.append(text[span.start : span.end])
        pos = span.end
    parts.append(_LITTLE_TEXT_RESERVED.sub(_escaped, text[pos:]))
    return "".join(parts)


def _escaped(match: re.Match[str]) -> str:
    return "\\" + match.group()


def weibo_length(text: str) -> int:
    """Weibo: U+0000–U+00FF count 0.5, other BMP 1, astral 2; halves round up."""
    if text.isascii():
        return math.ceil(len(text) / 2)
    halves = 0
    for ch in text:
        cp = ord(ch)
        halves += 1 if cp <= 0xFF else (2 if cp <= 0xFFFF else 4)
    return math.ceil(halves / 2)


@cache
def _weights(config: WeightConfig) -> dict[str, int]:
    return {}


@cache
def _heavy(config: WeightConfig) -> re.Pattern[str] | None:
    """When every range has one weight (X's configs), a character class of the code
    points outside them: the weight of a text is then two counts done in C."""
    if len({w for _, _, w in config.ranges}) != 1:
        return None
    ranges = "".join(f"\\U{first:08x}-\\U{last:08x}" for first, last, _ in config.ranges)
    return re.compile(f"[^{ranges}]")


def _code_point_weight(segment: str, config: WeightConfig) -> int:
    if segment.isascii():
        return len(segment) * config.weight(0)
    heavy = _heavy(config)
    if heavy is not None:
        light_weight = config.ranges[0][2]
        n_heavy = len(heavy.findall(segment))
        return (len(segment) - n_heavy) * light_weight + n_heavy * config.default_weight
    table = _weights(config)
    total = 0
    for ch in segment:
        w = table.get(ch)
        if w is None:
            w = table[ch] = config.weight(ord(ch))
        total += w
    return total


def weighted_length(text: str, config: WeightConfig = X_V3) -> int:
    """twitter-text 3.1.0's ``parseTweet(text).weightedLength``.

    NFC first; then, walking the text, a URL the extractor finds weighs ``url_length``,
    an emoji twemoji-parser 11 finds (``emoji.emoji_spans``) one default weight, and
    every other code point its range's weight. Like twitter-text, an entity that starts
    inside an earlier one is skipped, a URL wins over an emoji at the same place, and a
    URL skips as many UTF-16 units as its *extracted* text has: "s.Byえ.ai/" yields the
    URL "s.By/", so "え" is skipped and ".ai/" is counted.
    """
    if not unicodedata.is_normalized("NFC", text):
        text = unicodedata.normalize("NFC", text)
    entities: list[tuple[int, int, int, str]] = [  # (start, priority, end, url)
        (span.start, 0, span.end, span.url) for span in extract_urls(text, without_protocol=True)
    ]
    if config.emoji_parsing:
        entities.extend((start, 1, end, "") for start, end in emoji_spans(text))
        entities.sort()
    total = 0
    pos = 0
    for start, priority, end, url in entities:
        if start < pos:
            continue
        total += _code_point_weight(text[pos:start], config)
        if priority:
            total += config.default_weight
            pos = end
            continue
        total += config.url_length * config.scale
        pos, orphan = _skip_utf16(text, start, utf16_length(url))
        if orphan:  # the skip ended inside a surrogate pair: its low half weighs alone
            total += config.default_weight
    total += _code_point_weight(text[pos:], config)
    return total // config.scale


def _skip_utf16(text: str, start: int, units: int) -> tuple[int, bool]:
    """The code point index ``units`` UTF-16 units after ``start``, and whether that
    lands inside an astral character (then the index after it)."""
    pos = start
    while units > 0 and pos < len(text):
        units -= 2 if ord(text[pos]) > 0xFFFF else 1
        pos += 1
    return pos, units < 0


# Mastodon: Account::MENTION_RE (username, optional @domain) and the extractor's rule
# that a mention followed by "@", a Latin accent or "://" is not one.
_MENTION = re.compile(
    r"(?<![=/\w])@(?P<user>[a-z0-9_]+(?:[.-]+[a-z0-9_]+)*)(?:@(?P<domain>\w+(?:[.-]+\w+)*))?",
    re.IGNORECASE,
)
_MENTION_END = re.compile(r"[@\uff20\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u00ff\u0100-\u024f]|://")
_URL_PLACEHOLDER = "x" * 23


def _valid_domain(domain: str) -> bool:
    labels = domain.split(".")
    return len(domain) <= 253 and all(0 < len(label) <= 63 for label in labels)


def mastodon_length(text: str, spoiler_text: str = "") -> int:
    """Mastodon's StatusLengthValidator: graphemes of spoiler + text where each URL
    (scheme required) counts 23 and ``@user@domain`` counts as ``@user``. A mention
    whose domain is not a valid DNS name, or a URL over 4096, counts in full."""
    entities: list[tuple[int, int, str]] = []
    if "://" in text:
        for span in extract_urls(text, without_protocol=False, mastodon=True):
            entities.append((span.start, span.end, _URL_PLACEHOLDER))
    if "@" in text:
        for m in _MENTION.finditer(text):
            if _MENTION_END.match(text, m.end()):
                continue
            domain = m["domain"]
            if domain and not _valid_domain(domain):
                continue
            entities.append((m.start(), m.end(), "@" + m["user"]))
    if not entities:
        return grapheme_count(spoiler_text + text)
    entities.sort()
    parts: list[str] = []
    pos = 0
    for start, end, replacement in entities:
        if start < pos:  # overlapping entities: the earlier one wins
            continue
        parts.append(text[pos:start])
        parts.append(replacement)
        pos = end
    parts.append(text[pos:])
    return grapheme_count(spoiler_text + "".join(parts))


def _x_length(text: str) -> int:
    return weighted_length(text, X_V3)


# One counter per unit of ``rules.UNITS`` (``Rule`` refuses any other unit, and
# tests/text/test_measure.py checks the two agree), so nothing is ever counted by a
# silent ``len()``.
_COUNTERS: dict[str, Callable[[str], int]] = {
    "x": _x_length,
    "mastodon": mastodon_length,
    "graphemes": grapheme_count,
    "weibo": weibo_length,
    "utf16": utf16_length,
    "threads": threads_length,
    "linkedin": lambda text: utf16_length(escape_little_text(text)),
    "codepoints": len,
}
