"""From feed or page HTML (or already-plain text) to clean plain text.

Peers leak ``&amp;`` and ``&#8211;`` into posts and carry a page's furniture
("Share:", "Sina Microblog", "release date :...", view counters) into summaries.
Everything that feeds a post goes through here first.

Why the standard library's tokenizer and not a tree builder: hostile pages can nest
tags tens of thousands deep; a streaming tokenizer keeps no tree, so depth costs
nothing, and script/style content is dropped as it streams past (never kept, never
run). Comments, CDATA sections, processing instructions and doctypes are ignored.
"""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser

__all__ = ["clean_html", "clean_text", "is_boilerplate"]

# Elements whose content is never text a reader saw in the article.
_SKIP = frozenset(
    {
        "script",
        "style",
        "noscript",
        "template",
        "iframe",
        "object",
        "embed",
        "svg",
        "math",
        "head",
        "title",
        "select",
        "textarea",
        "button",
        "canvas",
        "audio",
        "video",
    }
)
# Elements that start and end a paragraph.
_BLOCK = frozenset(
    {
        "p",
        "div",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "li",
        "ul",
        "ol",
        "dl",
        "dt",
        "dd",
        "tr",
        "table",
        "thead",
        "tbody",
        "tfoot",
        "caption",
        "blockquote",
        "section",
        "article",
        "header",
        "footer",
        "nav",
        "aside",
        "main",
        "figure",
        "figcaption",
        "pre",
        "address",
        "form",
        "fieldset",
        "hr",
        "details",
        "summary",
        "center",
        "body",
        "html",
    }
)
_VOID = frozenset(
    {
        "br",
        "hr",
        "img",
        "input",
        "meta",
        "link",
        "area",
        "base",
        "col",
        "wbr",
        "source",
        "track",
        "param",
        "embed",
    }
)
_PARA = "\x00P\x00"  # paragraph-break marker, replaced after whitespace collapsing
_LINE = "\x00L\x00"

_WS_RUN = re.compile(r"[ \t\r\n\f\v]+")
# Unicode spaces that should read as an ordinary space (NBSP, ideographic space, ...).
_SPACES = {
    c: " "
    for c in "\u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007"
    "\u2008\u2009\u200a\u202f\u205f\u3000\t\f\v"
}
# Invisible characters that only break counting: zero-width space, BOM, soft hyphen,
# and C0/C1 controls other than newline. ZWJ/ZWNJ stay: emoji and scripts need them.
_DROP = {ord(c): None for c in "\u200b\ufeff\u00ad\u2060"}
_DROP.update({c: None for c in range(0x20) if c != 0x0A})
_DROP.update({c: None for c in range(0x7F, 0xA0)})
_TRANSLATE = {ord(k): v for k, v in _SPACES.items()} | _DROP
_ENTITY = re.compile(r"&(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});?")
_CJK = "\u2e80-\u9fff\uac00-\ud7af\uf900-\ufaff\uff00-\uffef"
_SPACE_BETWEEN_CJK = re.compile(rf"(?<=[{_CJK}]) (?=[{_CJK}])")

# Lines that are page furniture, not article text. Matched on a whole stripped line,
# so a sentence that merely mentions "editor" is kept. Bracket/parenthesis wrappers
# ("（责任编辑：张三）", "[ close window ]") are removed before matching.
_LABEL = (
    r"(?:editors?|editor[- ]in[- ]charge|chief editor|translat(?:or|ion|ed by)"
    r"|proof ?read(?:er|ing)?|reviewer|reporter|photo(?:s|grapher)?|by|written by|typeset(?:ting)?"
    r"|责任编辑|责编|编辑|主编|翻译|译者|审核|审校|初审|复审|终审|校对|撰稿|供稿|摄影|图片|文字|文图|文/图|图/文"
    r"|记者|通讯员|作者|来源|稿源|排版|美编|审稿|编审|英文编辑)"
)
_BOILERPLATE = [
    re.compile(rf"^{_LABEL}\s*[:：].{{0,80}}$", re.I),
    re.compile(r"^(?:share|share to|share on|分享到?|分享至)\s*[:：]?.{0,120}$", re.I),
    re.compile(
        r"^(?:(?:sina|tencent)\s*microblog|wechat|weibo|qzone|qq空间|facebook|twitter|linkedin"
        r"|新浪微博|腾讯微博|微信|朋友圈|豆瓣|人人网|[\s,，、|/]+)+$",
        re.I,
    ),
    re.compile(
        r"^(?:release|publish(?:ed|ing)?|post(?:ed)?|update[d]?)\s*(?:date|time|on)?\s*[:：]"
        r".{0,120}$",
        re.I,
    ),
    re.compile(r"^(?:发布|发表|更新|录入)(?:时间|日期)\s*[:：].{0,120}$"),
    re.compile(
        r"^(?:your (?:present |current )?position|you are here|location|current location"
        r"|当前位置|您(?:现在)?的位置|所在位置|当前的位置)\s*[:：>].*$",
        re.I,
    ),
    re.compile(r"^home\s*(?:>|»|›|/)\s*.{0,120}$", re.I),
    re.compile(
        r"^(?:view ?count|views|hits|clicks|read(?:s| count)?|visits|浏览(?:次数|量)?"
        r"|阅读(?:次数|量)?|点击(?:数|量|次数)?|访问(?:量|次数)?)\s*[:：]?\s*\d*\s*(?:次)?$",
        re.I,
    ),
    re.compile(
        r"^(?:close(?: this)? window|print(?: this page)?|back to top|return to top"
        r"|关闭(?:窗口|本页)?|打印(?:本页|此页)?|返回顶部|返回|收藏本页|【?字号】?.{0,12})$",
        re.I,
    ),
    re.compile(r"^\(?\s*remark\s*[:：].{0,160}$", re.I),
]
_WRAPPERS = re.compile(r"^[\[\(（【〔\s]+|[\]\)）】〕\s]+$")
_BRACKETS = re.compile(r"[\[\]【】]")
_SEGMENT_SPLIT = re.compile(r"\s+\|\s+|\s*｜\s*")


def _matches(piece: str) -> bool:
    piece = _WRAPPERS.sub("", piece)
    return not piece or any(p.match(piece) for p in _BOILERPLATE)


def _is_boilerplate_piece(piece: str) -> bool:
    if _matches(piece):
        return True
    # "[ close window ]ViewCount:" — bracketed furniture glued to more furniture.
    inner = [p for p in _BRACKETS.split(piece) if p.strip()]
    return len(inner) > 1 and all(_matches(p.strip()) for p in inner)


def is_boilerplate(line: str) -> bool:
    """True when a whole line is page furniture. A line of several "|"-separated
    pieces ("release date :... | [ close window ] ViewCount:") is furniture only
    when every piece is."""
    line = line.strip()
    if not line:
        return False
    if _is_boilerplate_piece(line):
        return True
    pieces = [p for p in _SEGMENT_SPLIT.split(line) if p.strip()]
    return len(pieces) > 1 and all(_is_boilerplate_piece(p.strip()) for p in pieces)


def clean_text(text: str) -> str:
    """Normalise already-plain text: unescape leftover entities (feeds often escape
    twice), turn NBSP/ideographic spaces into spaces, drop invisible characters,
    collapse runs of spaces, drop boilerplate lines, and join paragraphs with
    exactly one blank line. Single line breaks inside a paragraph are kept."""
    if not text:
        return ""
    for _ in range(2):  # once for the markup, once more for feeds that escape twice
        if "&" not in text or not _ENTITY.search(text):
            break
        text = html.unescape(text)
    text = text.replace("\r\n", "\n").replace("\r", "\n").translate(_TRANSLATE)
    paragraphs: list[str] = []
    current: list[str] = []
    for raw in text.split("\n"):
        line = _WS_RUN.sub(" ", raw).strip()
        if not line:
            if current:
                paragraphs.append("\n".join(current))
                current = []
            continue
        if is_boilerplate(line):
            continue
        current.append(_SPACE_BETWEEN_CJK.sub("", line))
    if current:
        paragraphs.append("\n".join(current))
    return "\n\n".join(paragraphs)


class _TextCollector(HTMLParser):
    """Collects visible text with paragraph markers; keeps no element tree."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skip: dict[str, int] = {}
        self.skipping = 0
        self.pre = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "body" and "head" in self.skip:  # a <head> never closed
            self.skipping -= self.skip.pop("head")
        if tag in _SKIP and tag not in _VOID:
            self.skip[tag] = self.skip.get(tag, 0) + 1
            self.skipping += 1
            return
        if tag == "br":
            self.parts.append(_LINE)
        elif tag in _BLOCK:
            self.parts.append(_PARA)
            if tag == "pre":
                self.pre += 1
        elif tag in ("td", "th"):
            self.parts.append(" ")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "br":
            self.parts.append(_LINE)
        elif tag in _BLOCK:
            self.parts.append(_PARA)

    def handle_endtag(self, tag: str) -> None:
        if tag in self.skip:
            self.skip[tag] -= 1
            self.skipping -= 1
            if not self.skip[tag]:
                del self.skip[tag]
            return
        if tag in _BLOCK:
            self.parts.append(_PARA)
            if tag == "pre" and self.pre:
                self.pre -= 1
        elif tag in ("td", "th"):
            self.parts.append(" ")

    def handle_data(self, data: str) -> None:
        if self.skipping:
            return
        if self.pre:
            self.parts.append(data.replace("\n", _LINE))
        else:
            self.parts.append(_WS_RUN.sub(" ", data))

    # Comments, CDATA, declarations and processing instructions carry no visible text.
    def handle_comment(self, data: str) -> None:
        return

    def unknown_decl(self, data: str) -> None:
        return


_MARKERS = re.compile(r"(?:\s*\x00[PL]\x00\s*)+")


def _marker_run(match: re.Match[str]) -> str:
    run = match.group(0)
    if _PARA in run or run.count(_LINE) > 1:
        return "\n\n"
    return "\n"


def clean_html(markup: str) -> str:
    """Turn an HTML fragment or a whole page into clean plain text: tags stripped
    (block elements become paragraph breaks, ``<br>`` a line break), entities
    unescaped, script/style/comments dropped, boilerplate lines removed, paragraphs
    separated by one blank line."""
    if not markup:
        return ""
    if "<" not in markup:
        return clean_text(markup)
    parser = _TextCollector()
    parser.feed(markup)
    parser.close()
    joined = "".join(parser.parts)
    return clean_text(_MARKERS.sub(_marker_run, joined))
