"""graphemes, grapheme_count, has_emoji and the edge-joiner checks agree with UAX #29.

The counters skip clustering when a text holds no code point that can join a
neighbour; these properties compare them with the ``regex`` module's own ``\\X``
on texts built to contain joiners (combining marks, ZWJ emoji, flags, Hangul
jamo, Indic spacing marks, CR LF) as well as texts without any.
"""

from __future__ import annotations

import regex
from hypothesis import given, settings
from hypothesis import strategies as st

from syndicator.text.graphemes import (
    grapheme_count,
    graphemes,
    has_emoji,
    is_emoji_cluster,
    joins_next,
    joins_previous,
)

PIECES = st.sampled_from(
    [
        "a",
        " ",
        "中",
        "“",
        "é",
        "e\u0301",
        "\u0301",
        "👍",
        "🏻",
        "\u200d",
        "👩\u200d💻",
        "🇨🇳",
        "🇨",
        "\u1100\u1161\u11a8",
        "\u11a8",
        "각",
        "\u0915\u094d\u0937",
        "\u0903",
        "\u0600",
        "\r\n",
        "\r",
        "\n",
        "\ufe0f",
        "©",
        "#\u20e3",
        "\uff9e",
        "\u302a",
    ]
)
TEXTS = st.lists(st.one_of(PIECES, st.text(max_size=3)), max_size=20).map("".join)


@settings(max_examples=400)
@given(TEXTS)
def test_graphemes_and_their_count_match_uax29_clusters(text: str) -> None:
    clusters = regex.findall(r"\X", text)
    assert graphemes(text) == clusters
    assert grapheme_count(text) == len(clusters)


@given(TEXTS)
def test_has_emoji_is_false_only_when_no_cluster_is_an_emoji(text: str) -> None:
    if not has_emoji(text):
        assert not any(is_emoji_cluster(c) for c in regex.findall(r"\X", text))


def test_text_without_joiners_has_one_cluster_per_code_point() -> None:
    text = "北京理工大学 “Double First-Class” – 2019年，增长28%。각 ©"
    assert graphemes(text) == list(text)
    assert grapheme_count(text) == len(text)


def test_marks_and_modifiers_join_the_character_before_them() -> None:
    for ch in ("\u0301", "🏻", "\u200d", "\ufe0f", "\u0903"):
        assert joins_previous(ch), repr(ch)
        assert len(regex.findall(r"\X", "【" + ch)) == 1
    for ch in ("a", "中", "【", " ", "👍"):
        assert not joins_previous(ch), repr(ch)


def test_prepended_marks_join_the_character_after_them() -> None:
    assert joins_next("\u0600")
    assert len(regex.findall(r"\X", "\u0600 ")) == 1
    assert not joins_next("a") and not joins_next("。")
