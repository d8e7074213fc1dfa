"""Visible text of HTML, with paragraph and line-break markers, via libxml2.

Why lxml and not ``html.parser``: the polling benchmark cleans ~35,000 feed items
per round, and the pure-Python tokenizer cost about a millisecond per item. libxml2
(2.14+, an HTML5 tokenizer) builds the tree in C; one ``iterwalk`` then collects
text and marks where block elements start and end.

Hostile input stays safe. Script/style/... subtrees are skipped unread (never run;
an unclosed ``<script>`` swallows only the rest of the page, as in a browser);
comments, processing instructions and CDATA sections never become text (CDATA is
cut out before parsing: an HTML5 tokenizer would end it at the first ">"). A tree
libxml2 refuses to build (nesting deeper than its limit) is read again by the same
tokenizer in streaming mode, which keeps no tree, so depth costs nothing. NUL is
removed up front, so the NUL-delimited markers cannot be forged by input.
"""

from __future__ import annotations

import re
import threading
from functools import cache
from typing import Any

__all__ = ["LINE", "PARA", "html_text"]

PARA = "\x00P\x00"  # paragraph break
LINE = "\x00L\x00"  # line break

# Elements whose content is never text a reader saw in the article.
SKIP = frozenset(
    [
        "script",
        "style",
        "noscript",
        "template",
        "iframe",
        "object",
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
    ]
)
# Elements that start and end a paragraph.
BLOCK = frozenset(
    [
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
    ]
)
_CELL = frozenset({"td", "th"})


@cache
def _cdata() -> re.Pattern[str]:
    # html.parser's marked-section end; an unterminated section runs to the end.
    return re.compile(r"<!\[CDATA\[.*?(?:\]\s*\]\s*>|\Z)", re.DOTALL | re.IGNORECASE)


_BREAK, _BLOCK, _PRE, _CELL_KIND, _SKIP_KIND = range(5)
# One dict lookup per element instead of several set tests.
_KIND = {tag: _BLOCK for tag in BLOCK} | {tag: _SKIP_KIND for tag in SKIP}
_KIND |= {"pre": _PRE, "br": _BREAK, "td": _CELL_KIND, "th": _CELL_KIND}
_local = threading.local()  # lxml parsers are reusable, but not across threads


def _parser(**options: Any) -> Any:
    from lxml import etree  # heavy: imported on first use

    return etree.HTMLParser(
        encoding="utf-8", remove_comments=True, remove_pis=True, no_network=True, **options
    )


def _tree_parser() -> Any:
    parser = getattr(_local, "parser", None)
    if parser is None:
        parser = _local.parser = _parser()
    return parser


def _walk_tree(root: Any) -> list[str]:
    from lxml import etree

    parts: list[str] = []
    add = parts.append
    kinds = _KIND
    pre = 0
    walker = etree.iterwalk(root, events=("start", "end"))
    for event, el in walker:
        kind = kinds.get(el.tag)
        if event == "start":
            if kind is not None:
                if kind == _SKIP_KIND:
                    walker.skip_subtree()  # its "end" event still comes, for the tail
                    continue
                if kind == _BREAK:
                    add(LINE)
                elif kind == _CELL_KIND:
                    add(" ")
                else:
                    add(PARA)
                    pre += kind == _PRE
            text = el.text
        else:
            if kind is not None and kind != _BREAK and kind != _SKIP_KIND:
                if kind == _CELL_KIND:
                    add(" ")
                else:
                    add(PARA)
                    pre -= kind == _PRE
            text = el.tail
        if text:
            add(text.replace("\n", LINE) if pre else text)
    return parts


class _Stream:
    """The same walk as ``_walk_tree`` for libxml2's streaming (target) mode."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.skipping = 0
        self.pre = 0

    def start(self, tag: str, attrib: object) -> None:
        if self.skipping or tag in SKIP:
            self.skipping += 1
        elif tag == "br":
            self.parts.append(LINE)
        elif tag in BLOCK:
            self.parts.append(PARA)
            self.pre += tag == "pre"
        elif tag in _CELL:
            self.parts.append(" ")

    def end(self, tag: str) -> None:
        if self.skipping:
            self.skipping -= 1
        elif tag in BLOCK:
            self.parts.append(PARA)
            self.pre -= tag == "pre" and self.pre > 0
        elif tag in _CELL:
            self.parts.append(" ")

    def data(self, text: str) -> None:
        if not self.skipping:
            self.parts.append(text.replace("\n", LINE) if self.pre else text)

    def close(self) -> list[str]:
        return self.parts


def html_text(markup: str) -> str:
    """Visible text with ``PARA``/``LINE`` markers; other line breaks become spaces."""
    from lxml import etree

    if "\x00" in markup:
        markup = markup.replace("\x00", "")
    if "<![" in markup:  # HTML5 would end a CDATA section at its first ">"
        markup = _cdata().sub("", markup)
    # Bytes with a fixed encoding: a str with an XML encoding declaration is refused.
    try:
        data = markup.encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate: one U+FFFD, as a decoder would give
        data = markup.encode("utf-16", "surrogatepass").decode("utf-16", "replace").encode()
    parser = _tree_parser()
    root = etree.fromstring(data, parser)
    log = parser.error_log
    if len(log) and any(e.type_name == "ERR_RESOURCE_LIMIT" for e in log):
        parts = etree.fromstring(data, _parser(target=_Stream()))
    elif root is None:
        return ""
    else:
        parts = _walk_tree(root)
    text = "".join(parts)
    return text.replace("\n", " ") if "\n" in text else text
