"""Reading one feed element's value the way its format defines it.

Shared by the fast RSS and Atom walks (``feed_xml``, ``feed_atom``). Every value a
walk puts in a ``FeedEntry`` text field is HTML: plain text is escaped here, so that
``entries.to_text`` can clean every field the same way and "Using Vec&lt;T&gt;" in
an Atom ``type="text"`` title stays "Using Vec<T>" instead of losing a tag.
"""

from __future__ import annotations

import base64
import binascii
import html
import re
from html.entities import entitydefs
from typing import Any

from syndicator.sources.entries import absolute

__all__ = [
    "ATOM",
    "MEDIA",
    "XHTML",
    "escape",
    "inner_markup",
    "looks_like_html",
    "media_image",
    "media_title",
    "plain_text",
    "text_construct",
]

MEDIA = "{http://search.yahoo.com/mrss/}"
XHTML = "{http://www.w3.org/1999/xhtml}"
ATOM = "{http://www.w3.org/2005/Atom}"

_CLOSE_TAG_OR_ENTITY = re.compile(r"</\w+>|&#?\w+;")
_TAG_NAME = re.compile(r"</?([A-Za-z][A-Za-z0-9]*)")
_ENTITY_NAME = re.compile(r"&(\w+);")
# Elements a feed title or teaser plausibly holds; "<T>" in "Vec<T>" is not one.
_HTML_ELEMENTS = frozenset(
    re.findall(
        r"\w+",
        """a abbr acronym address b bdi bdo big blockquote br caption center cite code col
        colgroup dd del dfn div dl dt em figcaption figure font h1 h2 h3 h4 h5 h6 hr i img
        ins kbd li mark ol p pre q s samp small span strike strong sub sup table tbody td
        tfoot th thead time tr tt u ul var wbr""",
    )
)


def escape(text: str) -> str:
    """Plain text as HTML text; most titles have nothing to escape."""
    if "<" in text or "&" in text or ">" in text:
        return html.escape(text, quote=False)
    return text


def looks_like_html(text: str) -> bool:
    """Whether a value that the format calls plain (an RSS title) was written as HTML:
    it closes a tag or uses an entity, and every tag and entity is a real HTML one.
    feedparser guesses the same way, so both parsers read such a title alike."""
    if "<" not in text and "&" not in text:
        return False
    if _CLOSE_TAG_OR_ENTITY.search(text) is None:
        return False
    if any(tag.lower() not in _HTML_ELEMENTS for tag in _TAG_NAME.findall(text)):
        return False
    return all(name in entitydefs for name in _ENTITY_NAME.findall(text))


def plain_text(el: Any) -> str:
    """All text under ``el``, markup inside flattened."""
    if len(el):
        return "".join(el.itertext()).strip()
    return (el.text or "").strip()


def inner_markup(el: Any) -> str:
    """An element's content as HTML: its text when it is escaped/CDATA HTML, its
    serialised children when the markup is inline (xhtml:body, Atom xhtml)."""
    if not len(el):
        return (el.text or "").strip()
    return _serialised(el)


def _serialised(el: Any) -> str:
    """The markup inside ``el``, its text escaped as XML text is."""
    from lxml import etree

    parts = [html.escape(el.text or "", quote=False)]
    for child in el:
        parts.append(etree.tostring(child, encoding="unicode", with_tail=True))
    return "".join(parts).strip()


def _xhtml(el: Any) -> str:
    """Atom xhtml content: the markup inside its one wrapping ``<div>``."""
    children = list(el)
    if len(children) == 1 and children[0].tag == XHTML + "div" and not (el.text or "").strip():
        return _serialised(children[0])
    return _serialised(el)


def _base64(value: str) -> str | None:
    try:
        return base64.b64decode("".join(value.split()), validate=True).decode("utf-8")
    except (binascii.Error, ValueError, UnicodeDecodeError):
        return None


def text_construct(el: Any) -> str:
    """An Atom text construct or content element (1.0 ``type``, 0.3 ``mode``) as HTML.

    ``text`` is escaped, ``html`` is the text (a TypePad-style ``<div>`` inside it
    contributes its text), ``xhtml`` the inline markup, and a type that is neither
    text nor XML is base64 as RFC 4287 requires (decoded; kept as is when it is not).
    """
    kind = (el.get("type") or "text").strip().lower()
    if el.get("mode") == "base64" or not (
        kind in ("text", "html", "xhtml") or kind.startswith("text/") or kind.endswith("xml")
    ):
        raw = plain_text(el)
        return _base64(raw) or raw
    if el.get("mode") == "xml" or kind in ("xhtml", "application/xhtml+xml"):
        return _xhtml(el)
    if kind in ("html", "text/html"):
        return plain_text(el)
    if kind.endswith("xml"):
        return inner_markup(el)
    return escape(plain_text(el))


def media_title(el: Any) -> str:
    """A ``media:title``: plain text unless ``type="html"``."""
    text = plain_text(el)
    return text if el.get("type") == "html" else escape(text)


def media_image(el: Any, base: str) -> str | None:
    """The URL of an image enclosure, ``media:content`` or ``media:thumbnail``."""
    url = el.get("url") or el.get("href")
    if not url:
        return None
    tag = el.tag
    kind = (el.get("type") or "").lower()
    if tag == MEDIA + "content" and not (kind.startswith("image/") or el.get("medium") == "image"):
        return None
    if tag in ("enclosure", ATOM + "link") and not kind.startswith("image/"):
        return None
    return absolute(base, url.strip())
