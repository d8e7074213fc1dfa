"""Feeds (RSS 0.9x/1.0/2.0, Atom, JSON Feed) into ``Article``s, in document order.

Well-formed RSS/Atom takes the fast lxml walk; anything it declines goes to
feedparser. JSON Feed is read with the standard library. ``parse_entries`` stops
before HTML cleaning so that ``poll_source`` can skip items the store already has.
"""

from __future__ import annotations

import json
import logging
from typing import Any
from urllib.parse import urljoin

from syndicator.errors import SourceError
from syndicator.models import Article
from syndicator.sources.entries import FeedEntry, entry_to_article, first_image

__all__ = ["parse_entries", "parse_feed"]

log = logging.getLogger(__name__)


def _looks_like_json(body: bytes, content_type: str) -> bool:
    if "json" in content_type.lower():
        return True
    return body.lstrip(b"\xef\xbb\xbf \t\r\n")[:1] == b"{"


def _json_entries(body: bytes, *, url: str, source: str) -> list[FeedEntry]:
    try:
        doc = json.loads(body)
    except (ValueError, RecursionError) as exc:
        raise SourceError(source, f"JSON Feed is not valid JSON: {exc}") from exc
    if not isinstance(doc, dict) or not isinstance(doc.get("items"), list):
        raise SourceError(source, "JSON document has no 'items' list: not a JSON Feed")
    site = doc.get("title") if isinstance(doc.get("title"), str) else ""
    language = doc.get("language") if isinstance(doc.get("language"), str) else None
    home = doc.get("home_page_url")
    base: str = home if isinstance(home, str) else url
    entries = []
    for item in doc["items"]:
        if not isinstance(item, dict):
            continue

        def field(name: str, item: dict[str, Any] = item) -> str:
            value = item.get(name)
            return value.strip() if isinstance(value, str) else ""

        raw_id = item.get("id")
        guid = str(raw_id).strip() if isinstance(raw_id, str | int) else ""
        link = field("url") or field("external_url")
        content = field("content_html") or field("content_text")
        summary = field("summary")
        image = field("image") or field("banner_image")
        authors = item.get("authors") or ([item["author"]] if item.get("author") else [])
        author = next((a["name"] for a in authors if isinstance(a, dict) and a.get("name")), None)
        tags = tuple(t.strip() for t in item.get("tags") or [] if isinstance(t, str) and t.strip())
        entries.append(
            FeedEntry(
                guid=guid or None,
                link=urljoin(url, link) if link else None,
                title=field("title"),
                summary_html=summary,
                content_html=content,
                published=field("date_published") or field("date_modified") or None,
                image_url=urljoin(url, image) if image else first_image(content, base),
                categories=tags,
                author=author,
                language=field("language") or language,
                site_name=site,
            )
        )
    return entries


def parse_entries(
    body: bytes, *, url: str, source: str, content_type: str = "", fast: bool = True
) -> list[FeedEntry]:
    """Raw entries in document order. ``fast=False`` forces the feedparser path
    (the tests use it to check both paths agree). Raises ``SourceError`` naming
    ``source`` when the body is not a feed."""
    if not body.strip():
        raise SourceError(source, f"empty response from {url}: not a feed")
    if _looks_like_json(body, content_type):
        return _json_entries(body, url=url, source=source)
    if fast:
        from syndicator.sources.feed_xml import NotFast, parse_xml_fast

        try:
            return parse_xml_fast(body, url=url)
        except NotFast as why:
            log.debug("%s: forgiving parser used (%s)", source, why)
    from syndicator.sources.feed_loose import parse_with_feedparser

    entries, problem = parse_with_feedparser(body, url=url, content_type=content_type)
    if problem:
        raise SourceError(source, f"not a readable feed at {url}: {problem}")
    return entries


def parse_feed(
    body: bytes,
    *,
    url: str,
    source: str,
    content_type: str = "",
    timezone: str = "UTC",
    fast: bool = True,
) -> list[Article]:
    """Every item of the feed as an ``Article``, newest first as the document lists
    them. Items with no title, link, guid or text at all are dropped."""
    articles = []
    for entry in parse_entries(body, url=url, source=source, content_type=content_type, fast=fast):
        if not (
            entry.guid or entry.link or entry.title or entry.content_html or entry.summary_html
        ):
            continue
        articles.append(entry_to_article(entry, source=source, timezone=timezone))
    return articles
