"""The fast path: well-formed RSS 2.0/0.9x, RSS 1.0 and Atom read with one lxml walk.

The parser is locked down (no entity substitution, no DTD loading, no network, no
huge trees), and any document with a DOCTYPE goes to the forgiving path instead,
whose DOCTYPE handling drops entity declarations; so a billion-laughs feed is never
expanded here. Anything this walk does not recognise raises ``NotFast`` and the
caller falls back to feedparser.

Which element fills which field follows feedparser (``tests/sources/
feedparser_differences.md`` lists where and why syndicator reads otherwise), so a
feed gives the same articles whichever path it takes.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any
from urllib.parse import urljoin

from syndicator.sources.entries import FeedEntry, absolute, first_image
from syndicator.sources.feed_fields import (
    ATOM,
    MEDIA,
    XHTML,
    escape,
    inner_markup,
    looks_like_html,
    media_image,
    media_title,
    plain_text,
    text_construct,
)

__all__ = ["NotFast", "make_entry", "parse_xml_fast", "xml_base_only"]

RDF = "{http://www.w3.org/1999/02/22-rdf-syntax-ns#}"
RSS1 = "{http://purl.org/rss/1.0/}"
RSS090 = "{http://my.netscape.com/rdf/simple/0.9/}"
DC = "{http://purl.org/dc/elements/1.1/}"
DCTERMS = "{http://purl.org/dc/terms/}"
CONTENT = "{http://purl.org/rss/1.0/modules/content/}"
ITUNES = "{http://www.itunes.com/DTDs/Podcast-1.0.dtd}"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
XML_BASE = "{http://www.w3.org/XML/1998/namespace}base"


def _tags(kind: str, *tags: str) -> dict[str, str]:
    return dict.fromkeys(tags, kind)


# What each child element of an RSS item is, by tag: one dict lookup per element
# instead of a chain of comparisons (a cold round meets a million elements). A
# "~" kind is a fallback, used only when the item has no element of the main kind.
_RSS_FIELD = {
    **_tags("title", "title", RSS1 + "title", RSS090 + "title", DC + "title", ATOM + "title"),
    **_tags("~title", MEDIA + "title"),
    **_tags("link", "link", RSS1 + "link", RSS090 + "link"),
    **_tags("atomlink", ATOM + "link"),
    **_tags("guid", "guid", ATOM + "id", "id"),
    **_tags("summary", "description", RSS1 + "description", RSS090 + "description"),
    **_tags("summary", DC + "description", "summary", "abstract", DCTERMS + "abstract"),
    **_tags("~summary", ITUNES + "summary", ATOM + "summary"),
    **_tags("content", CONTENT + "encoded", "fullitem", XHTML + "body", "body"),
    **_tags("atomcontent", ATOM + "content"),
    **_tags("published", "pubDate", DCTERMS + "issued", "issued", ATOM + "published", "published"),
    **_tags("updated", DC + "date", DCTERMS + "modified", "modified", ATOM + "updated", "updated"),
    **_tags("~published", DCTERMS + "created", "created"),
    **_tags("author", "author", DC + "creator", DC + "author", ITUNES + "author"),
    **_tags("category", "category", DC + "subject"),
    **_tags("media", MEDIA + "content", MEDIA + "thumbnail", "enclosure"),
    MEDIA + "group": "group",
}
_MARKUP_KINDS = {"summary", "~summary", "content"}

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


def xml_base_only(el: Any, value: str) -> str:
    """``value`` resolved against the ``xml:base`` attributes around ``el`` alone,
    never against the URL the feed came from: an id named relative to the
    document's own base is stable, one resolved against the feed's URL would
    change when the feed moves. feedparser, given no URL, resolves ids the same way."""
    if "://" in value[:12] or value.startswith("urn:"):
        return value
    bases = [b for node in el.iterancestors() if (b := node.get(XML_BASE))]
    if (own := el.get(XML_BASE)) is not None:
        bases.insert(0, own)
    if not bases:
        return value
    base = ""
    for part in reversed(bases):
        base = urljoin(base, part.strip()) if base else part.strip()
    return urljoin(base, value)


def make_entry(
    fields: dict[str, str], images: list[str], cats: list[str], **rest: Any
) -> FeedEntry:
    """A ``FeedEntry`` from the fields a walk found (fallback kinds fill gaps)."""
    content = fields.get("content", "")
    summary = fields.get("summary") or fields.get("~summary", "")
    base = rest.pop("base")
    image = images[0] if images else first_image(content or summary, base)
    return FeedEntry(
        title=fields.get("title") or fields.get("~title", ""),
        summary_html=summary,
        content_html=content,
        published=fields.get("published")
        or fields.get("updated")
        or fields.get("~published")
        or None,
        image_url=image,
        categories=tuple(dict.fromkeys(cats)),
        author=fields.get("author") or None,
        **rest,
    )


def _title(el: Any) -> str:
    """An RSS title is plain text unless it was plainly written as HTML."""
    if el.tag == ATOM + "title":
        return text_construct(el)
    if el.tag == MEDIA + "title":
        return media_title(el)
    text = plain_text(el)
    return text if looks_like_html(text) else escape(text)


def _rss_item(item: Any, base: str, language: str | None, site: str) -> FeedEntry:
    fields: dict[str, str] = {}
    images: list[str] = []
    cats: list[str] = []
    guid = link = None
    permalink = False
    item_base = item.base or base
    for child in item:
        kind = _RSS_FIELD.get(child.tag)
        if kind == "summary" and "summary" in fields:
            kind = "content"  # a second teaser (description and summary) is the body
        if kind is None or kind in fields:
            continue
        if kind in ("title", "~title"):
            fields[kind] = _title(child)
        elif kind in _MARKUP_KINDS:
            fields[kind] = inner_markup(child)
        elif kind == "atomcontent":
            fields["content"] = fields.get("content") or text_construct(child)
        elif kind in ("published", "updated", "~published", "author"):
            fields[kind] = plain_text(child)
        elif kind == "link":
            if (child.get("rel") or "alternate") == "alternate":
                link = link or plain_text(child) or (child.get("href") or "").strip() or None
        elif kind == "atomlink":
            if (child.get("rel") or "alternate") == "alternate" and not link:
                link = (child.get("href") or "").strip() or None
        elif kind == "guid" and guid is None:
            guid = plain_text(child) or None
            permalink = (child.get("isPermaLink") or "true").lower() == "true"
            if guid and permalink:
                guid = xml_base_only(child, guid)
        elif kind == "category":
            if value := plain_text(child):
                cats.append(value)
        elif kind == "media":
            if image := media_image(child, item_base):
                images.append(image)
        elif kind == "group":
            images.extend(i for c in child if (i := media_image(c, item_base)))
    if guid is None and (about := item.get(RDF + "about")):
        guid = about.strip() or None  # RSS 1.0 names each item by its rdf:about
    if link is None and guid and permalink and guid.startswith(("http://", "https://")):
        link = guid
    return make_entry(
        fields,
        images,
        cats,
        base=item_base,
        guid=guid,
        link=absolute(item_base, link) if link else None,
        language=language,
        site_name=site,
    )


def _rss_items(items: Iterable[Any], base: str, language: str | None, site: str) -> list[FeedEntry]:
    return [_rss_item(item, base, language, site) for item in items]


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
        language = channel.findtext("language") or channel.get(XML_LANG) or root.get(XML_LANG)
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
        from syndicator.sources.feed_atom import atom_entries

        return atom_entries(root, url)
    raise NotFast(f"unknown root element {tag!r}")
