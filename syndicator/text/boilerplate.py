"""Page furniture: lines a reader skips ("Share:", "release date :...", view counters).

Every line of every article passes through ``is_boilerplate``, so it is built to
reject ordinary text cheaply: wrappers come off with ``str.strip`` (not a regex
scan), all furniture patterns are one anchored alternation (compiled on first use,
so importing ``syndicator.text`` does not pay for it), and the bracket and "|"
splits run only when the line holds a bracket or a bar at all.

Matched on a whole stripped line, so a sentence that merely mentions "editor" is
kept. Bracket/parenthesis wrappers ("（责任编辑：张三）", "[ close window ]") are
removed before matching.
"""

from __future__ import annotations

import re
from functools import cache

__all__ = ["is_boilerplate"]

_LABEL = (
    r"(?:editors?|editor[- ]in[- ]charge|chief editor|translat(?:or|ion|ed by)"
    r"|proof ?read(?:er|ing)?|reviewer|reporter|photo(?:s|grapher)?|by|written by|typeset(?:ting)?"
    r"|责任编辑|责编|编辑|主编|翻译|译者|审核|审校|初审|复审|终审|校对|撰稿|供稿|摄影|图片|文字|文图|文/图|图/文"
    r"|记者|通讯员|作者|来源|稿源|排版|美编|审稿|编审|英文编辑)"
)
# One alternative per kind of furniture; each is anchored at both ends.
_PATTERNS = (
    rf"^{_LABEL}\s*[:：].{{0,80}}$",
    r"^(?:share|share to|share on|分享到?|分享至)\s*[:：]?.{0,120}$",
    r"^(?:(?:sina|tencent)\s*microblog|wechat|weibo|qzone|qq空间|facebook|twitter|linkedin"
    r"|新浪微博|腾讯微博|微信|朋友圈|豆瓣|人人网|[\s,，、|/]+)+$",
    r"^(?:release|publish(?:ed|ing)?|post(?:ed)?|update[d]?)\s*(?:date|time|on)?\s*[:：].{0,120}$",
    r"^(?:发布|发表|更新|录入)(?:时间|日期)\s*[:：].{0,120}$",
    r"^(?:your (?:present |current )?position|you are here|location|current location"
    r"|当前位置|您(?:现在)?的位置|所在位置|当前的位置)\s*[:：>].*$",
    r"^home\s*(?:>|»|›|/)\s*.{0,120}$",
    r"^(?:view ?count|views|hits|clicks|read(?:s| count)?|visits|浏览(?:次数|量)?"
    r"|阅读(?:次数|量)?|点击(?:数|量|次数)?|访问(?:量|次数)?)\s*[:：]?\s*\d*\s*(?:次)?$",
    r"^(?:close(?: this)? window|print(?: this page)?|back to top|return to top"
    r"|关闭(?:窗口|本页)?|打印(?:本页|此页)?|返回顶部|返回|收藏本页|【?字号】?.{0,12})$",
    r"^\(?\s*remark\s*[:：].{0,160}$",
)
# Exactly the characters ``\s`` and ``str.isspace`` treat as whitespace.
WHITESPACE = (
    "\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005"
    "\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000"
)
_OPEN = "[(（【〔" + WHITESPACE
_CLOSE = "])）】〕" + WHITESPACE


@cache
def _furniture() -> re.Pattern[str]:
    return re.compile("|".join(f"(?:{p})" for p in _PATTERNS), re.IGNORECASE)


@cache
def _brackets() -> re.Pattern[str]:
    return re.compile(r"[\[\]【】]")


@cache
def _segments() -> re.Pattern[str]:
    return re.compile(r"\s+\|\s+|\s*｜\s*")


def _matches(piece: str) -> bool:
    piece = piece.lstrip(_OPEN).rstrip(_CLOSE)
    return not piece or _furniture().match(piece) is not None


def _has_bracket(piece: str) -> bool:
    return "[" in piece or "]" in piece or "【" in piece or "】" in piece


def _is_boilerplate_piece(piece: str) -> bool:
    if _matches(piece):
        return True
    if not _has_bracket(piece):
        return False
    # "[ close window ]ViewCount:" — bracketed furniture glued to more furniture.
    inner = [p for p in _brackets().split(piece) if p.strip()]
    return len(inner) > 1 and all(_matches(p.strip()) for p in inner)


def is_boilerplate(line: str) -> bool:
    """True when a whole line is page furniture. A line of several "|"-separated
    pieces ("release date :... | [ close window ] ViewCount:") is furniture only
    when every piece is."""
    line = line.strip()
    if not line:
        return False
    if _matches(line):
        return True
    # Most lines have no bracket and no bar: then nothing more can match.
    if not _has_bracket(line) and "|" not in line and "｜" not in line:
        return False
    if _is_boilerplate_piece(line):
        return True
    if "|" not in line and "｜" not in line:
        return False
    pieces = [p for p in _segments().split(line) if p.strip()]
    return len(pieces) > 1 and all(_is_boilerplate_piece(p.strip()) for p in pieces)
