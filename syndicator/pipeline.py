"""Sources to deliveries: poll what is due, record each article once, and create one
delivery per (new article, target), each with its state and the reason for it.

A source polled for the first time is baselined: its articles are recorded with a
``skipped: baseline`` delivery per target, except the newest N when the source asks
for ``backfill:N``. Every decision not to post is written down, so ``syndicator why``
can answer from the post log alone.
"""

from __future__ import annotations

import logging
import random
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from syndicator.config import SourceConfig, backfill_count
from syndicator.engine import Engine
from syndicator.errors import RenderError, SourceError
from syndicator.filters import filter_reason
from syndicator.models import Article, DeliveryState
from syndicator.rendering import attach_lead_image, render_post
from syndicator.store import articles as article_store
from syndicator.store import deliveries as delivery_store
from syndicator.store import polls
from syndicator.store.articles import Recorded

log = logging.getLogger(__name__)

MAX_BACKOFF = timedelta(days=1)
FLOOD_GUARD = 20  # new articles from one poll that may be posted; the rest are recorded


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
    with engine.store.begin() as connection:
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


def plan_deliveries(
    engine: Engine, source: SourceConfig, fresh: Sequence[Recorded], *, first_poll: bool
) -> int:
    """Create each new article's deliveries. ``fresh`` is in the source's order (newest
    first); the newest ``backfill`` articles of a first poll are posted, the rest baselined."""
    targets = engine.config.targets_for(source.name)
    if not targets or not fresh:
        return 0
    now = engine.clock.now()
    allowance = backfill_count(source.first_run) if first_poll else FLOOD_GUARD
    created = 0
    for position, item in enumerate(fresh):
        if position >= allowance:
            reason = (
                "baseline: recorded on the source's first poll"
                if first_poll
                else (f"flood guard: more than {FLOOD_GUARD} new articles in one poll")
            )
            with engine.store.begin() as connection:
                for target in targets:
                    delivery_store.create(
                        connection,
                        article_id=item.id,
                        target=target.name,
                        state=DeliveryState.SKIPPED,
                        reason=reason,
                        now=now,
                    )
                    created += 1
            continue
        article = item.article
        if article.image_url:
            article = attach_lead_image(
                article,
                session=engine.session,
                media_dir=engine.media_dir,
                max_bytes=engine.config.fetch.max_image_bytes,
                timeout=engine.config.fetch.timeout.total_seconds(),
            )
        for target in targets:
            create_delivery(engine, item.id, article, target.name)
            created += 1
    return created


def create_delivery(
    engine: Engine, article_id: int, article: Article, target_name: str, *, seq: int = 0
) -> int:
    """Decide, render and record one delivery (pending, held or skipped with a reason)."""
    bound = engine.targets[target_name]
    config = bound.config
    now = engine.clock.now()
    state, reason = DeliveryState.PENDING, ""
    if (
        config.max_age is not None
        and article.published is not None
        and now - article.published > config.max_age
    ):
        state, reason = (
            DeliveryState.SKIPPED,
            (
                f"too old: published {article.published:%Y-%m-%d %H:%M} UTC, max_age {config.max_age}"
            ),
        )
    elif (why := filter_reason(article, config.filters)) is not None:
        state, reason = DeliveryState.SKIPPED, why
    post, error = None, None
    if state is DeliveryState.PENDING:
        try:
            post = render_post(bound, article, media_dir=engine.media_dir)
        except RenderError as exc:
            state, error, reason = DeliveryState.FAILED, str(exc), "render failed"
    if state is DeliveryState.PENDING and config.approve:
        state, reason = DeliveryState.HELD, "held for approval (approve = true)"
    with engine.store.begin() as connection:
        return delivery_store.create(
            connection,
            article_id=article_id,
            target=target_name,
            state=state,
            reason=reason,
            now=now,
            due_at=now if state is DeliveryState.PENDING else None,
            post=post,
            seq=seq,
            error=error,
        )


def plan_updates(engine: Engine, source: SourceConfig, changed: Sequence[Recorded]) -> int:
    """An edited article is posted again only to targets with ``on_update = "post"``."""
    created = 0
    for item in changed:
        for target in engine.config.targets_for(source.name):
            if target.on_update != "post":
                continue
            with engine.store.begin() as connection:
                seq = delivery_store.next_seq(connection, item.id, target.name)
            create_delivery(engine, item.id, item.article, target.name, seq=seq)
            created += 1
    return created
