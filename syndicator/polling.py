"""Polling: fetch the due sources concurrently, record each article once, keep each
source's poll state (validators for conditional GET, backoff after failures), and hand
the new articles to the pipeline for planning."""

from __future__ import annotations

import logging
import random
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from syndicator.config import SourceConfig
from syndicator.engine import Engine
from syndicator.errors import SourceError
from syndicator.models import Article
from syndicator.pipeline import plan_deliveries, plan_updates
from syndicator.store import articles as article_store
from syndicator.store import polls

log = logging.getLogger(__name__)

MAX_BACKOFF = timedelta(days=1)


@dataclass
class PollSummary:
    polled: int = 0
    not_modified: int = 0
    failed: int = 0
    new_articles: int = 0
    deliveries: int = 0
    errors: list[str] = field(default_factory=list)


def source_spec(engine: Engine, source: SourceConfig) -> Any:
    from syndicator.sources.extract import Selectors
    from syndicator.sources.poll import SourceSpec

    fetch = engine.config.fetch
    selectors = source.selectors
    return SourceSpec(
        name=source.name,
        url=source.url,
        kind=source.kind,
        items=source.items,
        link_pattern=source.link_pattern,
        selectors=Selectors(
            title=selectors.title,
            date=selectors.date,
            body=selectors.body,
            image=selectors.image,
            remove=tuple(selectors.remove),
        ),
        full_text=source.full_text,
        timezone=source.timezone or engine.config.service.timezone,
        timeout=fetch.timeout.total_seconds(),
        deadline=fetch.deadline.total_seconds(),
        max_bytes=fetch.max_bytes,
    )


def due_sources(engine: Engine, *, force: bool = False) -> list[SourceConfig]:
    """Enabled sources whose next poll time has come; a never-polled source is due."""
    with engine.store.begin() as connection:
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
    engine: Engine,
    sources: Sequence[SourceConfig] | None = None,
    *,
    force: bool = False,
    on_new: Callable[[Article], None] | None = None,
) -> PollSummary:
    """Poll the given (or the due) sources concurrently; record and plan in this thread."""
    chosen = list(sources) if sources is not None else due_sources(engine, force=force)
    summary = PollSummary()
    if not chosen:
        return summary
    with engine.store.begin() as connection:
        states = polls.load_all(connection)
    workers = max(1, min(engine.config.fetch.concurrency, len(chosen)))
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="poll") as pool:
        futures = [
            (source, pool.submit(_fetch_source, engine, source, states.get(source.name)))
            for source in chosen
        ]
        for source, future in futures:
            state = states.get(source.name) or polls.SourceState(name=source.name, url=source.url)
            try:
                result = future.result()
            except SourceError as exc:
                _record_failure(engine, source, state, exc)
                summary.failed += 1
                summary.errors.append(str(exc))
                continue
            except Exception as exc:  # a bug in one source's handling must not stop the round
                log.exception("source %r: unexpected error", source.name)
                _record_failure(engine, source, state, SourceError(source.name, repr(exc)))
                summary.failed += 1
                summary.errors.append(f"source {source.name!r}: {exc!r}")
                continue
            summary.polled += 1
            if result.not_modified:
                summary.not_modified += 1
            new, planned = _record_success(engine, source, state, result, on_new)
            summary.new_articles += new
            summary.deliveries += planned
            summary.errors.extend(result.errors)
    return summary


def _fetch_source(engine: Engine, source: SourceConfig, state: polls.SourceState | None) -> Any:
    from syndicator.sources.poll import poll_source

    def is_known(keys: Sequence[str]) -> set[str]:
        with engine.store.engine.connect() as connection:
            return set(article_store.known_keys(connection, keys))

    return poll_source(
        source_spec(engine, source),
        engine.session,
        etag=state.etag if state else None,
        last_modified=state.last_modified if state else None,
        is_known=is_known,
    )


def _next_poll(
    engine: Engine, source: SourceConfig, now: datetime, *, at_least: float | None
) -> datetime:
    every = source.every
    jitter = engine.config.service.jitter.total_seconds()
    delay = every + timedelta(seconds=random.uniform(0, min(jitter, every.total_seconds() / 10)))
    if at_least is not None:
        delay = max(delay, timedelta(seconds=at_least))
    return now + delay


def _record_failure(
    engine: Engine, source: SourceConfig, state: polls.SourceState, exc: SourceError
) -> None:
    now = engine.clock.now()
    failures = state.failures + 1
    backoff = min(source.every * (2 ** min(failures - 1, 16)), max(MAX_BACKOFF, source.every))
    if exc.retry_after is not None:
        backoff = max(backoff, timedelta(seconds=exc.retry_after))
    log.warning("%s (failure %d in a row; next try in %s)", exc, failures, backoff)
    with engine.store.begin() as connection:
        polls.save(
            connection,
            state.evolve(
                url=source.url,
                failures=failures,
                last_error=str(exc),
                last_polled_at=now,
                next_poll_at=now + backoff,
            ),
        )


def _record_success(
    engine: Engine,
    source: SourceConfig,
    state: polls.SourceState,
    result: Any,
    on_new: Callable[[Article], None] | None,
) -> tuple[int, int]:
    now = engine.clock.now()
    first_poll = state.baselined_at is None
    new_state = state.evolve(
        url=source.url,
        etag=result.etag,
        last_modified=result.last_modified,
        failures=0,
        last_error=None,
        last_polled_at=now,
        last_success_at=now,
        next_poll_at=_next_poll(engine, source, now, at_least=result.max_age),
        baselined_at=state.baselined_at or now,
    )
    if result.not_modified or not result.articles:
        with engine.store.begin() as connection:
            polls.save(connection, new_state)
        return 0, 0
    # One recording transaction at a time: two sources that bring the same new article
    # in the same moment must not both insert it.
    with engine.store.record_lock, engine.store.begin() as connection:
        recorded = article_store.record_articles(connection, result.articles, now=now)
        fresh = [r for r in recorded if r.is_new]
        changed = [r for r in recorded if r.changed]
        polls.save(connection, new_state.evolve(articles_seen=state.articles_seen + len(fresh)))
    if on_new is not None:
        for item in fresh:
            on_new(item.article)
    if fresh:
        log.info(
            "source %r: %d new article(s)%s",
            source.name,
            len(fresh),
            " (baseline)" if first_poll else "",
        )
    planned = plan_deliveries(engine, source, fresh, first_poll=first_poll)
    planned += plan_updates(engine, source, changed)
    return len(fresh), planned
