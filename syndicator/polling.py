"""Polling: fetch the due sources concurrently, record each article once, keep each
source's poll state (validators for conditional GET, backoff after failures), and hand
the new articles to the pipeline for planning.

A round needs only the config, the post log, a clock and an HTTP session (a
``Poller``). The full ``Engine`` (bound targets and their adapters) is asked for only when something must be planned, so ``syndicator poll``
over feeds with nothing new, or with no target, never loads it.

Here: choosing the due sources and running the round's fetches. Recording their
results is ``poll_batch``; when each source is polled next, ``poll_schedule``."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from syndicator.clock import Clock
from syndicator.config import Config, SourceConfig, backfill_count
from syndicator.errors import SourceError
from syndicator.hostpool import host_of, run_per_host
from syndicator.models import Article
from syndicator.parsepool import ParsePool
from syndicator.poll_batch import Batch
from syndicator.store import articles as article_store
from syndicator.store import polls

if TYPE_CHECKING:
    from syndicator.engine import Engine
    from syndicator.store import Store

log = logging.getLogger(__name__)

# Bodies a round receives before parsing moves to worker processes: below this the
# cost of starting them (~0.5 s of CPU each) outweighs what they save.
PARSE_IN_PROCESSES_AFTER = 4_000_000
# First polls in a round from which parse workers start with the round: a first poll
# reads the whole feed, so this many will certainly fill them.
WORKERS_AT_ONCE_AFTER = 100


@dataclass
class Poller:
    """What a poll round works with: the post log, a clock, the HTTP session; ``engine`` returns the full Engine, opened the first time planning needs it."""

    config: Config
    store: Store
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
    batch = Batch(engine, summary, on_new)
    first_polls = sum(
        1 for s in chosen if (old := states.get(s.name)) is None or old.baselined_at is None
    )
    parsers = ParsePool(
        store_url=engine.config.store_url(),
        user_agent=fetch.user_agent,
        allow_private=tuple(fetch.allow_private),
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
    (``sources.sweep``); None when no source was polled before (none has
    validators to send) or the loop cannot run here."""
    return None  # sources.sweep is gone with the hand-built HTTP client (issue 13, fetch part)
    session = engine.session
    if not repeat_polls or session.proxied:
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
            answer_here=source.full_text == "never",  # else pages may be fetched
        )

    def answered(source: SourceConfig, result: Any) -> Any:
        return _complete(engine, source, states.get(source.name), parsers, result)

    def resume(source: SourceConfig, sent: Any) -> Any:
        return _fetch_source(engine, source, states.get(source.name), parsers, sent)

    return ConditionalSweep(session.lite, ask, answered, resume)


def _consume(outcomes: Any, states: dict[str, polls.SourceState], batch: Batch) -> None:
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
