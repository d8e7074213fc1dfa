"""A source's answer read: parse, skip what the store knows, complete the rest.

``syndicator.poll.source`` calls ``complete_poll`` once the feed or list page is
fetched (a 304 never gets here). The order of work is chosen for cost: keys are computed from
the feed or list page alone and checked with ``is_known`` before any HTML is
cleaned or any article page fetched, so a steady-state poll of a busy feed does
almost nothing. A failing article page is reported in ``errors`` and never fails
the source; a failing source raises ``SourceError`` naming it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from syndicator.errors import ExtractionError, SourceError
from syndicator.models import Article
from syndicator.sources.fetch import FetchResult, fetch

if TYPE_CHECKING:  # parsing and extraction load when a body arrives: a round of
    # 304s never needs them
    from syndicator.sources.entries import FeedEntry
    from syndicator.sources.extract import Selectors
    from syndicator.sources.fetcher import BlockingFetch
    from syndicator.sources.listpage import ListedLink

__all__ = [
    "PollResult",
    "SeenAgain",
    "SourceSpec",
    "complete_poll",
    "extract_one",
    "unchanged",
]

log = logging.getLogger(__name__)

SHORT_SUMMARY = 200  # "auto" full text: a teaser shorter than this is not enough to post
PAGE_WORKERS = 4  # article pages fetched at once for one source

KnownKeys = Callable[[Sequence[str]], set[str]]


@dataclass(frozen=True)
class SourceSpec:
    name: str
    url: str
    kind: str  # "feed" | "html"
    items: str | None = None
    link_pattern: str | None = None
    selectors: Selectors | None = None
    full_text: str = "auto"  # "auto" | "always" | "never"
    timezone: str = "UTC"
    timeout: float = 10.0
    deadline: float = 30.0
    max_bytes: int = 10_000_000
    max_articles: int = 1000  # items read per poll; a longer feed's oldest are left (README)
    # A first poll's baseline: only the newest ``clean_first`` new items are cleaned
    # in full (and completed from their pages); the rest are recorded, never posted,
    # so they get ``quick_text``. None: every new item is cleaned in full.
    clean_first: int | None = None


@dataclass(frozen=True)
class SeenAgain:
    """A feed item the store already has, as the feed shows it now: every key it goes
    by and its title as written in the feed (``clean_title`` is what an article
    would carry). Enough for the poller to notice an edited title or a new guid for
    a known link, without rebuilding the article. The title is cleaned only when it
    differs from the stored one: a changed feed repeats dozens of known items, and
    cleaning each costs more than comparing."""

    keys: tuple[str, ...]
    title: str
    guid: str | None = None

    def clean_title(self) -> str:
        from syndicator.sources.entries import to_text

        return to_text(self.title).replace("\n", " ")


@dataclass(frozen=True)
class PollResult:
    """New articles in source order (newest first), the validators to store for
    the next conditional GET, the server's ``max-age``, per-article problems, and
    the known items the feed still shows (``seen_again``)."""

    articles: list[Article]
    etag: str | None
    last_modified: str | None
    not_modified: bool
    max_age: float | None
    errors: list[str] = field(default_factory=list)
    seen_again: list[SeenAgain] = field(default_factory=list)


def _nothing_known(keys: Sequence[str]) -> set[str]:
    return set()


def _fetch_page(spec: SourceSpec, session: BlockingFetch, url: str) -> Article:
    from syndicator.sources.extract import extract_article
    from syndicator.sources.guard import host_of

    result = fetch(
        session,
        url,
        timeout=spec.timeout,
        deadline=spec.deadline,
        max_bytes=spec.max_bytes,
        source=spec.name,
        own_host=host_of(spec.url),
    )
    return extract_article(
        result.body,
        url=result.url,
        source=spec.name,
        selectors=spec.selectors,
        encoding=result.encoding,
        timezone=spec.timezone,
    )


def _fetch_pages(spec: SourceSpec, session: BlockingFetch, urls: list[str]) -> list[Article | str]:
    """Each page as an Article, or a message saying why it could not be read. Any
    exception is caught here, per page: one hostile or odd page (a bug in a parser
    it trips) costs that article, never the source."""

    def one(url: str) -> Article | str:
        try:
            return _fetch_page(spec, session, url)
        except (SourceError, ExtractionError) as exc:
            return f"{spec.name}: article page {url}: {exc}"
        except Exception as exc:
            log.debug("article page %s of %s failed", url, spec.name, exc_info=True)
            return f"{spec.name}: article page {url}: unexpected {type(exc).__name__}: {exc}"

    if len(urls) <= 1:
        return [one(u) for u in urls]
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=min(PAGE_WORKERS, len(urls))) as pool:
        return list(pool.map(one, urls))


def _merge(listed: Article, page: Article) -> Article:
    """The feed/list item completed from its page: the listed key stays (so
    ``is_known`` recognises the item next time), the page's canonical URL, text
    and anything the item lacked are taken from the page."""
    return listed.with_changes(
        url=page.url or listed.url,
        title=listed.title or page.title,
        text=page.text or listed.text,
        summary=listed.summary or page.summary,
        published=listed.published or page.published,
        image_url=listed.image_url or page.image_url,
        language=listed.language or page.language,
        author=listed.author or page.author,
        site_name=listed.site_name or page.site_name,
    )


def _link_refusal(article: Article) -> str | None:
    """Why an article may not be recorded for its link: a ``file:``, ``gopher:``,
    ``javascript:`` or ``data:`` URL is never fetched, recorded or posted. (An item
    with no link at all is kept: it is known by its guid or content.)"""
    from syndicator.sources.guard import scheme_refusal

    if not article.url:
        return None
    reason = scheme_refusal(article.url)
    return f"link {article.url[:80]!r} is {reason}; not recorded" if reason else None


def _public_links_only(articles: list[Article], errors: list[str]) -> list[Article]:
    """The articles whose link is http(s) (or absent), each lead image only when it
    is http(s) too; the others are reported in ``errors``."""
    from syndicator.sources.guard import scheme_refusal

    kept = []
    for article in articles:
        reason = _link_refusal(article)
        if reason:
            errors.append(f"{article.source}: item {article.title!r}: {reason}")
            continue
        if article.image_url and scheme_refusal(article.image_url):
            article = article.with_changes(image_url=None)
        kept.append(article)
    return kept


def _wants_page(spec: SourceSpec, entry: FeedEntry, article: Article) -> bool:
    if spec.full_text == "never" or not article.url:
        return False
    if spec.full_text == "always":
        return True
    return not entry.has_content and len(article.summary) < SHORT_SUMMARY


def _poll_feed(
    spec: SourceSpec, session: BlockingFetch, result: FetchResult, is_known: KnownKeys
) -> tuple[list[Article], list[str], list[SeenAgain]]:
    from syndicator.sources.entries import entry_to_article
    from syndicator.sources.feeds import parse_entries

    entries = parse_entries(
        result.body, url=result.url, source=spec.name, content_type=result.content_type
    )
    entries = [
        e for e in entries if e.guid or e.link or e.title or e.content_html or e.summary_html
    ][: spec.max_articles]
    keyed = [(e, e.candidate_keys) for e in entries]  # each computed once: URLs canonicalised
    every_key = [k for _, keys in keyed for k in keys]
    known = is_known(every_key) if every_key else set()
    unknown = [e for e, keys in keyed if not known.intersection(keys)]
    seen_again = [
        SeenAgain(tuple(keys), e.title, e.guid or None)
        for e, keys in keyed
        if e.title and known.intersection(keys)
    ]
    full = len(unknown) if spec.clean_first is None else spec.clean_first
    fresh, errors = [], []
    for i, e in enumerate(unknown):
        try:
            built = entry_to_article(e, source=spec.name, timezone=spec.timezone, quick=i >= full)
        except Exception as exc:  # one odd item costs that item, never the feed
            log.debug("item %s of %s failed", e.link or e.guid, spec.name, exc_info=True)
            errors.append(
                f"{spec.name}: item {e.link or e.guid or e.title!r}: "
                f"unexpected {type(exc).__name__}: {exc}"
            )
            continue
        reason = _link_refusal(built)
        if reason:
            errors.append(f"{spec.name}: item {built.title!r}: {reason}")
            continue
        fresh.append((e, built))
    hashed = [a.key for _, a in fresh if a.key.startswith("hash:")]
    if hashed:  # items with neither guid nor link are known by their content only
        known_hashes = is_known(hashed)
        fresh = [(e, a) for e, a in fresh if a.key not in known_hashes]
    wanted = [a.url for e, a in fresh[:full] if _wants_page(spec, e, a)]
    pages = dict(zip(wanted, _fetch_pages(spec, session, wanted), strict=True))
    articles = []
    for _, article in fresh:
        page = pages.get(article.url)
        if isinstance(page, str):
            errors.append(page)  # the feed's own teaser is still worth keeping
        elif page is not None:
            article = _merge(article, page)
        articles.append(article)
    return articles, errors, seen_again


def _poll_list(
    spec: SourceSpec, session: BlockingFetch, result: FetchResult, is_known: KnownKeys
) -> tuple[list[Article], list[str]]:
    from syndicator.sources.keys import url_key
    from syndicator.sources.listpage import parse_list_page

    try:
        links = parse_list_page(
            result.body,
            url=result.url,
            items=spec.items,
            link_pattern=spec.link_pattern,
            encoding=result.encoding,
        )
    except ValueError as exc:
        raise SourceError(spec.name, str(exc)) from exc
    if not links:
        raise SourceError(
            spec.name,
            f"no article links on {result.url} (items={spec.items!r}, "
            f"link_pattern={spec.link_pattern!r}): has the page changed?",
        )
    links = links[: spec.max_articles]
    known = is_known([url_key(link.url) for link in links])
    fresh: list[ListedLink] = [link for link in links if url_key(link.url) not in known]
    listed = [
        Article(key=url_key(link.url), url=link.url, title=link.title, source=spec.name)
        for link in fresh
    ]
    if spec.full_text == "never":
        return listed, []
    pages = _fetch_pages(spec, session, [link.url for link in fresh])
    articles, errors = [], []
    for article, page in zip(listed, pages, strict=True):
        if isinstance(page, str):
            errors.append(page)  # not recorded, so the next poll tries the page again
        else:
            articles.append(_merge(article, page).with_changes(title=page.title or article.title))
    return articles, errors


def unchanged(result: FetchResult) -> PollResult:
    """The poll result of a 304: nothing new, the validators to keep."""
    return PollResult([], result.etag, result.last_modified, True, result.max_age, [])


def complete_poll(
    spec: SourceSpec,
    session: BlockingFetch,
    result: FetchResult,
    is_known: KnownKeys = _nothing_known,
) -> PollResult:
    """The rest of a poll once the GET is done: parse, skip what is known, build the
    new articles. It is pure CPU but for article pages, so the poller may run it in
    another process."""
    if result.not_modified:
        return unchanged(result)
    seen_again: list[SeenAgain] = []
    if spec.kind == "feed":
        articles, errors, seen_again = _poll_feed(spec, session, result, is_known)
    elif spec.kind == "html":
        articles, errors = _poll_list(spec, session, result, is_known)
    else:
        raise SourceError(spec.name, f"unknown source kind {spec.kind!r} (expected feed or html)")
    articles = _public_links_only(articles, errors)
    for message in errors:
        log.warning("%s", message)
    return PollResult(
        articles, result.etag, result.last_modified, False, result.max_age, errors, seen_again
    )


def extract_one(
    url: str,
    session: BlockingFetch,
    selectors: Selectors | None = None,
    timezone: str = "UTC",
) -> Article:
    """Fetch and extract one article page (``syndicator post URL``, ``preview``)."""
    spec = SourceSpec(name=url, url=url, kind="html", selectors=selectors, timezone=timezone)
    article = _fetch_page(spec, session, url)
    return article.with_changes(source="")
