"""syndicator's feed entry point beside ``feedparser.parse`` over feedparser's own
test feeds (``<repo>/../shared/conformance/feedparser/wellformed``, read where it is
and never copied into the repository).

``compare`` aligns the items of one file in document order and reports every way
syndicator differs from feedparser on link, guid, title and date, after the rules of
``feedparser_differences.md`` ("Rules") are applied; the test and the benchmark
share it.
"""

from __future__ import annotations

import calendar
import html
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urljoin

from syndicator.errors import SourceError
from syndicator.models import Article
from syndicator.sources.entries import to_text
from syndicator.sources.feed_xml import NotFast, parse_xml_fast
from syndicator.sources.feeds import parse_feed
from syndicator.sources.keys import canonical_url

REPO = Path(__file__).resolve().parents[2]
CORPUS = REPO.parent / "shared" / "conformance" / "feedparser" / "wellformed"
DIFFERENCES = Path(__file__).resolve().parent / "feedparser_differences.md"
# The address feedparser's own test server gives these files; only used as a base URL.
BASE_URL = "http://127.0.0.1:8097/tests/wellformed/"


def corpus_files() -> list[Path]:
    return sorted(p for p in CORPUS.rglob("*") if p.is_file())


def url_of(path: Path) -> str:
    return BASE_URL + path.relative_to(CORPUS).as_posix()


@dataclass
class FileReport:
    """One corpus file: items compared, how many agree on every field, and the
    (field, syndicator's value, feedparser's value) of each difference."""

    name: str
    fast: bool
    items: int = 0
    agreeing: int = 0
    differences: list[tuple[str, str, str]] = field(default_factory=list)
    paths_agree: bool = True


def _real_items(parsed: Any) -> list[Any]:
    """feedparser's entries that carry something: a title, link, id or text."""
    out = []
    for entry in parsed.entries:
        text = any(c.get("value") for c in entry.get("content", [])) or entry.get("summary")
        if entry.get("title") or entry.get("link") or entry.get("id") or text:
            out.append(entry)
    return out


def _their_title(entry: Any) -> str:
    title = entry.get("title", "")
    if (entry.get("title_detail") or {}).get("type") == "text/plain":
        title = html.escape(title, quote=False)
    return to_text(title).replace("\n", " ")


def _their_date(entry: Any) -> datetime | None:
    for name in ("published_parsed", "updated_parsed"):
        if value := entry.get(name):
            return datetime.fromtimestamp(calendar.timegm(value), UTC)
    return None


def _field_differences(ours: Article, theirs: Any, url: str) -> list[tuple[str, str, str]]:
    out = []
    their_link = theirs.get("link") or ""
    their_id = theirs.get("id") or ""
    # Rule: an Atom id (or a guid feedparser made the link) is not a link.
    if their_link and their_link == their_id and not ours.url:
        their_link = ""
    if (canonical_url(their_link) if their_link else "") != ours.url:
        out.append(("link", ours.url, their_link))
    # Rule: ids are kept as written; feedparser resolves relative ones against the URL.
    guid = ours.guid or ""
    if guid != their_id and not (guid and _resolves_to(url, guid, their_id)):
        out.append(("guid", guid, their_id))
    # Rule: an item feedparser leaves untitled is named after its first words.
    if (their_title := _their_title(theirs)) and their_title != ours.title:
        out.append(("title", ours.title, their_title))
    # Rule: feedparser's dates have whole seconds.
    date = ours.published.replace(microsecond=0) if ours.published else None
    if date != _their_date(theirs):
        out.append(("date", str(date), str(_their_date(theirs))))
    return out


def _resolves_to(url: str, guid: str, their_id: str) -> bool:
    try:
        return urljoin(url, guid) == their_id
    except ValueError:
        return False


def compare(path: Path) -> FileReport:
    """Parse ``path`` both ways and report how syndicator differs from feedparser."""
    import feedparser

    body = path.read_bytes()
    url = url_of(path)
    try:
        parse_xml_fast(body, url=url)
        fast = True
    except NotFast:
        fast = False
    report = FileReport(path.relative_to(CORPUS).as_posix(), fast)
    theirs = _real_items(feedparser.parse(body, response_headers={"content-location": url}))
    ours = _articles(body, url, fast=True)
    if fast and _articles(body, url, fast=False) != ours:
        report.paths_agree = False
    if len(ours) != len(theirs):
        report.differences.append(("items", str(len(ours)), str(len(theirs))))
    for article, entry in zip(ours, theirs, strict=False):
        report.items += 1
        found = _field_differences(article, entry, url)
        report.agreeing += not found
        report.differences.extend(found)
    return report


def _articles(body: bytes, url: str, *, fast: bool) -> list[Article]:
    try:
        return parse_feed(body, url=url, source="conformance", fast=fast)
    except SourceError:
        return []


def listed_differences() -> dict[tuple[str, str], str]:
    """The "Files" table of ``feedparser_differences.md``: (file, field) -> reason."""
    listed = {}
    in_files = False
    for line in DIFFERENCES.read_text(encoding="utf-8").splitlines():
        if line.startswith("## "):
            in_files = line.strip() == "## Files"
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if in_files and len(cells) == 3 and cells[0].startswith("`"):
            listed[(cells[0].strip("`"), cells[1])] = cells[2]
    return listed
