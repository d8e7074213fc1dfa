"""An article page into an ``Article``: title, date, body text, lead image.

The page's own metadata is read first (``meta.read_meta``); a source may override
any part with CSS selectors and name elements to delete before extraction (the
"release date :... | [ close window ]" line, the "Editor:" line and share buttons
of the seed site). The body comes from trafilatura unless a ``body`` selector
says where it is.

Without selectors: the headline is the page's title less the site's suffix
(``page_title``); the date comes from metadata, microdata or a labelled date in the
text, else from htmldate (markup and URL only, never a bare year in the text); the
body never starts with the headline or a furniture line, and a meta description
loses the furniture it starts with.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import urljoin

from syndicator.errors import ExtractionError
from syndicator.models import Article
from syndicator.sources.dates import find_labelled_date, parse_date
from syndicator.sources.keys import canonical_url, url_key
from syndicator.sources.listpage import compile_selector, page_base, parse_html
from syndicator.sources.meta import read_meta
from syndicator.sources.page_title import page_title
from syndicator.text import clean_html, clean_text
from syndicator.text.boilerplate import is_boilerplate

__all__ = ["Selectors", "extract_article"]

log = logging.getLogger(__name__)

_LABEL_SCAN = 20_000  # characters of page text searched for a "release date :" label
_FURNITURE_END = re.compile(
    r"[\]】|｜]|(?:count|次数|量)\s*[:：]\s*\d*|\d{1,2}:\d{2}(?::\d{2})?", re.I
)
_DATE_ONLY = re.compile(
    r"[\d\s./:年月日时分秒,-]+|(?:[A-Za-z]{3,9}\.? \d{1,2}(?:st|nd|rd|th)?,? \d{4}|\d{1,2} [A-Za-z]{3,9}\.? \d{4})"
    r"(?: \d{1,2}:\d{2}(?::\d{2})?)?"
)
_BARE_DATE = 40  # a leading paragraph this short that is only a date is furniture
_MIN_SUMMARY = 20  # a description left shorter than this after its furniture is none


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


def _found_by_htmldate(doc: Any, url: str, timezone: str) -> Any:
    """htmldate's reading of the page (its markup, URL and text), the last resort."""
    import copy

    from htmldate import find_date

    try:
        found = find_date(copy.deepcopy(doc), url=url, original_date=True, extensive_search=False)
    except Exception:  # a third-party heuristic must never cost us the article
        log.debug("htmldate failed on %s", url, exc_info=True)
        return None
    return parse_date(found, timezone=timezone) if found else None


def _find_date(doc: Any, date_els: list[Any], meta: Any, url: str, timezone: str) -> Any:
    """The selector's date, the page's metadata or markup, a labelled date in its
    text ("release date :"), else htmldate's."""
    found = _date_from(date_els, timezone) or parse_date(meta.published, timezone=timezone)
    if found is None and doc.find(".//body") is not None:
        found = find_labelled_date(doc.text_content()[:_LABEL_SCAN], timezone=timezone)
    return found or _found_by_htmldate(doc, url, timezone)


def _summary(description: str | None) -> str:
    """The meta description without the furniture it often starts with (it is often
    the page's first words: "release date :... | [ close window ]ViewCount: ...")."""
    text = " ".join((description or "").split())
    cut = 0
    for mark in _FURNITURE_END.finditer(text):
        if is_boilerplate(text[: mark.end()]):
            cut = mark.end()
    rest = clean_text(text[cut:])
    if cut and len(rest) < _MIN_SUMMARY:
        return ""
    return rest


def _is_furniture(paragraph: str, heads: set[str]) -> bool:
    line = " ".join(paragraph.split())
    if line.casefold() in heads or is_boilerplate(line):
        return True
    return len(line) <= _BARE_DATE and _DATE_ONLY.fullmatch(line) is not None


def _without_title(text: str, titles: list[str]) -> str:
    """The body without leading paragraphs that repeat the headline or are furniture
    (a date on its own, a "release date :" line)."""
    heads = {" ".join(t.split()).casefold() for t in titles if t}
    paragraphs = text.split("\n\n")
    while paragraphs and _is_furniture(paragraphs[0], heads):
        paragraphs.pop(0)
    return "\n\n".join(paragraphs)


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
    title = title or page_title(
        doc, meta_title=clean_text(meta.title or ""), site_names=list(meta.site_names), url=url
    )
    head_title = doc.findtext(".//title") or ""
    published = _find_date(doc, date_els, meta, url, timezone)
    image = _image_from(image_els, base) or meta.image
    for selector in sel.remove:
        for el in _select(doc, selector):
            if el.getparent() is not None:
                el.drop_tree()
    body_els = _select(doc, sel.body)
    if image is None and body_els:
        image = _image_from(body_els, base)
    text = _without_title(_body_text(doc, body_els, url), [title, head_title, meta.title or ""])
    if not title and not text:
        raise ExtractionError(f"{source}: no article found at {url}")
    canonical = meta.canonical or ""
    final_url = canonical_url(canonical if canonical.startswith(("http://", "https://")) else url)
    return Article(
        key=url_key(final_url),
        url=final_url,
        title=title,
        source=source,
        summary=_summary(meta.description),
        text=text,
        published=published,
        image_url=image,
        language=meta.language,
        author=meta.author,
        site_name=meta.site_name,
    )
