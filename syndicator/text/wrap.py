"""Line-break units for renderers that wrap CJK and Latin text themselves.

The share-card renderer fills lines greedily with the units returned here and may
break a line only between two units. Full UAX #14 (``uniseg``) costs 0.3-0.7 ms per
character in pure Python, tens of milliseconds for one title, so this module keeps
only the rules news text needs and compiles them into one regular expression that
matches a whole unit at a time:

    unit = opening* body (quote-glued body)* closing* (spaces closing+)* spaces*

* a **body** is a URL (kept whole: the renderer force-breaks an overlong unit only
  when nothing else fits), a Latin word or number ("well-" and "known" are two units,
  "COVID-19", "26.1%", "1,000", "China's", "and/" "or" stay as UAX #14 has them),
  one CJK ideograph / kana / hangul syllable / full-width form / emoji, or else any
  single character;
* **opening** punctuation (（「『【《〈“‘([{) joins the body after it and **closing**
  punctuation (，。、；：！？）」』】》〉”’,.;:!?)]} and "%·…—～") joins the body before
  it, even across spaces, so no unit but the first starts with closing punctuation
  and no unit but the last ends with opening punctuation; "——" and "……" stay whole;
* spaces stay attached to the unit before them, as in UAX #14.

Where this deliberately differs from UAX #14 (a URL is one unit; a line never starts
with "—", "·" or "%" because the card layout forbids that) the tests say so. Text
holding characters that may extend a grapheme cluster (combining marks, ZWJ emoji,
flags, skin tones, conjoining jamo) takes one more pass that merges units split
inside a cluster; plain Chinese and English never pays for it.
"""

from __future__ import annotations

import re
from functools import cache
from itertools import accumulate

__all__ = ["CLOSING", "OPENING", "word_units", "wrap_units"]

#: Never at the start of a unit (except the first): closing punctuation, CJK and
#: ASCII, the card layout's "%·…—～", small kana and iteration marks (UAX #14 NS/CJ).
CLOSING = (
    "，。、；：！？）」』】》〉”’,.;:!?)]}%·…—～"
    "〕〗〙〛｝］｠｡､｣％‰‱℃℉°′″‼⁇⁈⁉・〜゠々〻ゝゞヽヾー"
    "ぁぃぅぇぉっゃゅょゎゕゖァィゥェォッャュョヮヵヶ"
)
#: Never at the end of a unit (except the last).
OPENING = "（「『【《〈“‘([{〔〖〘〚｛［｟｢¿¡"

_SPACE = " \\t\\n\\r\\f\\v\\u200b\\u2000-\\u2006\\u2008-\\u200a\\u205f\\u3000"
_QUOTE = "\"'"
_HYPHEN = "\\-\\u2010\\u2013/"
#: Code points with a break opportunity on both sides (UAX #14 ID, H2/H3, full width).
_IDEO = (
    "\\u2e80-\\u2fff\\u3001-\\u303f\\u3040-\\u30ff\\u3100-\\u31ff\\u3200-\\u33ff"
    "\\u3400-\\u4dbf\\u4e00-\\u9fff\\ua000-\\ua4cf\\uac00-\\ud7af\\uf900-\\ufaff"
    "\\ufe10-\\ufe1f\\ufe30-\\ufe4f\\uff01-\\uff60\\uffe0-\\uffe6"
    "\\U0001f000-\\U0001faff\\U00020000-\\U0003fffd"
)
#: Characters that can never extend a grapheme cluster; text made only of these
#: needs no grapheme pass.
_CLUSTER_SAFE = (
    "\\x00-\\u02ff\\u0370-\\u0482\\u048a-\\u0590\\u2000-\\u200b\\u200e-\\u20cf"
    "\\u2100-\\u2bff\\u2e00-\\u3029\\u3030-\\u3098\\u309b-\\u9fff\\ua000-\\ua4cf"
    "\\uac00-\\ud7a3\\uf900-\\ufaff\\ufe10-\\ufe1f\\ufe30-\\ufe4f\\uff00-\\uff9d"
    "\\uffa0-\\uffef\\U0001f000-\\U0001f1e5\\U0001f200-\\U0001f3fa\\U0001f400-\\U0001faff"
    "\\U00020000-\\U0003fffd"
)


def _cls(chars: str) -> str:
    """Characters (already-escaped ranges allowed) as the inside of a [...] class."""
    return "".join("\\" + c if c in "\\]^-[" else c for c in chars)


@cache
def _unit_pattern() -> re.Pattern[str]:
    """One match = one unit. Compiled on first use to keep ``import`` cheap."""
    space, ideo = _SPACE, _IDEO
    opening, closing = _cls(OPENING), _cls(CLOSING)
    # Latin word characters: not a space, ideograph, bracket, quote, hyphen or slash,
    # nor the closing marks that UAX #14 breaks after ("…" "—" "’" "”").
    word = f"[^{space}{ideo}{opening}{_QUOTE}{_HYPHEN}…—’”‘“·\\)\\]\\}}]"
    first = f"(?![{closing}]){word}"  # a word never starts with closing punctuation
    atom = f"[{ideo}]"
    latin = (
        f"(?:-+(?=[0-9]))?{first}{word}*"  # "-5", "word"
        f"(?:['’]{word}+"  # "China's"
        f"|[\\-/]+(?=[0-9]){word}+"  # "COVID-19", "2020/02/09" (but "51st–" "75th")
        f"|[(\\[]+{word}+|[)\\]]+{word}+"  # "f(x)", "(a)b": UAX #14 LB30
        f")*[{_HYPHEN}]*"  # a break after "well-" and "and/"
        f"(?:(?<=[+$£¥€])(?![{opening}]){atom})?"  # a prefix sign holds the ideograph after it: "AI+教"
    )
    url_char = f'[^{space}{ideo}"<>‘’“”]'
    url = f"(?:https?://|www\\.){url_char}*(?<![{opening}])"
    body = f"(?:{url}|{latin}|{atom}|.)"
    prefix = f"(?:[{opening}][{space}]*|[{_QUOTE}]|[￥＄](?=[0-9]))"
    # UAX #14 LB19: an ASCII quote glued to text on both sides joins them ('谓"双').
    glued = f"(?:[{closing}]*[{_QUOTE}]+(?![{space}]|\\Z){prefix}*{body})"
    tail = f"[{closing}{_QUOTE}]*(?:[{space}]+[{closing}][{closing}{_QUOTE}]*)*[{space}]*"
    return re.compile(f"{prefix}*{body}{glued}*{tail}", re.DOTALL)


@cache
def _cluster_risk() -> re.Pattern[str]:
    return re.compile(f"[^{_CLUSTER_SAFE}]")


def wrap_units(text: str) -> list[str]:
    """Pieces between line-break opportunities: a renderer may break a line only
    between two units, and ``"".join(wrap_units(text)) == text``.

    >>> wrap_units("北京理工大学，举行音乐会。")
    ['北', '京', '理', '工', '大', '学，', '举', '行', '音', '乐', '会。']
    >>> wrap_units("A well-known result: 26.1% (1,000 people).")
    ['A ', 'well-', 'known ', 'result: ', '26.1% ', '(1,000 ', 'people).']
    """
    if not text:
        return []
    units: list[str] = _unit_pattern().findall(text)
    if not text.isascii() and _cluster_risk().search(text):
        units = _merge_split_clusters(text, units)
    return units


def _merge_split_clusters(text: str, units: list[str]) -> list[str]:
    """Join neighbouring units whose boundary falls inside a grapheme cluster
    ("e" + combining accent, a ZWJ family, a flag, an emoji with a skin tone)."""
    from syndicator.text.graphemes import graphemes  # loads ``regex``: only when needed

    boundaries = set(accumulate(map(len, graphemes(text))))
    merged = [units[0]]
    offset = len(units[0])
    for unit in units[1:]:
        if offset in boundaries:
            merged.append(unit)
        else:
            merged[-1] += unit
        offset += len(unit)
    return merged


def _is_han(char: str) -> bool:
    return "\u3400" <= char <= "\u9fff" or "\uf900" <= char <= "\ufaff"


def word_units(text: str) -> list[str]:
    """``wrap_units`` with Chinese words kept whole: two units that meet between two Han
    characters inside one word (by ``segment.han_word_ends``) become one unit, so a
    renderer breaks "研究生教育国际化" as "研究生/教育/国际化" and never as "国/际化";
    a number keeps the measure word after it ("1000人次", "2018年").
    Punctuation rules are those of ``wrap_units``; ``"".join(word_units(t)) == t``.
    """
    pieces = wrap_units(text)
    from syndicator.text.segment import han_word_ends, has_han

    if not pieces or not has_han(text):
        return pieces
    ends = han_word_ends(text)
    merged = [pieces[0]]
    offset = len(pieces[0])
    for unit in pieces[1:]:
        before = merged[-1][-1]
        inside_word = offset not in ends and _is_han(before) and _is_han(unit[0])
        if inside_word or (before.isdigit() and before.isascii() and _is_han(unit[0])):
            merged[-1] += unit
        else:
            merged.append(unit)
        offset += len(unit)
    return merged
