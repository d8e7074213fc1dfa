"""A news list page (a site without a feed) into the article links it lists.

The links are chosen with a CSS selector (``items``), a regular expression that
article URLs match (``link_pattern``), or both. The pattern comes from a config
file and is compiled with RE2, whose matching time is linear, so no pattern can
hang the poller. Page order is kept: list pages put the newest first.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urljoin

from syndicator.sources.encoding import decode_body
from syndicator.sources.keys import canonical_url

__all__ = ["ListedLink", "compile_link_pattern", "compile_selector", "parse_list_page"]

_SKIP_SCHEMES = ("javascript:", "mailto:", "tel:", "data:", "#")


@dataclass(frozen=True)
class ListedLink:
    url: str
    title: str


def compile_selector(selector: str) -> Any:
    """A compiled CSS selector; ``ValueError`` naming it when it is not valid CSS
    (the config loader can call this to report the key)."""
    from cssselect import SelectorError
    from lxml.cssselect import CSSSelector

    try:
        return CSSSelector(selector)
    except SelectorError as exc:
        raise ValueError(f"invalid CSS selector {selector!r}: {exc}") from exc


def compile_link_pattern(pattern: str) -> Any:
    """A compiled RE2 pattern; ``ValueError`` naming it when RE2 rejects it
    (backreferences and look-arounds are not supported, by design)."""
    from syndicator.patterns import compile_re2

    try:
        return compile_re2(pattern)
    except ValueError as exc:
        raise ValueError(f"invalid link pattern {pattern!r}: {exc}") from None


def parse_html(body: bytes, *, url: str, encoding: str | None) -> Any:
    """An lxml document from page bytes decoded with the right charset."""
    import lxml.html

    text = decode_body(body, encoding)
    if not text.strip():
        raise ValueError(f"empty page at {url}")
    return lxml.html.document_fromstring(text, base_url=url)


def page_base(doc: Any, url: str) -> str:
    base = doc.find(".//base[@href]")
    return urljoin(url, base.get("href").strip()) if base is not None else url


def _link_of(el: Any) -> Any:
    if el.tag == "a" and el.get("href"):
        return el
    found = el.find(".//a[@href]")
    return found


def _title_of(anchor: Any) -> str:
    text = " ".join(anchor.text_content().split())
    title_attr = " ".join((anchor.get("title") or "").split())
    # Lists often truncate long titles ("...") and keep the full one in @title.
    if title_attr and (not text or text.endswith(("...", "…")) or len(title_attr) > len(text)):
        return title_attr
    return text


def parse_list_page(
    body: bytes,
    *,
    url: str,
    items: str | None,
    link_pattern: str | None,
    encoding: str | None = None,
) -> list[ListedLink]:
    """Article links in page order as canonical absolute URLs (tracking
    parameters and fragments removed), each once. With ``items`` only the selected
    elements (or the first link inside each) count; with ``link_pattern`` only
    URLs it matches (``search`` on the canonical URL) count; with neither, every
    http(s) link of the page. A link's title is its text, or its ``title``
    attribute when the text is missing or cut short."""
    doc = parse_html(body, url=url, encoding=encoding)
    base = page_base(doc, url)
    if items:
        anchors = [a for el in compile_selector(items)(doc) if (a := _link_of(el)) is not None]
    else:
        anchors = list(doc.iter("a"))
    pattern = compile_link_pattern(link_pattern) if link_pattern else None
    found: dict[str, str] = {}  # canonical URL -> title, in page order
    for anchor in anchors:
        href = (anchor.get("href") or "").strip()
        if not href or href.lower().startswith(_SKIP_SCHEMES):
            continue
        absolute = canonical_url(urljoin(base, href))
        if not absolute.startswith(("http://", "https://")):
            continue
        if pattern is not None and not pattern.search(absolute):
            continue
        if not found.get(absolute):  # an image link first, its titled twin later
            found[absolute] = _title_of(anchor)
    return [ListedLink(url=link, title=title) for link, title in found.items()]
