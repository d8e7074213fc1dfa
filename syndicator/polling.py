"""Polling: fetch the due sources concurrently, record each article once, keep each
source's poll state (validators for conditional GET, backoff after failures), and hand
the new articles to the pipeline for planning.

A round needs only the config, the store's plain-SQL functions, a clock and an HTTP
session (a ``Poller``). The full ``Engine`` (SQLAlchemy, bound targets and their
adapters) is asked for only when something must be planned, so ``syndicator poll``
over feeds with nothing new, or with no target, never loads it."""

from __future__ import annotations

import logging
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from syndicator.clock import Clock
from syndicator.config import Config, SourceConfig, backfill_count
from syndicator.errors import SourceError
from syndicator.hostpool import host_of, run_per_host
from syndicator.models import Article
from syndicator.parsepool import ParsePool
from syndicator.sources.http_session import HttpSession
from syndicator.store import articles as article_store
from syndicator.store import polls
from syndicator.store.articles import Recorded

if TYPE_CHECKING:
    from syndicator.engine import Engine

log = logging.getLogger(__name__)

MAX_BACKOFF = timedelta(days=1)
DEAD_AFTER = timedelta(days=2)  # a source failing this long is reported as dead
BATCH_SOURCES = 200  # poll states written per transaction
# Bodies a round receives before parsing moves to worker processes: below this the
# cost of starting them (~0.5 s of CPU each) outweighs what they save.
PARSE_IN_PROCESSES_AFTER = 4_000_000
# First polls in a round from which parse workers start with the round: a first poll
# reads the whole feed, so this many will certainly fill them.
WORKERS_AT_ONCE_AFTER = 100
BATCH_ARTICLES = 2000  # articles per transaction: bounds what a round holds in memory


@dataclass
class Poller:
    """What a poll round works with. ``store`` has ``begin()`` (a write transaction)
    and ``read()``, each giving a connection the plain-SQL store functions accept;
    ``engine`` returns the full Engine, opened the first time planning needs it."""

    config: Config
    store: Any
    clock: Clock
    session: Any
    engine: Callable[[], Engine]


def poller_of(engine: Engine | Poller) -> Poller:
    if isinstance(engine, Poller):
        return engine
    return Poller(engine.config, engine.store, engine.clock, engine.session, lambda: engine)


@dataclass
class PollSummary:
    polled: int = 0
    not_modified: int = 0
    failed: int = 0
    new_articles: int = 0
    deliveries: int = 0
    errors: list[str] = field(default_factory=list)
    dead: list[str] = field(default_factory=list)  # sources failing for DEAD_AFTER or more


def source_spec(engine: Engine | Poller, source: SourceConfig, *, first_poll: bool = False) -> Any:
    """How ``poll_source`` should read ``source``. On a first poll only the items a
    backfill may post are cleaned in full; the baseline is recorded cheaply."""
    from syndicator.sources.poll import SourceSpec

    fetch = engine.config.fetch
    return SourceSpec(
        name=source.name,
        url=source.url,
        kind=source.kind,
        items=source.items,
        link_pattern=source.link_pattern,
        selectors=_selectors(source),
        full_text=source.full_text,
        timezone=source.timezone or engine.config.service.timezone,
        timeout=fetch.timeout.total_seconds(),
        deadline=fetch.deadline.total_seconds(),
        max_bytes=fetch.max_bytes,
        clean_first=backfill_count(source.first_run) if first_poll else None,
    )


def _selectors(source: SourceConfig) -> Any:
    """The source's extraction overrides; None when it sets none (extraction's
    defaults), so a poll of plain feeds never loads the extractor."""
    chosen = source.selectors
    if not (chosen.title or chosen.date or chosen.body or chosen.image or chosen.remove):
        return None
    from syndicator.sources.extract import Selectors

    return Selectors(
        title=chosen.title,
        date=chosen.date,
        body=chosen.body,
        image=chosen.image,
        remove=tuple(chosen.remove),
    )


def due_sources(
    engine: Engine | Poller,
    *,
    force: bool = False,
    states: dict[str, polls.SourceState] | None = None,
) -> list[SourceConfig]:
    """Enabled sources whose next poll time has come; a never-polled source is due.
    ``states`` are the poll states when the caller has loaded them already."""
    if states is None:
        with engine.store.read() as connection:
            states = polls.load_all(connection)
    now = engine.clock.now()
    due = []
    for source in engine.config.sources:
        if not source.enabled:
            continue
        state = states.get(source.name)
        if force or state is None or state.next_poll_at is None or state.next_poll_at <= now:
            due.append(source)
    return due


def poll(
    engine: Engine | Poller,
    sources: Sequence[SourceConfig] | None = None,
    *,
    force: bool = False,
    on_new: Callable[[Article], None] | None = None,
) -> PollSummary:
    """Poll the given (or the due) sources concurrently and record them in this thread.

    Fetches run under a global cap (``[fetch] concurrency``) and a per-host cap
    (``[fetch] per_host``); results are consumed as they finish and written in
    batches, one transaction per batch, so memory stays bounded and a round of
    a thousand 304s costs a handful of statements. Sources with validators are
    asked from this thread's loop (``sources.sweep``), so a round of 304s starts
    no thread; first polls and what the loop hands over run in threads."""
    engine = poller_of(engine)
    with engine.store.read() as connection:
        states = polls.load_all(connection)
    if sources is None:
        sources = due_sources(engine, force=force, states=states)
    chosen = list(sources)
    summary = PollSummary()
    if not chosen:
        return summary
    fetch = engine.config.fetch
    batch = _Batch(engine, summary, on_new)
    first_polls = sum(
        1 for s in chosen if (old := states.get(s.name)) is None or old.baselined_at is None
    )
    parsers = ParsePool(
        store_url=engine.config.store_url(),
        user_agent=fetch.user_agent,
        start_after=PARSE_IN_PROCESSES_AFTER,
        eager=first_polls >= WORKERS_AT_ONCE_AFTER,
    )
    sweep = _sweep(engine, states, parsers, len(chosen) - first_polls)
    outcomes = run_per_host(
        lambda source: _fetch_source(engine, source, states.get(source.name), parsers),
        chosen,
        host=lambda source: host_of(source.url),
        concurrency=fetch.concurrency,
        per_host=fetch.per_host,
        thread_name_prefix="poll",
        inline=sweep,
    )
    try:
        _consume(outcomes, states, batch)
    finally:
        parsers.close()
        if sweep is not None:
            sweep.close()
    batch.flush()
    return summary


def _sweep(
    engine: Poller, states: dict[str, polls.SourceState], parsers: ParsePool, repeat_polls: int
) -> Any:
    """The loop that sends the round's conditional GETs from this thread
    (``sources.sweep``); None when no source has validators to send."""
    session = engine.session
    if not repeat_polls or not isinstance(session, HttpSession) or session.proxied:
        return None
    from syndicator.sources.sweep import AVAILABLE, ConditionalSweep, ask_for

    if not AVAILABLE:
        return None

    timeout = engine.config.fetch.timeout.total_seconds()
    deadline = engine.config.fetch.deadline.total_seconds()
    max_bytes = engine.config.fetch.max_bytes

    def ask(source: SourceConfig) -> Any:
        state = states.get(source.name)
        if state is None:
            return None
        return ask_for(
            session,
            source.url,
            etag=state.etag,
            last_modified=state.last_modified,
            timeout=timeout,
            deadline=deadline,
            source=source.name,
            max_bytes=max_bytes,
        )

    def answered(source: SourceConfig, result: Any) -> Any:
        return _complete(engine, source, states.get(source.name), parsers, result)

    def resume(source: SourceConfig, sent: Any) -> Any:
        return _fetch_source(engine, source, states.get(source.name), parsers, sent)

    return ConditionalSweep(session.lite, ask, answered, resume)


def _consume(outcomes: Any, states: dict[str, polls.SourceState], batch: _Batch) -> None:
    for outcome in outcomes:
        source = outcome.item
        state = states.get(source.name) or polls.SourceState(name=source.name, url=source.url)
        error = outcome.error
        if error is not None and not isinstance(error, SourceError):
            log.error("source %r: unexpected error", source.name, exc_info=error)
            error = SourceError(source.name, repr(error))
        if error is not None:
            batch.failed(source, state, error)
        else:
            result, prepared = outcome.value
            batch.succeeded(source, state, result, prepared)
        if batch.full():
            batch.flush()


class _Batch:
    """Poll results waiting to be written: one transaction records the articles and
    saves the poll states of many sources; planning and ``on_new`` follow the commit."""

    def __init__(
        self,
        engine: Poller,
        summary: PollSummary,
        on_new: Callable[[Article], None] | None,
    ) -> None:
        self.engine, self.summary, self.on_new = engine, summary, on_new
        self.states: list[polls.SourceState] = []
        self.fresh: list[tuple[SourceConfig, polls.SourceState, Any]] = []
        self.prepared: list[Any] = []  # ``articles.prepare`` of each, by parse workers
        self.seen_again: list[tuple[SourceConfig, Any]] = []  # known items shown again
        self.articles = 0

    def full(self) -> bool:
        return len(self.states) >= BATCH_SOURCES or self.articles >= BATCH_ARTICLES

    def failed(self, source: SourceConfig, state: polls.SourceState, exc: SourceError) -> None:
        self.states.append(_failure_state(self.engine, source, state, exc, self.summary))
        self.summary.failed += 1
        self.summary.errors.append(str(exc))

    def succeeded(
        self,
        source: SourceConfig,
        state: polls.SourceState,
        result: Any,
        prepared: list[Any] | None = None,
    ) -> None:
        summary = self.summary
        summary.polled += 1
        summary.errors.extend(result.errors)
        now = self.engine.clock.now()
        new_state = state.evolve(
            url=source.url,
            etag=result.etag,
            last_modified=result.last_modified,
            failures=0,
            last_error=None,
            last_polled_at=now,
            last_success_at=now,
            next_poll_at=_next_poll(self.engine, source, now, at_least=result.max_age),
            baselined_at=state.baselined_at or now,
        )
        if result.not_modified:
            summary.not_modified += 1
        self.seen_again.extend((source, item) for item in result.seen_again)
        if result.not_modified or not result.articles:
            self.states.append(new_state)
            return
        self.fresh.append((source, state, result))
        self.prepared.extend(prepared or [None] * len(result.articles))
        self.states.append(new_state)
        self.articles += len(result.articles)

    def flush(self) -> None:
        if not self.states:
            return
        engine, now = self.engine, self.engine.clock.now()
        planned: list[tuple[SourceConfig, bool, list[Recorded], list[Recorded]]] = []
        seen = {state.name: state.articles_seen for state in self.states}
        with engine.store.begin() as connection:
            # One call for the whole batch: a handful of statements, not a handful per
            # source. Results come back one per article, in order, so each source's
            # slice is its own; an article two sources share is new only for the first.
            everything = [a for _, _, result in self.fresh for a in result.articles]
            plans = [
                mark
                for source, state, result in self.fresh
                for mark in [_plan_mark(engine, source, state)] * len(result.articles)
            ]
            recorded_all = article_store.record_articles(
                connection, everything, now=now, prepared=self.prepared, plans=plans
            )
            start = 0
            for source, state, result in self.fresh:
                recorded = recorded_all[start : start + len(result.articles)]
                start += len(result.articles)
                fresh = [r for r in recorded if r.is_new]
                changed = [r for r in recorded if r.changed]
                seen[source.name] = state.articles_seen + len(fresh)
                planned.append((source, state.baselined_at is None, fresh, changed))
            polls.save_many(connection, [s.evolve(articles_seen=seen[s.name]) for s in self.states])
            for source, edited in _edits(connection, self.seen_again):
                [again] = article_store.record_articles(connection, [edited], now=now)
                if again.changed:
                    planned.append((source, False, [], [again]))
        self.states, self.fresh, self.prepared, self.articles = [], [], [], 0
        self.seen_again = []
        for source, first_poll, fresh, changed in planned:
            if self.on_new is not None:
                for item in fresh:
                    self.on_new(item.article)
            if fresh:
                log.info(
                    "source %r: %d new article(s)%s",
                    source.name,
                    len(fresh),
                    " (baseline)" if first_poll else "",
                )
            self.summary.new_articles += len(fresh)
            if (fresh or changed) and engine.config.targets_for(source.name):
                from syndicator.pipeline import plan_deliveries, plan_updates

                full = engine.engine()
                self.summary.deliveries += plan_deliveries(
                    full, source, fresh, first_poll=first_poll
                )
                self.summary.deliveries += plan_updates(full, source, changed)


def _edits(
    connection: Any, seen: list[tuple[SourceConfig, Any]]
) -> list[tuple[SourceConfig, Article]]:
    """Known items whose feed shows a new title, or a new guid for a known link: the
    stored article with that change, for ``record_articles`` to record (and for
    ``on_update = "post"`` targets to post again). One lookup for the whole batch."""
    if not seen:
        return []
    found = article_store.known_keys(connection, [k for _, item in seen for k in item.keys])
    titles = article_store.titles(connection, set(found.values()))
    edits = []
    for source, item in seen:
        article_id = next((found[k] for k in item.keys if k in found), None)
        if article_id is None:
            continue
        known_title = " ".join(titles.get(article_id, "").split())
        title = None  # the cleaned title, when it differs from the stored one
        if " ".join(item.title.split()) != known_title:
            cleaned = item.clean_title()
            title = cleaned if " ".join(cleaned.split()) != known_title else None
        new_keys = any(k not in found for k in item.keys)
        if title is None and not new_keys:
            continue
        stored = article_store.load_article(connection, article_id)
        if stored is not None:
            changed = stored.with_changes(
                title=title or stored.title, guid=item.guid or stored.guid
            )
            edits.append((source, changed))
    return edits


def _plan_mark(engine: Poller, source: SourceConfig, state: polls.SourceState) -> str | None:
    """What a new article of ``source`` still needs: planning after a first poll
    ("first"), after a later one ("next"), or nothing when no target takes it."""
    if not engine.config.targets_for(source.name):
        return None
    return "first" if state.baselined_at is None else "next"


def _fetch_source(
    engine: Poller,
    source: SourceConfig,
    state: polls.SourceState | None,
    parsers: ParsePool,
    sent: Any = None,
) -> Any:
    """The GET in this thread (or, given ``sent``, its answer read on from the
    sweep); the parse here or, in a big round, in a worker process."""
    from syndicator.sources.poll import fetch_source

    result = fetch_source(
        source_spec(engine, source),
        engine.session,
        etag=state.etag if state else None,
        last_modified=state.last_modified if state else None,
        sent=sent,
    )
    return _complete(engine, source, state, parsers, result)


def _complete(
    engine: Poller,
    source: SourceConfig,
    state: polls.SourceState | None,
    parsers: ParsePool,
    result: Any,
) -> Any:
    """What the poller records of a fetched answer: ``complete_poll`` of it, here
    or in a parse worker."""

    def is_known(keys: Sequence[str]) -> set[str]:
        with engine.store.read() as connection:
            return set(article_store.known_keys(connection, keys))

    if result.not_modified:  # most of a round: no spec, no parser
        from syndicator.sources.poll import unchanged

        return unchanged(result), None
    first_poll = state is None or state.baselined_at is None
    spec = source_spec(engine, source, first_poll=first_poll)
    # A first poll looks nothing up: almost nothing is known yet, and recording
    # dedups against the store (and other sources) anyway.
    return parsers.complete(spec, engine.session, result, is_known, check_known=not first_poll)


def _next_poll(
    engine: Poller, source: SourceConfig, now: datetime, *, at_least: float | None
) -> datetime:
    every = source.every
    jitter = engine.config.service.jitter.total_seconds()
    delay = every + timedelta(seconds=random.uniform(0, min(jitter, every.total_seconds() / 10)))
    if at_least is not None:
        delay = max(delay, timedelta(seconds=at_least))
    return now + delay


def _failure_state(
    engine: Poller,
    source: SourceConfig,
    state: polls.SourceState,
    exc: SourceError,
    summary: PollSummary,
) -> polls.SourceState:
    """The state after a failed poll: exponential backoff from the source's interval
    (capped at a day), never sooner than the server's Retry-After. A source failing
    for ``DEAD_AFTER`` is reported on every poll, and is polled at most daily."""
    now = engine.clock.now()
    failures = state.failures + 1
    backoff = min(source.every * (2 ** min(failures - 1, 16)), max(MAX_BACKOFF, source.every))
    if exc.retry_after is not None:
        backoff = max(backoff, timedelta(seconds=exc.retry_after))
    since = state.last_success_at or state.baselined_at
    if since is not None:
        failing_for = now - since
    else:  # never answered: at least the back-off already waited between its failures
        cap = max(MAX_BACKOFF, source.every)
        failing_for = sum((min(source.every * 2**k, cap) for k in range(failures - 1)), timedelta())
    if failing_for >= DEAD_AFTER:
        days = failing_for.total_seconds() / 86400
        summary.dead.append(source.name)
        log.error(
            "source %r has failed for %.1f days (%d polls in a row): %s; it is polled once "
            "a day until it answers again; fix or disable it",
            source.name,
            days,
            failures,
            exc,
        )
    else:
        log.warning("%s (failure %d in a row; next try in %s)", exc, failures, backoff)
    return state.evolve(
        url=source.url,
        failures=failures,
        last_error=str(exc),
        last_polled_at=now,
        next_poll_at=now + backoff,
    )
