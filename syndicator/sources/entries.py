"""Feed items as the document gave them, and how they become ``Article``s.

Both feed parsers (the fast lxml walk and the forgiving feedparser path) produce
``FeedEntry`` values holding raw strings; one function turns an entry into an
``Article``. Keeping the conversion in one place is what makes the two paths give
the same articles, and keeping entries raw lets ``poll_source`` skip the HTML
cleaning of every item the store already knows.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import urljoin

from syndicator.models import Article
from syndicator.sources.dates import parse_date
from syndicator.sources.keys import article_key, canonical_url, guid_key, url_key
from syndicator.text import clean_html, clean_text

__all__ = ["FeedEntry", "absolute", "entry_to_article", "first_image", "quick_text", "to_text"]

_IMG_SRC = re.compile(r"""<img\b[^>]{0,500}?\bsrc\s*=\s*["']?([^"'\s>]+)""", re.I)
_MARKUP = re.compile(r"[<&]")
_DROPPED = re.compile(r"<(script|style)\b.*?</\1\s*>|<!--.*?-->", re.I | re.S)
_BLOCK_TAG = re.compile(
    r"<(?:/?(?:p|div|li|ul|ol|h[1-6]|blockquote|table|tr|section|article|figure)\b[^>]*|br\s*/?)>",
    re.I,
)
_TAG = re.compile(r"<[^>]*>")
_TITLE_FROM_TEXT = 80
_EMAIL_AND_NAME = re.compile(r"^\S+@\S+\s*\((.+)\)$")
_NAME_AND_EMAIL = re.compile(r"^(.+?)\s*\(\S+@\S+\)$")


@dataclass(frozen=True)
class FeedEntry:
    """One item of a feed, fields as written (HTML not yet cleaned, date not yet
    parsed); ``link`` and ``image_url`` are already absolute."""

    guid: str | None = None
    link: str | None = None
    title: str = ""
    summary_html: str = ""
    content_html: str = ""
    published: str | None = None
    image_url: str | None = None
    categories: tuple[str, ...] = ()
    author: str | None = None
    language: str | None = None
    site_name: str | None = None

    @property
    def candidate_keys(self) -> list[str]:
        """The keys the store may know this item by, cheapest to compute first."""
        keys = []
        if self.guid:
            keys.append(guid_key(self.guid))
        if self.link:
            keys.append(url_key(self.link))
        return keys

    @property
    def has_content(self) -> bool:
        return bool(self.content_html.strip())


def to_text(markup: str) -> str:
    """Clean text from a feed field, skipping the HTML tokenizer when the field
    holds no markup or entities at all (most titles, many summaries)."""
    if not markup:
        return ""
    if _MARKUP.search(markup) is None:
        return clean_text(markup)
    return clean_html(markup)


def quick_text(markup: str) -> str:
    """A cheap approximation of ``to_text`` for items that are recorded but never
    posted (a source's first-poll baseline): block tags become paragraph breaks,
    other tags are dropped, then the text is normalised as ``to_text`` would. It
    skips the HTML tokenizer, boilerplate and CJK spacing passes, which cost most of
    a cold round; what it records is a faithful but less polished text."""
    if not markup:
        return ""
    text = markup
    if "<" in text:
        text = _TAG.sub("", _BLOCK_TAG.sub("\n\n", _DROPPED.sub("", text)))
    for _ in range(2):  # feeds sometimes escape twice
        if "&" not in text:
            break
        text = html.unescape(text)
    paragraphs = (" ".join(p.split()) for p in text.split("\n\n"))
    return "\n\n".join(p for p in paragraphs if p)


def absolute(base: str, link: str) -> str:
    """``urljoin`` without its cost for the common cases: a clean absolute link, or
    one relative to the site's root."""
    if "/." in link or " " in link or "\\" in link:
        return urljoin(base, link)
    if link.startswith(("http://", "https://")):
        return link
    if link.startswith("/") and not link.startswith("//"):
        scheme_end = base.find("://")
        if scheme_end > 0:
            path_start = base.find("/", scheme_end + 3)
            return (base if path_start < 0 else base[:path_start]) + link
    return urljoin(base, link)


def first_image(markup: str, base: str) -> str | None:
    """The first ``<img src>`` of an HTML fragment, absolute; a cheap scan, not a parse."""
    match = _IMG_SRC.search(markup) if "<img" in markup or "<IMG" in markup else None
    if match is None:
        return None
    src = match.group(1)
    if src.startswith("data:"):
        return None
    return absolute(base, src)


@lru_cache(maxsize=1024)  # a feed repeats its few authors on every item
def _author_name(raw: str | None) -> str | None:
    """RSS writes authors as "email (Name)" (feedparser as "Name (email)"); a post
    names a person, never an address."""
    if not raw:
        return None
    raw = to_text(raw)
    match = _EMAIL_AND_NAME.match(raw) or _NAME_AND_EMAIL.match(raw)
    return match.group(1).strip() if match else raw or None


@lru_cache(maxsize=256)  # the same channel title on every item of a feed
def _site_name(raw: str | None) -> str | None:
    return to_text(raw or "") or None


def _title_from(text: str) -> str:
    first = text.split("\n", 1)[0].strip()
    if len(first) <= _TITLE_FROM_TEXT:
        return first
    cut = first[:_TITLE_FROM_TEXT].rsplit(" ", 1)[0] if " " in first else first
    return cut[:_TITLE_FROM_TEXT].rstrip(" ,.;:，。；：") + "…"


def entry_to_article(
    entry: FeedEntry, *, source: str, timezone: str = "UTC", quick: bool = False
) -> Article:
    """Turn an entry into an ``Article``: HTML cleaned to text, date parsed in the
    source's ``timezone`` (for feeds that omit the offset), key chosen from guid,
    link or content. An item without a title is named after its first words.
    ``quick`` uses ``quick_text`` for the body and teaser (baseline items)."""
    # An item with neither guid nor link is known by a hash of its text, so it must
    # always be cleaned the same way: it never takes the quick path.
    clean = quick_text if quick and (entry.guid or entry.link) else to_text
    text = clean(entry.content_html)
    summary = clean(entry.summary_html)
    if summary and summary == text:
        summary = ""
    title = to_text(entry.title).replace("\n", " ")
    if not title:
        title = _title_from(summary or text)
    key = article_key(guid=entry.guid, url=entry.link, title=title, text=text or summary)
    return Article(
        key=key,
        url=canonical_url(entry.link) if entry.link else "",
        title=title,
        source=source,
        guid=entry.guid or None,
        summary=summary,
        text=text,
        published=parse_date(entry.published, timezone=timezone),
        image_url=entry.image_url,
        categories=entry.categories,
        language=entry.language or None,
        author=_author_name(entry.author),
        site_name=_site_name(entry.site_name),
    )
