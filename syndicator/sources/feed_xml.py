"""The fast path: well-formed RSS 2.0/0.9x, RSS 1.0 and Atom read with one lxml walk.

The parser is locked down (no entity substitution, no DTD loading, no network, no
huge trees), and any document with a DOCTYPE goes to the forgiving path instead,
whose DOCTYPE handling drops entity declarations; so a billion-laughs feed is never
expanded here. Anything this walk does not recognise raises ``NotFast`` and the
caller falls back to feedparser.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from syndicator.sources.entries import FeedEntry, absolute, first_image

__all__ = ["NotFast", "parse_xml_fast"]

ATOM = "{http://www.w3.org/2005/Atom}"
RDF = "{http://www.w3.org/1999/02/22-rdf-syntax-ns#}"
RSS1 = "{http://purl.org/rss/1.0/}"
RSS090 = "{http://my.netscape.com/rdf/simple/0.9/}"
DC = "{http://purl.org/dc/elements/1.1/}"
CONTENT = "{http://purl.org/rss/1.0/modules/content/}"
MEDIA = "{http://search.yahoo.com/mrss/}"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"

# What each child element of an RSS item is, by tag: one dict lookup per element
# instead of a chain of comparisons (a cold round meets a million elements).
_RSS_FIELD = {
    **dict.fromkeys(("title", RSS1 + "title", RSS090 + "title", DC + "title"), "title"),
    **dict.fromkeys(("link", RSS1 + "link", RSS090 + "link"), "link"),
    "guid": "guid",
    **dict.fromkeys(("description", RSS1 + "description", RSS090 + "description"), "summary"),
    CONTENT + "encoded": "content",
    "pubDate": "published",
    DC + "date": "updated",
    **dict.fromkeys(("author", DC + "creator"), "author"),
    **dict.fromkeys(("category", DC + "subject"), "category"),
    **dict.fromkeys((MEDIA + "content", MEDIA + "thumbnail", "enclosure"), "media"),
    MEDIA + "group": "group",
}

_parser: Any = None


class NotFast(Exception):
    """This document needs the forgiving parser."""


def _get_parser() -> Any:
    global _parser
    if _parser is None:
        from lxml import etree

        _parser = etree.XMLParser(
            resolve_entities=False,
            no_network=True,
            huge_tree=False,
            load_dtd=False,
            dtd_validation=False,
            recover=False,
            remove_comments=True,
            remove_pis=True,
        )
    return _parser


def _text(el: Any) -> str:
    """All text under ``el`` (markup inside a title is flattened)."""
    if len(el):
        return "".join(el.itertext()).strip()
    return (el.text or "").strip()


def _inner_markup(el: Any) -> str:
    """An element's content as HTML text: its text when it is escaped/CDATA HTML,
    its serialised children when the markup is inline (Atom xhtml content)."""
    if not len(el):
        return (el.text or "").strip()
    from lxml import etree

    parts = [el.text or ""]
    for child in el:
        parts.append(etree.tostring(child, encoding="unicode", with_tail=True))
    return "".join(parts).strip()


def _media_image(el: Any, base: str) -> str | None:
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


def _entry(fields: dict[str, str], images: list[str], cats: list[str], **rest: Any) -> FeedEntry:
    content = fields.get("content", "")
    summary = fields.get("summary", "")
    base = rest.pop("base")
    image = images[0] if images else first_image(content or summary, base)
    return FeedEntry(
        title=fields.get("title", ""),
        summary_html=summary,
        content_html=content,
        published=fields.get("published") or fields.get("updated") or None,
        image_url=image,
        categories=tuple(cats),
        author=fields.get("author") or None,
        **rest,
    )


def _rss_items(items: Iterable[Any], base: str, language: str | None, site: str) -> list[FeedEntry]:
    out = []
    for item in items:
        fields: dict[str, str] = {}
        images: list[str] = []
        cats: list[str] = []
        guid = link = None
        permalink = False
        for child in item:
            kind = _RSS_FIELD.get(child.tag)
            if kind is None:
                continue
            if kind in ("title", "summary", "content", "published", "updated", "author"):
                if kind not in fields:
                    markup = kind in ("summary", "content")
                    fields[kind] = _inner_markup(child) if markup else _text(child)
            elif kind == "link":
                link = link or _text(child) or None
            elif kind == "guid":
                guid = _text(child) or None
                permalink = (child.get("isPermaLink") or "true").lower() == "true"
            elif kind == "category":
                if value := _text(child):
                    cats.append(value)
            elif kind == "media":
                if image := _media_image(child, base):
                    images.append(image)
            else:  # a media:group
                images.extend(i for c in child if (i := _media_image(c, base)))
        if guid is None and (about := item.get(RDF + "about")):
            guid = about.strip() or None  # RSS 1.0 names each item by its rdf:about
        if link is None and guid and permalink and guid.startswith(("http://", "https://")):
            link = guid
        out.append(
            _entry(
                fields,
                images,
                cats,
                base=base,
                guid=guid,
                link=absolute(base, link) if link else None,
                language=language,
                site_name=site,
            )
        )
    return out


def _atom_link(entry: Any, base: str) -> tuple[str | None, list[str]]:
    link = None
    images = []
    for el in entry.iterchildren(ATOM + "link"):
        rel = el.get("rel") or "alternate"
        href = (el.get("href") or "").strip()
        if rel == "alternate" and link is None and href:
            link = absolute(el.base or base, href)
        elif rel == "enclosure" and (image := _media_image(el, el.base or base)):
            images.append(image)
    return link, images


def _atom_entries(feed: Any, base: str) -> list[FeedEntry]:
    language = feed.get(XML_LANG)
    site = ""
    if (title := feed.find(ATOM + "title")) is not None:
        site = _text(title)
    out = []
    for entry in feed.iterchildren(ATOM + "entry"):
        entry_base = entry.base or base
        fields: dict[str, str] = {}
        cats: list[str] = []
        guid = None
        link, images = _atom_link(entry, entry_base)
        for child in entry:
            tag = child.tag
            if tag == ATOM + "title":
                fields["title"] = _text(child)
            elif tag == ATOM + "id":
                guid = _text(child) or None
            elif tag == ATOM + "summary":
                fields["summary"] = _inner_markup(child)
            elif tag == ATOM + "content":
                fields["content"] = _inner_markup(child)
            elif tag == ATOM + "published":
                fields["published"] = _text(child)
            elif tag == ATOM + "updated":
                fields["updated"] = _text(child)
            elif tag == ATOM + "author":
                name = child.find(ATOM + "name")
                if name is not None and "author" not in fields:
                    fields["author"] = _text(name)
            elif tag == ATOM + "category":
                if term := (child.get("term") or "").strip():
                    cats.append(term)
            elif tag in (MEDIA + "content", MEDIA + "thumbnail") and (
                image := _media_image(child, entry_base)
            ):
                images.append(image)
        out.append(
            _entry(
                fields,
                images,
                cats,
                base=entry_base,
                guid=guid,
                link=link,
                language=entry.get(XML_LANG) or language,
                site_name=site,
            )
        )
    return out


def parse_xml_fast(body: bytes, *, url: str) -> list[FeedEntry]:
    """Entries of a well-formed RSS/Atom document in document order; ``NotFast``
    for anything else (not well-formed, a DOCTYPE, an unknown root)."""
    from lxml import etree

    try:
        root = etree.fromstring(body, _get_parser(), base_url=url)
    except (etree.XMLSyntaxError, ValueError) as exc:
        raise NotFast(str(exc)) from exc
    tree = root.getroottree()
    if tree.docinfo.doctype or tree.docinfo.internalDTD is not None:
        raise NotFast("document has a DOCTYPE")
    tag = root.tag
    if tag == "rss":
        channel = root.find("channel")
        if channel is None:
            raise NotFast("rss without channel")
        language = channel.findtext("language") or None
        site = channel.findtext("title") or ""
        return _rss_items(channel.iterchildren("item"), url, language and language.strip(), site)
    if tag == RDF + "RDF":
        channel = root.find(RSS1 + "channel")
        if channel is None:
            channel = root.find(RSS090 + "channel")
        language = channel.findtext(DC + "language") if channel is not None else None
        site = (
            (channel.findtext(RSS1 + "title") or channel.findtext(RSS090 + "title") or "")
            if channel is not None
            else ""
        )
        items = [el for el in root if el.tag in (RSS1 + "item", RSS090 + "item")]
        return _rss_items(items, url, language and language.strip(), site)
    if tag == ATOM + "feed":
        return _atom_entries(root, url)
    raise NotFast(f"unknown root element {tag!r}")
