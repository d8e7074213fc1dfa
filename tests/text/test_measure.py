"""Length models beyond the conformance data: Weibo, Telegram/Discord, Bluesky bytes."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from syndicator.text import RULES, fits, limit, measure
from syndicator.text.emoji import emoji_spans
from syndicator.text.rules import X_V3
from syndicator.text.urls import UrlSpan, _patterns, _scan_token, extract_urls


def test_every_rule_has_a_limit_and_counts_plain_ascii() -> None:
    assert {
        "x",
        "mastodon",
        "bluesky",
        "weibo",
        "telegram",
        "telegram_caption",
        "discord",
        "plain",
    } <= set(RULES)
    assert [limit(r) for r in ("x", "mastodon", "bluesky", "weibo")] == [280, 500, 300, 140]
    assert limit("telegram") == 4096 and limit("telegram_caption") == 1024
    assert limit("discord") == 2000 and limit("plain") == 100_000


def test_weibo_counts_half_width_as_half_and_rounds_up() -> None:
    assert measure("a", "weibo") == 1
    assert measure("ab", "weibo") == 1
    assert measure("abc", "weibo") == 2
    assert measure("北理工", "weibo") == 3
    assert measure("é", "weibo") == 1  # U+00E9 is in the half-width block
    assert measure("😀", "weibo") == 2  # astral
    assert measure("北a", "weibo") == 2  # 1 + 0.5, rounded up


def test_telegram_and_discord_count_utf16_code_units() -> None:
    assert measure("北理工", "telegram") == 3
    assert measure("😀", "telegram") == 2
    assert measure("👨‍👩‍👧", "telegram_caption") == 8
    assert measure("😀", "discord") == 2


def test_bluesky_counts_graphemes_and_checks_the_byte_cap() -> None:
    family = "👨‍👩‍👧‍👧"
    assert measure(family * 3, "bluesky") == 3
    assert measure("नमस्ते", "bluesky") == 3
    assert fits(family * 120, "bluesky")  # 120 graphemes but 3000 bytes exactly
    assert not fits(family * 121, "bluesky")  # 121 graphemes, 3025 bytes: over the byte cap


def test_x_counts_urls_without_scheme_but_not_ip_hosts() -> None:
    assert measure("see example.com/news", "x") == 4 + 23
    assert measure("see http://192.168.0.1/news", "x") == 4 + len("http://192.168.0.1/news")
    assert measure("北京", "x") == 4


def test_mastodon_does_not_shorten_scheme_less_urls() -> None:
    assert measure("see example.com/news", "mastodon") == len("see example.com/news")
    assert measure("see https://example.com/" + "a" * 100, "mastodon") == 4 + 23
    assert measure("hi @alice@example.social", "mastodon") == len("hi @alice")


def test_fits_honours_an_explicit_limit() -> None:
    assert fits("a" * 10, "plain", limit=10)
    assert not fits("a" * 11, "plain", limit=10)


def test_an_unknown_rule_is_a_clear_error() -> None:
    with pytest.raises(ValueError, match="unknown length rule 'myspace'"):
        measure("x", "myspace")


# --- fast paths agree with the plain definitions -------------------------------------

_PIECES = st.sampled_from(
    [
        "a",
        " ",
        ".",
        "中文",
        "“",
        "–",
        "é",
        "👍",
        "👩\u200d💻",
        "🇨🇳",
        "©",
        "\u2000",
        "\u2033",
        "2019.",
        "U.S.",
        "example.com",
        "https://t.co/abc",
        "http://例子.中国/路径",
        "gemini://x.org/a",
        "www.bit.edu.cn/news",
        "a.b.c.",
        "...",
    ]
)
_TEXTS = st.lists(st.one_of(_PIECES, st.text(max_size=4)), max_size=25).map("".join)


def _reference_x_length(text: str) -> int:
    """twitter-text's parseTweet loop written out plainly, over UTF-16 units: a URL
    starting here skips its extracted text's length, an emoji its own, anything else
    weighs by its range (a surrogate pair by its low half)."""
    text = unicodedata.normalize("NFC", text)
    units = text.encode("utf-16-le")
    code = [int.from_bytes(units[i : i + 2], "little") for i in range(0, len(units), 2)]

    def u16(i: int) -> int:
        return len(text[:i].encode("utf-16-le")) // 2

    urls = {u16(s.start): len(s.url.encode("utf-16-le")) // 2 for s in reversed(extract_urls(text))}
    emoji = {u16(a): u16(b) - u16(a) for a, b in reversed(emoji_spans(text))}
    total, i = 0, 0
    while i < len(code):
        if i in urls:
            total += X_V3.url_length * X_V3.scale
            i += urls[i]
        elif i in emoji:
            total += X_V3.default_weight
            i += emoji[i]
        else:
            if (
                0xD800 <= code[i] <= 0xDBFF
                and i + 1 < len(code)
                and 0xDC00 <= code[i + 1] <= 0xDFFF
            ):
                i += 1
            total += X_V3.weight(code[i])
            i += 1
    return total // X_V3.scale


@given(_TEXTS)
def test_x_length_matches_the_per_code_point_definition(text: str) -> None:
    assert measure(text, "x") == _reference_x_length(text)


@given(_TEXTS, st.booleans(), st.booleans())
def test_url_extraction_skips_only_tokens_that_cannot_hold_a_url(
    text: str, without_protocol: bool, mastodon: bool
) -> None:
    # twitter-text scans the whole text once; extract_urls scans tokens between spaces.
    expected: list[UrlSpan] = []
    _scan_token(text, 0, _patterns(mastodon), without_protocol, expected)
    found = extract_urls(text, without_protocol=without_protocol, mastodon=mastodon)
    assert found == expected
    # and again, from the per-token cache
    assert extract_urls(text, without_protocol=without_protocol, mastodon=mastodon) == expected


def test_every_unit_has_its_own_counter() -> None:
    from syndicator.text.measure import _COUNTERS
    from syndicator.text.rules import UNITS

    assert set(_COUNTERS) == UNITS


def test_a_rule_in_a_unit_nobody_counts_is_refused() -> None:
    from syndicator.text.rules import Rule

    with pytest.raises(ValueError, match="unknown unit 'words'"):
        Rule("wordy", 100, "words")


def test_a_rule_may_bring_its_own_count() -> None:
    from syndicator.text.rules import Rule

    words = Rule("words", 3, "words", count=lambda text: len(text.split()))
    assert measure("one two three", words) == 3
    assert fits("one two three", words) and not fits("one two three four", words)


def test_meta_and_linkedin_limits() -> None:
    assert [limit(r) for r in ("facebook", "instagram", "linkedin", "threads")] == [
        63_206,
        2200,
        3000,
        500,
    ]


def test_threads_counts_emoji_as_utf8_bytes_and_the_rest_as_utf16_units() -> None:
    assert measure("a🎓", "threads") == 5
    assert measure("🇨🇳", "threads") == 8  # a flag: two regional indicators, 4 bytes each
    assert measure("1️⃣", "threads") == 7  # keycap: "1", U+FE0F, U+20E3
    assert measure("©", "threads") == 1  # a text-style symbol is a character
    assert measure("𠀀", "threads") == 2  # CJK Extension B, not an emoji: UTF-16 units


def test_threads_allows_five_unique_links() -> None:
    five = " ".join(f"https://e{i}.edu/" for i in range(5))
    assert fits(five + " https://e0.edu/", "threads")  # a repeated URL counts once
    assert not fits(five + " www.e9.edu", "threads")  # a URL without scheme counts too


def test_instagram_caps_hashtags_at_30_and_tags_at_20_not_emails() -> None:
    assert fits(" ".join(f"#t{i}" for i in range(30)), "instagram")
    assert not fits(" ".join(f"#t{i}" for i in range(31)), "instagram")
    assert fits(" ".join(f"@u{i}" for i in range(20)), "instagram")
    assert not fits(" ".join(f"@u{i}" for i in range(21)), "instagram")
    assert fits(" ".join(f"u{i}@example.edu" for i in range(40)), "instagram")
    assert fits("Issue &#35;1 " * 40, "instagram")  # an entity-like "&#35" is no hashtag


def test_linkedin_counts_the_text_as_sent_with_little_text_escapes() -> None:
    from syndicator.text.measure import escape_little_text

    assert escape_little_text("a_b (c) #d") == "a\\_b \\(c\\) \\#d"
    assert escape_little_text("see https://x.org/a_(b)") == "see https://x.org/a_(b)"
    assert measure("a_b (c) #d", "linkedin") == 14
    assert measure("😀", "linkedin") == 2


LABEL_63 = "x" * 63


@pytest.mark.parametrize(
    ("text", "length"),
    [
        (f'"{LABEL_63}.com"', 25),  # the quote precedes the URL, it does not split it
        (f"（{LABEL_63}.com）", 27),
        ("see ſ.com", 27),  # "ſ" is a Latin accent, a domain character, not an "s"
        ("example.co\u212a", 11),  # the Kelvin sign is no "k": no TLD, no URL
        ("www.wkwan.ai/*(b)", 27),  # the path stops at "/": "*(b)" ends in no path character
        ("s.Byえ.ai/", 27),  # the URL "s.By/" skips five units; ".ai/" is counted
    ],
)
def test_x_finds_urls_at_token_edges_as_twitter_text(text: str, length: int) -> None:
    assert measure(text, "x") == length
