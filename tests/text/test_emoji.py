"""X weighs what twemoji-parser 11 takes for one emoji as 2 and the rest part by part:
sequences newer than Emoji 11.0 cost more than one emoji (issue 18's audit cases)."""

from __future__ import annotations

import pytest

from syndicator.text import measure
from syndicator.text.emoji import emoji_spans

SCOTLAND = "🏴\U000e0067\U000e0062\U000e0073\U000e0063\U000e0074\U000e007f"


@pytest.mark.parametrize(
    ("text", "weight"),
    [
        ("❤️\u200d🔥", 5),  # Emoji 13.1: heart (2), joiner (1), fire (2)
        ("🧑\u200d🧑\u200d🧒", 8),  # Emoji 15.1 family: three people, two joiners
        ("🫶🏿", 4),  # Emoji 14.0 hands: the skin tone is an emoji of its own
        ("♾️", 4),  # Twemoji 11 drew infinity emoji-style: U+FE0F counts alone
        ("🇦🇧", 4),  # no such flag: two regional indicators
        ("🇫🇷", 2),
        (SCOTLAND, 2),
        ("👨\u200d👩\u200d👧\u200d👦", 2),
        ("👁\u200d🗨", 2),  # Twemoji's own spelling of the eye in a speech bubble
        ("1️⃣", 2),
        ("1⃣", 2),
        ("©", 1),  # a text symbol, unless U+FE0F makes it an emoji
        ("©️", 2),
        ("⌚︎", 4),  # U+FE0E keeps the watch text-style: two heavy code points
        ("🏋️\u200d♀️", 2),
        ("🤵🏽\u200d♀️", 2),  # drawn by Twemoji 11 ahead of Emoji 13.0
        ("⛷🏽", 2),  # Twemoji 11 gave the skier skin tones
    ],
)
def test_x_weighs_emoji_as_twemoji_parser_11_finds_them(text: str, weight: int) -> None:
    assert measure(text, "x") == weight


def test_emoji_spans_are_code_point_offsets_in_order() -> None:
    text = "a🇫🇷b❤️\u200d🔥"
    assert emoji_spans(text) == [(1, 3), (4, 6), (7, 8)]
    assert emoji_spans("plain ASCII #1") == []
