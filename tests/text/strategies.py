"""Hypothesis strategies for texts that are hard to count: the cases where a platform's
counter and ours are most likely to part (CJK and full-width punctuation, emoji
sequences old and new, combining marks and joiners, right-to-left text and directional
marks, URLs in every spelling, hashtags, cashtags and mentions at their edges)."""

from __future__ import annotations

import unicodedata

from hypothesis import strategies as st

from syndicator.text import emoji11

KEPT_NONCHARACTERS = "\ufffe\uffff"  # unassigned, but what X must not be sent
ZWJ, VS15, VS16, KEYCAP = "\u200d", "\ufe0e", "\ufe0f", "\u20e3"
SKIN_TONES = [chr(c) for c in range(0x1F3FB, 0x1F400)]


def _seq(hexes: str) -> str:
    return "".join(chr(int(h, 16)) for h in hexes.split())


OLD_SEQUENCES = [_seq(s) for s in emoji11.ZWJ_SEQUENCES + emoji11.FLAG_SEQUENCES]
# Sequences newer than Emoji 11.0, which X weighs part by part.
NEW_SEQUENCES = [
    "❤️\u200d🔥",
    "❤️\u200d🩹",
    "🧑\u200d🧑\u200d🧒",
    "🧑\u200d🧑\u200d🧒\u200d🧒",
    "🫶🏿",
    "🧔\u200d♀️",
    "🐈\u200d⬛",
    "🐦\u200d🔥",
    "🏳️\u200d⚧️",
    "🧑🏽\u200d🦯",
    "👩🏻\u200d🤝\u200d👨🏿",
    "🫱🏻\u200d🫲🏿",
    "🍋\u200d🟩",
    "😮\u200d💨",
    "😵\u200d💫",
    "🧑\u200d🎄",
    "🇪🇺",
    "🇺🇳",
    "🏴\U000e0067\U000e0062\U000e0073\U000e0063\U000e0074\U000e007f",  # Scotland
    "🏴\U000e0075\U000e0073\U000e0074\U000e0078\U000e007f",  # not RGI: Texas
    "♾️",
    "♾",
    "☺",
    "☺️",
    "☺︎",
    "©",
    "©️",
    "™️",
    "♟️",
    "1️⃣",
    "1⃣",
    "#️⃣",
    "*⃣",
    "⌚",
    "⌚︎",
    "⌚️",
    "🀄︎",
    "🈚️",
    "🌎︎",
    "\ue50a",
    "\ufe0f",
    "\ufe0e",
    "🦰",
    "👨\u200d🦰",
    "🤵\u200d♀️",
    "👁️\u200d🗨️",
    "👁\u200d🗨",
    "🏋️\u200d♀️",
    "🏋\u200d♀️",
    "🏌🏽\u200d♂️",
]
# Alphabets are plain strings: one draw per character keeps 20,000 texts quick.
PICTOGRAPH_CHARS = "".join(chr(c) for c in range(0x1F300, 0x1FB00)) + (
    "☀☁☂☃☄★☎☑☔☕☘☝☠☢☣☦☪☮☯☸☹☺♀♂♈♻♾⚓⚡⚽⛄⛎⛔⛪⛲⛵⛺⛽✂✅✈✉✊✋✌✍✏✒✔✖✝✡✨✳✴❄❇❌❎❓❔❕❗❣❤➕➖➗➡➰➿⤴⤵⬅⬆⬇⬛⬜⭐⭕〰〽㊗㊙"
)
PICTOGRAPHS = st.sampled_from(PICTOGRAPH_CHARS)
REGIONAL = st.sampled_from("".join(chr(c) for c in range(0x1F1E6, 0x1F200)))


ZWJ_CHAINS = st.lists(
    st.tuples(PICTOGRAPHS, st.sampled_from(["", "", VS16, VS15, *SKIN_TONES])).map("".join),
    min_size=2,
    max_size=4,
).map(ZWJ.join)


@st.composite
def emoji_piece(draw: st.DrawFn) -> str:
    kind = draw(st.integers(0, 7))
    if kind == 0:
        return draw(st.sampled_from(OLD_SEQUENCES))
    if kind == 1:
        return draw(st.sampled_from(NEW_SEQUENCES))
    if kind == 2:  # a ZWJ chain of anything pictographic, maybe with tones and selectors
        return draw(ZWJ_CHAINS)
    if kind == 3:
        return draw(REGIONAL) + draw(REGIONAL)
    if kind == 4:
        return (
            draw(st.sampled_from("#*0123456789")) + draw(st.sampled_from(["", VS16, VS15])) + KEYCAP
        )
    if kind == 5:
        return draw(PICTOGRAPHS) + draw(st.sampled_from([*SKIN_TONES, VS16, VS15, ""]))
    if kind == 6:
        return draw(st.sampled_from([*SKIN_TONES, ZWJ, VS16, VS15, KEYCAP])) + draw(PICTOGRAPHS)
    return draw(PICTOGRAPHS)


CJK_CHARS = (
    "".join(chr(c) for c in range(0x4E00, 0xA000, 5))
    + "あいうえおかきアイウエオ한국어가나다〇々〆ヶ"
)
PUNCT_CHARS = "。、，．！？：；「」『』（）【】《》〈〉“”‘’…—・～＃＠＄％＆＊＋－／＝＿｜\u3000"
RTL_CHARS = "אבגדהשלוםمرحباعربي" + "".join(chr(c) for c in range(0x0600, 0x0700))
MARK_CHARS = "\u200e\u200f\u061c\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
COMBINING_CHARS = (
    "".join(chr(c) for c in range(0x0300, 0x0370))
    + "\u0903\u093f\u094d\u0d4d\u0e31\u0e48\u05b7\u064b\u20dd"
)
CJK = st.sampled_from(CJK_CHARS)
CJK_AND_PUNCT = CJK_CHARS + PUNCT_CHARS
RTL_AND_MARKS = RTL_CHARS + MARK_CHARS
COMBINING = st.sampled_from(COMBINING_CHARS)
SPECIALS = st.sampled_from(
    [
        *"\ufeff\u0085\u180e\ufffe\uffff\u00ad\u2028\u2029\u3000\u00a0\u2009\u200b\u200c\u200d\u2060",
        *"\t\r\n\x0b\x0c\x1c\x1f",
        *["\r\n", "അവന്\u200d", "ſ", "\u212a", "ß", "İ", "ﬁ"],
    ]
)
SEPARATORS = st.sampled_from(
    [" ", " ", " ", "", "\n", "\u3000", "\u00a0", ", ", ". ", "\t", "\u2028", "\ufeff", "\u0085"]
)
ASCII_WORD = st.text("abcdefghijklmnopqrstuvwxyzABCXYZ0123456789_-", min_size=1, max_size=10)
LATIN_WORD = st.text("aeiouçéèüößñåøłđ", min_size=1, max_size=8)

TLDS = st.sampled_from(
    [
        "com",
        "org",
        "net",
        "io",
        "jp",
        "co.jp",
        "de",
        "cn",
        "uk",
        "app",
        "social",
        "test",
        "COM",
        "Com",
        "onion",
        "an",
        "amazon",
        "xyz",
        "中国",
        "рф",
        "みんな",
        "xn--p1ai",
        "local",
        "bsky.social",
        "c",
        "museum",
        "ſ",
        "co\u212a",
        "ai",
        "tv",
        "zw",
        "a1",
    ]
)
LABELS = (
    st.sampled_from(
        [
            "example",
            "t",
            "bsky",
            "news-site",
            "a_b",
            "例え",
            "bücher",
            "xn--bcher-kva",
            "日本語",
            "münchen",
            "EXAMPLE",
            "Ex",
            "x" * 63,
            "y" * 64,
            "sub.domain",
            "1",
            "a-",
            "-a",
            "www",
        ]
    )
    | ASCII_WORD
)
SCHEMES = st.sampled_from(
    ["", "", "https://", "http://", "HTTP://", "Https://", "ftp://", "//", "https:/", "www."]
)
PATH_CHARS = "abcXYZ019-_~.!*'();:@&=+$,/?#[]%éü中()"
TRAIL = st.sampled_from(
    ["", "", ".", ",", ";", ":", "!", "?", ")", "。", "、", "…", "!?", ".)", "'", '"', "）", "」"]
)
BRACKETS = st.sampled_from(
    [
        ("", ""),
        ("(", ")"),
        ('"', '"'),
        ("（", "）"),
        ("「", "」"),
        ("[", "]"),
        ("<", ">"),
        ("'", "'"),
        ("【", "】"),
        ("“", "”"),
    ]
)


IP_HOSTS = st.sampled_from(
    ["127.0.0.1", "192.168.0.1", "1.2.3.4", "[::1]", "[2001:db8::1]", "2130706433", "0x7f.1"]
)
PORTS = st.sampled_from(["", "", ":8080", ":"])
PATHS = st.just("") | st.text(PATH_CHARS, max_size=20).map(lambda p: "/" + p)
HOST_LABELS = st.lists(LABELS, min_size=1, max_size=3).map(".".join)
HOSTS = IP_HOSTS | st.builds(lambda labels, tld: labels + "." + tld, HOST_LABELS, TLDS)


@st.composite
def url_piece(draw: st.DrawFn) -> str:
    host = draw(HOSTS)
    open_, close = draw(BRACKETS)
    return open_ + draw(SCHEMES) + host + draw(PORTS) + draw(PATHS) + draw(TRAIL) + close


TAG_SIGNS = st.sampled_from(["#", "#", "＃", "$", "$", "@"])
TAG_BODIES = (
    st.sampled_from(
        [
            "",
            "1",
            "123",
            "2024年",
            "a",
            "AAPL",
            "aapl",
            "BRK",
            "ABCDEF",
            "A1",
            "1A",
            "tag_1",
            "日本",
            "café",
        ]
    )
    | ASCII_WORD
    | LATIN_WORD
    | st.text(st.sampled_from("ab1中\u0301\u200d\ufe0f😀.-_"), min_size=1, max_size=8)
    | st.integers(60, 70).map(lambda n: "é" * n)  # grapheme vs UTF-16 limits
    | st.integers(60, 70).map(lambda n: "e\u0301" * n)
    | st.sampled_from(
        ["alice.bsky.social", "bob.test", "carol.example.com", "x.an", "y.onion", "z.COM"]
    )
)


@st.composite
def tag_piece(draw: st.DrawFn) -> str:
    return draw(TAG_SIGNS) + draw(TAG_BODIES) + draw(TRAIL)


PIECES = st.one_of(
    emoji_piece(),
    url_piece(),
    tag_piece(),
    st.text(st.sampled_from(CJK_AND_PUNCT), min_size=1, max_size=6),
    st.builds(lambda a, m: a + m, LATIN_WORD | ASCII_WORD | CJK, st.text(COMBINING, max_size=3)),
    st.text(st.sampled_from(RTL_AND_MARKS), min_size=1, max_size=5),
    SPECIALS,
    ASCII_WORD,
    st.text(st.characters(exclude_categories=("Cs",)), min_size=1, max_size=4),
)


@st.composite
def hard_text(draw: st.DrawFn) -> str:
    """A short text of mixed pieces, with the separators that matter at their edges.

    Code points unassigned in Python's Unicode data are dropped: no real text holds
    them, and their grapheme properties differ between Unicode versions (Node's ICU
    keeps reserved U+1F7FE pictographic, ``regex``'s newer data does not)."""
    pieces = draw(st.lists(PIECES, min_size=1, max_size=6))
    out = ""
    for p in pieces:
        out += p + draw(SEPARATORS)
    return "".join(ch for ch in out if ch in KEPT_NONCHARACTERS or unicodedata.category(ch) != "Cn")
