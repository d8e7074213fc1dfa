"""An article page's headline without the site's name glued to it.

Sites write ``<title>`` (and often ``og:title``) as "Headline - Site" or "Headline |
Site | 19.01.2020", with "-", "_", "|" or a dash, spaced or not. The suffix is only
cut where the page itself shows it is one: the part before a separator is the text
of a heading or title element of the page, or the part after it is the site (its
``og:site_name``, publisher or application name, its host name, or the initials of
its name: "Beijing Institute of Technology" on bit.edu.cn) or a date. A headline
that merely contains a dash is left whole.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

__all__ = ["page_title", "strip_site_suffix"]

_SEPARATOR = re.compile(r"\s+[-|–—_·»:]{1,2}\s+|\s*[|｜_]\s*|(?<=\S)[-–—]{1,2}(?=\S)|\s*——\s*")
_DATE = re.compile(r"^[\d\s./\-:年月日]{6,}$")
_SMALL_WORDS = {"of", "the", "and", "for", "at", "in", "de", "du", "des", "la", "le", "&"}
# Words a site's name adds to its host's name: "BIT News" on bit.edu.cn.
_SITE_WORDS = {"news", "online", "times", "daily", "english", "official", "website", "portal"}
_CJK_SITE = re.compile(r"^[\u4e00-\u9fff]{0,12}(?:新闻网|官网|网站|门户|网)$")
_HEADINGS = "//h1|//h2|//h3|//*[contains(@class,'title') or contains(@id,'title')]"
_MAX_HEADINGS = 60


def _norm(text: str) -> str:
    return " ".join(text.split()).casefold()


def _host_labels(url: str) -> set[str]:
    host = (urlsplit(url).hostname or "").lower()
    generic = {"www", "com", "org", "net", "edu", "gov", "ac", "cn", "co", "uk", "news", "en"}
    return {label for label in host.split(".") if label and label not in generic}


def _is_site(tail: str, sites: set[str], labels: set[str]) -> bool:
    """Whether ``tail`` names the site or is a date."""
    norm = _norm(tail)
    if not norm:
        return False
    if norm in sites or _DATE.match(norm):
        return True
    if _CJK_SITE.match(norm) or any(site.endswith(norm) for site in sites if len(norm) > 1):
        return True  # "新闻网" for "示例大学新闻网"
    letters = re.sub(r"[^0-9a-z]", "", norm)
    words = [w for w in re.findall(r"[A-Za-z0-9]+", tail) if w.lower() not in _SMALL_WORDS]
    initials = "".join(w[0] for w in words).lower()
    if not letters:
        return False
    if letters in labels or (len(words) > 1 and initials in labels):
        return True
    named = [w for w in words if w.lower() in labels]
    return bool(named) and all(w.lower() in labels | _SITE_WORDS for w in words)


def strip_site_suffix(title: str, *, sites: set[str], labels: set[str], headings: set[str]) -> str:
    """``title`` without a trailing site name (see the module's docstring).

    >>> strip_site_suffix("Record High in 2019-BIT News", sites={"bit news"}, labels=set(),
    ...                   headings=set())
    'Record High in 2019'
    """
    cuts = [(m.start(), m.end()) for m in _SEPARATOR.finditer(title)]
    for start, _ in reversed(cuts):  # the longest head that the page shows as a heading
        if _norm(title[:start]) in headings:
            return title[:start].strip()
    while cuts:
        start, end = cuts.pop()
        if not title[:start].strip() or not _is_site(title[end:], sites, labels):
            break
        title = title[:start].rstrip()
    return title.strip()


def _headings(doc: Any) -> set[str]:
    found = set()
    for el in doc.xpath(_HEADINGS)[:_MAX_HEADINGS]:
        if el.tag in ("title", "meta") or len(text := el.text_content()) > 300:
            continue
        if text := _norm(text):
            found.add(text)
    return found


def page_title(doc: Any, *, meta_title: str | None, site_names: list[str], url: str) -> str:
    """The page's headline: its metadata title (``og:title``, JSON-LD headline) or its
    ``<title>``, without the site's suffix; else its first ``<h1>``."""
    title_el = doc.find(".//title")
    doc_title = " ".join(title_el.text_content().split()) if title_el is not None else ""
    raw = " ".join((meta_title or "").split()) or doc_title
    h1 = next((t for el in doc.iter("h1") if (t := " ".join(el.text_content().split()))), "")
    if not raw:
        return h1
    headings = _headings(doc)
    if doc_title and _norm(doc_title) != _norm(raw):
        headings.add(_norm(doc_title))  # a <title> that is og:title less the suffix
    sites = {_norm(s) for s in site_names if s and s.strip()}
    labels = _host_labels(url)
    title = strip_site_suffix(raw, sites=sites, labels=labels, headings=headings)
    if not h1 or _is_site(h1, sites, labels):  # no <h1>, or the site's logo
        return title
    if not title or _is_site(title, sites, labels):
        return h1  # a <title> that names only the site
    if not meta_title and title == raw and _norm(h1) != _norm(title):
        return h1  # a <title> with no suffix to cut is often the site's: the <h1> is the page's
    return title
