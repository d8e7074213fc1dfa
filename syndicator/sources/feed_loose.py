"""The forgiving path: feedparser, for feeds lxml will not parse as they are.

Undeclared HTML entities (``&nbsp;`` in RSS), a DOCTYPE, broken nesting or a
stray byte: feedparser copes with all of these. It is given bytes only (it never
fetches anything itself) and its DOCTYPE handling drops entity declarations other
than simple character references, so entity expansion attacks stay inert.

Two things are done before feedparser sees the document, so that a feed gives the
same articles on both paths: the bytes are decoded by ``encoding.decode_feed`` (the
HTTP charset, the declaration, then UTF-8, GB18030 or Big5 by content) and handed
over as UTF-8, because feedparser alone reads an undeclared UTF-8 or GBK feed as
ISO-8859-1; and no document URL is given, so that ids stay as written (feedparser
would resolve a relative id against the URL; links are resolved here instead).
"""

from __future__ import annotations

import html
import re
from typing import Any

from syndicator.sources.encoding import decode_feed
from syndicator.sources.entries import FeedEntry, absolute, first_image

__all__ = ["parse_with_feedparser"]

_XML_DECL = re.compile(r"^\s*<\?xml[^>]*\?>")
_ROOT = re.compile(
    r"(?:\s|<\?.*?\?>|<!--.*?-->|<!DOCTYPE[^>\[]*(?:\[.*?\])?\s*>)*<([\w:.-]+)", re.S | re.I
)
_FEED_ROOTS = {"rss", "rdf", "feed", "channel"}  # channel: Microsoft's CDF
_PLAIN_TYPES = ("text/plain", "text")


def _image(entry: Any, base: str, content: str, summary: str) -> str | None:
    for media in entry.get("media_content", []):
        kind = (media.get("type") or "").lower()
        if media.get("url") and (kind.startswith("image/") or media.get("medium") == "image"):
            return absolute(base, media["url"].strip())
    for thumb in entry.get("media_thumbnail", []):
        if thumb.get("url"):
            return absolute(base, thumb["url"].strip())
    for link in entry.get("links", []):
        kind = (link.get("type") or "").lower()
        if link.get("rel") == "enclosure" and kind.startswith("image/") and link.get("href"):
            return absolute(base, link["href"].strip())
    return first_image(content or summary, base)


def _as_html(value: str, detail: Any) -> str:
    """feedparser's text as HTML: plain text is escaped (see ``feed_fields``)."""
    kind = (detail or {}).get("type") or ""
    return html.escape(value, quote=False) if kind in _PLAIN_TYPES else value


def _content(entry: Any) -> tuple[str, str]:
    """The first non-empty content, as feedparser gave it and as HTML."""
    for part in entry.get("content", []):
        if part.get("value"):
            return part["value"], _as_html(part["value"], part)
    return "", ""


def _base(entry: Any, url: str) -> str:
    """The base the entry's markup is relative to: its ``xml:base`` (which
    feedparser records with each field) against the feed's URL."""
    details = [*entry.get("content", []), entry.get("summary_detail"), entry.get("title_detail")]
    for detail in details:
        if detail and (base := detail.get("base")):
            return absolute(url, str(base))
    return url


def _link(entry: Any, atom: bool) -> str | None:
    """The entry's alternate link. feedparser makes an id the link of an entry that
    has none; an Atom id is a name, so that never counts, and an RSS permalink guid
    counts only when it is an http(s) URL (as on the fast path)."""
    for link in entry.get("links", []):
        if (link.get("rel") or "alternate") == "alternate" and (href := link.get("href")):
            return str(href)
    if atom or not entry.get("guidislink"):
        return None
    guid = entry.get("id") or ""
    return guid if guid.startswith(("http://", "https://")) else None


def _to_entry(entry: Any, *, url: str, atom: bool, language: str | None, site: str) -> FeedEntry:
    raw_content, content = _content(entry)
    summary = entry.get("summary", "")
    if summary == raw_content:
        summary = ""  # feedparser copies content into summary when there is none
    summary = _as_html(summary, entry.get("summary_detail"))
    link = _link(entry, atom)
    tags = tuple(t["term"].strip() for t in entry.get("tags", []) if (t.get("term") or "").strip())
    return FeedEntry(
        guid=entry.get("id") or None,
        link=absolute(url, link.strip()) if link else None,
        title=_as_html(entry.get("title", ""), entry.get("title_detail")),
        summary_html=summary,
        content_html=content,
        published=entry.get("published") or entry.get("updated") or entry.get("created") or None,
        image_url=_image(entry, _base(entry, url), content, summary),
        categories=tags,
        author=entry.get("author") or None,
        language=language,
        site_name=site,
    )


def parse_with_feedparser(
    body: bytes, *, url: str, content_type: str = ""
) -> tuple[list[FeedEntry], str | None]:
    """Entries in document order, and feedparser's complaint when the document
    was not a feed it could read (``None`` when all went well: a feed with no
    items is a feed)."""
    import feedparser

    text = _XML_DECL.sub("", decode_feed(body, content_type), count=1)
    parsed = feedparser.parse(
        text.encode("utf-8"),
        response_headers={"content-type": "application/xml; charset=utf-8"},
        sanitize_html=False,  # entries.to_text cleans every field, whichever path read it
        resolve_relative_uris=False,  # no base is given; and the markup stays as written
    )
    feed = parsed.get("feed", {})
    version = parsed.get("version") or ""
    language = feed.get("language") or None
    site = feed.get("title", "")
    entries = [
        _to_entry(e, url=url, atom=version.startswith("atom"), language=language, site=site)
        for e in parsed.entries
    ]
    problem = None
    if not entries and not version and _root_name(text) not in _FEED_ROOTS:
        problem = str(parsed.get("bozo_exception") or "no RSS, Atom or RDF feed found")
    return entries, problem


def _root_name(text: str) -> str:
    """The document element's local name, lower-cased ("" when there is none)."""
    match = _ROOT.match(text[:20_000])
    return match.group(1).rsplit(":", 1)[-1].lower() if match else ""
