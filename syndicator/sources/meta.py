"""What a page says about itself: Open Graph, JSON-LD, ``<meta>``, ``<time>``.

Read before any extraction so that the page's own statements (canonical URL,
publication date, lead image) win over guesses from the text.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import urljoin

__all__ = ["PageMeta", "read_meta"]

_ARTICLE_TYPES = {"article", "newsarticle", "blogposting", "reportagenews", "report", "webpage"}
_DATE_NAMES = (
    "article:published_time",
    "og:published_time",
    "pubdate",
    "publishdate",
    "publish-date",
    "publish_date",
    "publication_date",
    "date",
    "dc.date",
    "dc.date.issued",
    "dcterms.date",
    "dcterms.created",
    "sailthru.date",
    "parsely-pub-date",
    "datepublished",
    "datecreated",
)
# Elements that carry a date in microdata or microformats, best first.
_DATE_MARKUP = (
    "//*[@itemprop='datePublished']",
    "//*[@itemprop='dateCreated']",
    "//*[contains(concat(' ', normalize-space(@class), ' '), ' published ')]",
    "//*[@itemprop='dateModified']",
)
_MAX_JSON_LD = 200_000
#: Between an article's title and the site's name in ``<title>``: spaced dashes and
#: bars, CJK bars, the underscore Chinese CMSs use; a bare "-" only next to CJK text.
_TITLE_SEPARATORS = re.compile(
    r"\s+[-|–—·]{1,2}\s+|\s*[｜|_－]\s*|(?<=[\u3400-\u9fff）》」])-(?=[\u3400-\u9fff（《「])"
)
_MAX_SITE_NAME = 40


@dataclass(frozen=True)
class PageMeta:
    title: str | None = None
    site_name: str | None = None
    description: str | None = None
    image: str | None = None
    published: str | None = None
    canonical: str | None = None
    language: str | None = None
    author: str | None = None
    site_names: tuple[str, ...] = ()


def _metas(doc: Any) -> dict[str, str]:
    """``<meta>`` values by lower-cased property/name/itemprop; the first wins."""
    found: dict[str, str] = {}
    for el in doc.iter("meta"):
        name = el.get("property") or el.get("name") or el.get("itemprop") or ""
        content = el.get("content")
        if name and content and content.strip():
            found.setdefault(name.strip().lower(), content.strip())
    return found


def _walk_json_ld(node: Any) -> Iterator[dict[str, Any]]:
    if isinstance(node, list):
        for item in node:
            yield from _walk_json_ld(item)
    elif isinstance(node, dict):
        yield node
        if "@graph" in node:
            yield from _walk_json_ld(node["@graph"])


def _json_ld_article(doc: Any) -> dict[str, Any]:
    for script in doc.iter("script"):
        if (script.get("type") or "").strip().lower() != "application/ld+json":
            continue
        raw = script.text or ""
        if len(raw) > _MAX_JSON_LD:
            continue
        try:
            data = json.loads(raw)
        except (ValueError, RecursionError):
            continue
        for node in _walk_json_ld(data):
            kinds = node.get("@type")
            kinds = kinds if isinstance(kinds, list) else [kinds]
            if any(isinstance(k, str) and k.lower() in _ARTICLE_TYPES for k in kinds):
                return node
    return {}


def _first_string(value: Any, key: str = "name") -> str | None:
    """A string from JSON-LD's str | {key: str} | [either] shapes."""
    if isinstance(value, str):
        return value.strip() or None
    if isinstance(value, dict):
        return _first_string(value.get(key) or value.get("url"), key)
    if isinstance(value, list) and value:
        return _first_string(value[0], key)
    return None


def site_from_title(title: str, heading: str | None = None) -> str | None:
    """The site's name as a page's ``<title>`` gives it beside the headline
    ("Lab opens | BIT News", "实验室揭牌-北京理工大学新闻网"): the piece after the
    headline, else the last piece (the first when the headline ends the title). None
    when the title has no separator or the piece is too long to be a name."""
    title = " ".join(title.split())
    pieces = [p.strip() for p in _TITLE_SEPARATORS.split(title) if p.strip()]
    if len(pieces) < 2:
        return None
    heading = " ".join((heading or "").split())
    candidate = pieces[-1]
    if heading and title.endswith(heading) and not title.startswith(heading):
        candidate = pieces[0]
    if heading and candidate.casefold() in heading.casefold():
        return None
    return candidate if 2 <= len(candidate) <= _MAX_SITE_NAME else None


def _head_title(doc: Any) -> str:
    element = doc.find(".//title")
    return (element.text_content() or "") if element is not None else ""


def read_meta(doc: Any, *, base: str) -> PageMeta:
    """Metadata of an lxml document; URLs absolute against ``base``."""
    metas = _metas(doc)
    ld = _json_ld_article(doc)
    canonical = None
    for link in doc.iter("link"):
        rels = (link.get("rel") or "").lower().split()
        if "canonical" in rels and link.get("href", "").strip():
            canonical = urljoin(base, link.get("href").strip())
            break
    image = (
        metas.get("og:image")
        or metas.get("og:image:url")
        or metas.get("twitter:image")
        or metas.get("twitter:image:src")
        or _first_string(ld.get("image"), "url")
    )
    published = next((metas[n] for n in _DATE_NAMES if n in metas), None)
    published = published or _first_string(ld.get("datePublished")) or _marked_up_date(doc)
    if not published:
        for el in doc.iter("time"):
            if el.get("datetime"):
                published = el.get("datetime")
                break
    language = doc.get("lang") or doc.get("{http://www.w3.org/XML/1998/namespace}lang")
    language = language or metas.get("og:locale") or metas.get("content-language")
    title = metas.get("og:title") or _first_string(ld.get("headline")) or metas.get("twitter:title")
    site_name = metas.get("og:site_name") or _first_string(ld.get("publisher"))
    if not site_name:
        h1 = next(iter(doc.iter("h1")), None)
        heading = title or (h1.text_content() if h1 is not None else None)
        site_name = site_from_title(_head_title(doc), heading)
    return PageMeta(
        title=title,
        site_name=site_name,
        description=metas.get("og:description") or metas.get("description"),
        image=urljoin(base, image) if image and not image.startswith("data:") else None,
        published=published,
        canonical=canonical,
        language=(language or "").strip() or None,
        author=metas.get("author") or _first_string(ld.get("author")),
        site_names=tuple(
            name
            for name in (
                metas.get("og:site_name"),
                _first_string(ld.get("publisher")),
                metas.get("application-name"),
                (metas.get("twitter:site") or "").lstrip("@"),
            )
            if name
        ),
    )


def _marked_up_date(doc: Any) -> str | None:
    """A date in microdata (``itemprop="datePublished"``/``"dateCreated"``) or an
    hAtom ``published`` element: its ``datetime``/``content``/``title``, else its text."""
    for path in _DATE_MARKUP:
        for el in doc.xpath(path)[:3]:
            value = el.get("datetime") or el.get("content") or el.get("title")
            value = value or " ".join(el.text_content().split())
            if value and any(c.isdigit() for c in value):
                return str(value)
    return None
