"""Hypothesis strategies for texts that are hard to count: the cases where a platform's
counter and ours are most likely to part (CJK and full-width punctuation, emoji
sequences old and new, combining marks and joiners, right-to-left text and directional
marks, URLs in every spelling, hashtags, cashtags and mentions at their edges)."""

from __future__ import annotations

from hypothesis import strategies as st

from syndicator.text import emoji11

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
PICTOGRAPHS = st.integers(0x1F300, 0x1FAFF).map(chr) | st.sampled_from(
    list(
        "☀☁☂☃☄★☎☑☔☕☘☝☠☢☣☦☪☮☯☸☹☺♀♂♈♻♾⚓⚡⚽⛄⛎⛔⛪⛲⛵⛺⛽✂✅✈✉✊✋✌✍✏✒✔✖✝✡✨✳✴❄❇❌❎❓❔❕❗❣❤➕➖➗➡➰➿⤴⤵⬅⬆⬇⬛⬜⭐⭕〰〽㊗㊙"
    )
)
REGIONAL = st.integers(0x1F1E6, 0x1F1FF).map(chr)


@st.composite
def emoji_piece(draw: st.DrawFn) -> str:
    kind = draw(st.integers(0, 7))
    if kind == 0:
        return draw(st.sampled_from(OLD_SEQUENCES))
    if kind == 1:
        return draw(st.sampled_from(NEW_SEQUENCES))
    if kind == 2:  # a ZWJ chain of anything pictographic, maybe with tones and selectors
        parts = draw(st.lists(PICTOGRAPHS, min_size=2, max_size=4))
        extras = st.sampled_from(["", "", VS16, VS15, *SKIN_TONES])
        return ZWJ.join(p + draw(extras) for p in parts)
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


CJK = st.integers(0x4E00, 0x9FFF).map(chr) | st.sampled_from(
    list("あいうえおかきアイウエオ한국어가나다〇々〆ヶ")
)
FULL_WIDTH_PUNCT = st.sampled_from(
    list("。、，．！？：；「」『』（）【】《》〈〉“”‘’…—・～＃＠＄％＆＊＋－／＝＿｜\u3000")
)
COMBINING = st.integers(0x0300, 0x036F).map(chr) | st.sampled_from(
    list("\u0903\u093f\u094d\u0d4d\u0e31\u0e48\u05b7\u064b\u20dd")
)
RTL = st.sampled_from(list("אבגדהשלוםمرحباعربي")) | st.integers(0x0600, 0x06FF).map(chr)
DIRECTIONAL = st.sampled_from(
    list("\u200e\u200f\u061c\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
)
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


@st.composite
def url_piece(draw: st.DrawFn) -> str:
    if draw(st.integers(0, 5)) == 0:  # an IP address, maybe IPv6
        host = draw(
            st.sampled_from(
                [
                    "127.0.0.1",
                    "192.168.0.1",
                    "1.2.3.4",
                    "[::1]",
                    "[2001:db8::1]",
                    "2130706433",
                    "0x7f.1",
                ]
            )
        )
    else:
        labels = draw(st.lists(LABELS, min_size=1, max_size=3))
        host = ".".join(labels) + "." + draw(TLDS)
    port = draw(st.sampled_from(["", "", ":8080", ":"]))
    path = ""
    if draw(st.booleans()):
        path = "/" + draw(st.text(PATH_CHARS, max_size=20))
    open_, close = draw(BRACKETS)
    return open_ + draw(SCHEMES) + host + port + path + draw(TRAIL) + close


@st.composite
def tag_piece(draw: st.DrawFn) -> str:
    sign = draw(st.sampled_from(["#", "#", "＃", "$", "$", "@"]))
    body = draw(
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
    return sign + body + draw(TRAIL)


@st.composite
def hard_text(draw: st.DrawFn) -> str:
    """A short text of mixed pieces, with the separators that matter at their edges."""
    piece = st.one_of(
        emoji_piece(),
        url_piece(),
        tag_piece(),
        st.text(CJK | FULL_WIDTH_PUNCT, min_size=1, max_size=6),
        st.builds(
            lambda a, m: a + m, LATIN_WORD | ASCII_WORD | CJK, st.text(COMBINING, max_size=3)
        ),
        st.text(RTL | DIRECTIONAL, min_size=1, max_size=5),
        SPECIALS,
        ASCII_WORD,
        st.text(st.characters(exclude_categories=("Cs",)), min_size=1, max_size=4),
    )
    pieces = draw(st.lists(piece, min_size=1, max_size=10))
    out = ""
    for p in pieces:
        out += p + draw(SEPARATORS)
    return out
