"""The forgiving path: feedparser, for feeds lxml will not parse as they are.

Undeclared HTML entities (``&nbsp;`` in RSS), a DOCTYPE, broken nesting or a
stray byte: feedparser copes with all of these. It is given bytes only (it never
fetches anything itself) and its DOCTYPE handling drops entity declarations other
than simple character references, so entity expansion attacks stay inert.
The result is mapped onto the same ``FeedEntry`` fields the fast path fills.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urljoin

from syndicator.sources.entries import FeedEntry, first_image

__all__ = ["parse_with_feedparser"]


def _image(entry: Any, base: str, content: str, summary: str) -> str | None:
    for media in entry.get("media_content", []):
        kind = (media.get("type") or "").lower()
        if media.get("url") and (kind.startswith("image/") or media.get("medium") == "image"):
            return urljoin(base, media["url"].strip())
    for thumb in entry.get("media_thumbnail", []):
        if thumb.get("url"):
            return urljoin(base, thumb["url"].strip())
    for link in entry.get("links", []):
        kind = (link.get("type") or "").lower()
        if link.get("rel") == "enclosure" and kind.startswith("image/") and link.get("href"):
            return urljoin(base, link["href"].strip())
    return first_image(content or summary, base)


def parse_with_feedparser(body: bytes, *, url: str) -> tuple[list[FeedEntry], str | None]:
    """Entries in document order, and feedparser's complaint when the document
    was not a feed it could read (``None`` when all went well)."""
    import feedparser

    parsed = feedparser.parse(body, response_headers={"content-location": url})
    feed = parsed.get("feed", {})
    language = feed.get("language") or None
    site = feed.get("title", "")
    entries = []
    for entry in parsed.entries:
        content = ""
        for part in entry.get("content", []):
            if part.get("value"):
                content = part["value"]
                break
        summary = entry.get("summary", "")
        if summary == content:
            summary = ""  # feedparser copies content into summary when there is none
        link = entry.get("link") or None
        tags = tuple(
            t["term"].strip() for t in entry.get("tags", []) if (t.get("term") or "").strip()
        )
        entries.append(
            FeedEntry(
                guid=entry.get("id") or None,
                link=urljoin(url, link) if link else None,
                title=entry.get("title", ""),
                summary_html=summary,
                content_html=content,
                published=entry.get("published") or entry.get("updated") or None,
                image_url=_image(entry, url, content, summary),
                categories=tags,
                author=entry.get("author") or None,
                language=language,
                site_name=site,
            )
        )
    problem = None
    if not entries and parsed.get("bozo"):
        problem = str(parsed.get("bozo_exception") or "not a feed")
    elif not entries and not parsed.get("version"):
        problem = "no RSS, Atom or RDF feed found"
    return entries, problem
