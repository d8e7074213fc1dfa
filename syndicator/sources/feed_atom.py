"""The fast path's Atom 1.0 walk (``feed_xml.parse_xml_fast`` hands it the root).

Titles, summaries and content are text constructs (``feed_fields.text_construct``:
text escaped, html as written, xhtml inline, other types base64). An entry's id is
its guid and never its link: an id names an entry, it need not be fetchable.
"""

from __future__ import annotations

from typing import Any

from syndicator.sources.entries import FeedEntry, absolute
from syndicator.sources.feed_fields import (
    ATOM,
    MEDIA,
    media_image,
    media_title,
    plain_text,
    text_construct,
)
from syndicator.sources.feed_xml import XML_LANG, make_entry, xml_base_only

__all__ = ["atom_entries"]

_DATES = {ATOM + "published": "published", ATOM + "updated": "updated"}
_TEXTS = {ATOM + "title": "title", ATOM + "summary": "summary", ATOM + "content": "content"}


def _links(entry: Any, base: str) -> tuple[str | None, list[str]]:
    """The first ``rel="alternate"`` link (a link written as text, without ``href``,
    counts) and the image enclosures."""
    link = None
    images = []
    for el in entry.iterchildren(ATOM + "link"):
        rel = el.get("rel") or "alternate"
        href = (el.get("href") or el.text or "").strip()
        if rel == "alternate" and link is None and href:
            link = absolute(el.base or base, href)
        elif rel == "enclosure" and (image := media_image(el, el.base or base)):
            images.append(image)
    return link, images


def _entry(entry: Any, base: str, language: str | None, site: str) -> FeedEntry:
    entry_base = entry.base or base
    fields: dict[str, str] = {}
    cats: list[str] = []
    guid = None
    link, images = _links(entry, entry_base)
    for child in entry:
        tag = child.tag
        if (kind := _TEXTS.get(tag)) is not None:
            fields.setdefault(kind, text_construct(child))
        elif (kind := _DATES.get(tag)) is not None:
            fields.setdefault(kind, plain_text(child))
        elif tag == ATOM + "id":
            if guid is None and (value := plain_text(child)):
                guid = xml_base_only(child, value)
        elif tag == ATOM + "author":
            name = child.find(ATOM + "name")
            if name is not None and "author" not in fields:
                fields["author"] = plain_text(name)
        elif tag == ATOM + "category":
            if term := (child.get("term") or "").strip():
                cats.append(term)
        elif tag in (MEDIA + "content", MEDIA + "thumbnail") and (
            image := media_image(child, entry_base)
        ):
            images.append(image)
        elif tag == MEDIA + "title":
            fields.setdefault("~title", media_title(child))
    return make_entry(
        fields,
        images,
        cats,
        base=entry_base,
        guid=guid,
        link=link,
        language=language,
        site_name=site,
    )


def atom_entries(feed: Any, base: str) -> list[FeedEntry]:
    """Every ``<entry>`` of an Atom feed, in document order."""
    language = feed.get(XML_LANG)
    site = ""
    if (title := feed.find(ATOM + "title")) is not None:
        site = plain_text(title)
    return [_entry(entry, base, language, site) for entry in feed.iterchildren(ATOM + "entry")]
