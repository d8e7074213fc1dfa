"""An article page into an ``Article``: title, date, body text, lead image.

The page's own metadata is read first (``meta.read_meta``); a source may override
any part with CSS selectors and name elements to delete before extraction (the
"release date :... | [ close window ]" line, the "Editor:" line and share buttons
of the seed site). The body comes from trafilatura unless a ``body`` selector
says where it is.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any
from urllib.parse import urljoin

from syndicator.errors import ExtractionError
from syndicator.models import Article
from syndicator.sources.dates import find_labelled_date, parse_date
from syndicator.sources.keys import canonical_url, url_key
from syndicator.sources.listpage import compile_selector, page_base, parse_html
from syndicator.sources.meta import read_meta
from syndicator.text import clean_html, clean_text

__all__ = ["Selectors", "extract_article"]

log = logging.getLogger(__name__)

_LABEL_SCAN = 20_000  # characters of page text searched for a "release date :" label


@dataclass(frozen=True)
class Selectors:
    """CSS selectors a source gives to override extraction. ``remove`` lists
    elements deleted before anything is extracted."""

    title: str | None = None
    date: str | None = None
    body: str | None = None
    image: str | None = None
    remove: tuple[str, ...] = ()


def _select(doc: Any, selector: str | None) -> list[Any]:
    if not selector:
        return []
    try:
        return list(compile_selector(selector)(doc))
    except ValueError as exc:
        raise ExtractionError(str(exc)) from exc


def _plain(el: Any) -> str:
    return " ".join(el.text_content().split())


def _date_from(elements: list[Any], timezone: str) -> Any:
    for el in elements:
        for value in (el.get("datetime"), el.get("content"), _plain(el)):
            if value and (found := parse_date(value, timezone=timezone)):
                return found
    return None


def _image_from(elements: list[Any], base: str) -> str | None:
    for el in elements:
        candidates = [el] if el.tag == "img" else list(el.iter("img"))
        for img in candidates:
            src = img.get("src") or img.get("data-src") or img.get("data-original")
            if src and not src.strip().startswith("data:"):
                return urljoin(base, src.strip())
        if (content := el.get("content")) and not content.startswith("data:"):
            return urljoin(base, content.strip())
    return None


def _title_from_head(doc: Any, site_name: str | None) -> str:
    h1 = next(iter(doc.iter("h1")), None)
    if h1 is not None and (text := _plain(h1)):
        return text
    title = doc.find(".//title")
    text = _plain(title) if title is not None else ""
    if site_name:
        for sep in (" - ", " | ", "-", "_", " – "):
            if text.endswith(sep + site_name):
                return text[: -len(sep + site_name)].strip()
    return text


def _body_text(doc: Any, selected: list[Any], url: str) -> str:
    import lxml.html

    if selected:
        return "\n\n".join(
            t for el in selected if (t := clean_html(lxml.html.tostring(el, encoding="unicode")))
        )
    import trafilatura

    text = trafilatura.extract(
        doc, url=url, include_comments=False, include_tables=True, favor_precision=True
    )
    if text:
        # trafilatura puts one paragraph per line; Article.text separates them by a blank line.
        return clean_text(text.replace("\n", "\n\n"))
    body = doc.find(".//body")
    return clean_html(lxml.html.tostring(body if body is not None else doc, encoding="unicode"))


def extract_article(
    body: bytes,
    *,
    url: str,
    source: str,
    selectors: Selectors | None = None,
    encoding: str | None = None,
    timezone: str = "UTC",
) -> Article:
    """Extract one article page. The key is the page's ``<link rel=canonical>``
    when it has one, else ``url``, canonicalised. A date without an offset is in
    ``timezone``. Raises ``ExtractionError`` naming ``url`` when the page holds
    neither a title nor any text."""
    sel = selectors or Selectors()
    try:
        doc = parse_html(body, url=url, encoding=encoding)
    except Exception as exc:  # lxml raises a variety of errors on garbage
        raise ExtractionError(f"{source}: cannot parse page {url}: {exc}") from exc
    base = page_base(doc, url)
    meta = read_meta(doc, base=base)
    title_els = _select(doc, sel.title)
    date_els = _select(doc, sel.date)
    image_els = _select(doc, sel.image)
    title = next((t for el in title_els if (t := _plain(el))), "")
    published = _date_from(date_els, timezone) or parse_date(meta.published, timezone=timezone)
    if published is None:
        page_text = doc.text_content()[:_LABEL_SCAN] if doc.find(".//body") is not None else ""
        published = find_labelled_date(page_text, timezone=timezone)
    image = _image_from(image_els, base) or meta.image
    for selector in sel.remove:
        for el in _select(doc, selector):
            if el.getparent() is not None:
                el.drop_tree()
    body_els = _select(doc, sel.body)
    if image is None and body_els:
        image = _image_from(body_els, base)
    title = title or clean_text(meta.title or "") or _title_from_head(doc, meta.site_name)
    text = _body_text(doc, body_els, url)
    if not title and not text:
        raise ExtractionError(f"{source}: no article found at {url}")
    canonical = meta.canonical or ""
    final_url = canonical_url(canonical if canonical.startswith(("http://", "https://")) else url)
    return Article(
        key=url_key(final_url),
        url=final_url,
        title=title,
        source=source,
        summary=clean_text(meta.description or ""),
        text=text,
        published=published,
        image_url=image,
        language=meta.language,
        author=meta.author,
        site_name=meta.site_name,
    )
