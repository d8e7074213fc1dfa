"""A poll round's results, recorded in batches: one transaction records the new
articles and saves the poll states of many sources, then the new articles are
planned and handed to ``on_new``. Known items a feed shows again are checked for
an edited title or a new guid in the same transaction."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING

from syndicator.config import SourceConfig
from syndicator.errors import SourceError
from syndicator.models import Article
from syndicator.poll.schedule import failure_state, next_poll
from syndicator.sources.poll import PollResult, SeenAgain
from syndicator.store import articles as article_store
from syndicator.store import polls
from syndicator.store.articles import Recorded

if TYPE_CHECKING:
    from sqlalchemy import Connection

    from syndicator.poll.context import Poller, PollSummary

__all__ = ["BATCH_ARTICLES", "BATCH_SOURCES", "Batch"]

log = logging.getLogger("syndicator.polling")  # one logger for a poll round's messages

BATCH_SOURCES = 200  # poll states written per transaction
BATCH_ARTICLES = 2000  # articles per transaction: bounds what a round holds in memory


class Batch:
    """Poll results waiting to be written: one transaction records the articles and
    saves the poll states of many sources; planning and ``on_new`` follow the commit."""

    def __init__(
        self,
        engine: Poller,
        summary: PollSummary,
        on_new: Callable[[Article], None] | None,
    ) -> None:
        self.engine, self.summary, self.on_new = engine, summary, on_new
        self.started = engine.clock.now()
        self.states: list[polls.SourceState] = []
        self.fresh: list[tuple[SourceConfig, polls.SourceState, PollResult]] = []
        self.seen_again: list[tuple[SourceConfig, SeenAgain]] = []  # known items shown again
        self.articles = 0

    def full(self) -> bool:
        return len(self.states) >= BATCH_SOURCES or self.articles >= BATCH_ARTICLES

    def failed(self, source: SourceConfig, state: polls.SourceState, exc: SourceError) -> None:
        self.states.append(failure_state(self.engine, source, state, exc, self.summary))
        log.debug("poll %r: failed after %s: %s", source.name, self._took(), exc)
        self.summary.failed += 1
        self.summary.errors.append(str(exc))

    def succeeded(
        self,
        source: SourceConfig,
        state: polls.SourceState,
        result: PollResult,
        asked_at: datetime | None = None,
    ) -> None:
        """``asked_at``: when the source's GET was started. The next poll is counted
        from it, not from when the answer came in (a slow answer or a long round never
        pushes the schedule later) nor from the round's start (a source asked late in
        a busy round is not asked again sooner than ``every``)."""
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
            next_poll_at=next_poll(
                self.engine, source, asked_at or self.started, at_least=result.max_age
            ),
            baselined_at=state.baselined_at or now,
        )
        if result.not_modified:
            summary.not_modified += 1
        self.seen_again.extend((source, item) for item in result.seen_again)
        if result.not_modified or not result.articles:
            self.states.append(new_state)
            status = "not modified" if result.not_modified else "no new items"
            log.debug("poll %r: %s (%s)", source.name, status, self._took())
            return
        log.debug(
            "poll %r: %d item(s) to record (%s)", source.name, len(result.articles), self._took()
        )
        self.fresh.append((source, state, result))
        self.states.append(new_state)
        self.articles += len(result.articles)

    def _took(self) -> str:
        """Time since the round began: how long this source's answer took to come in."""
        return f"{(self.engine.clock.now() - self.started).total_seconds():.2f} s"

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
                connection, everything, now=now, plans=plans
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
        self.states, self.fresh, self.articles = [], [], 0
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
    connection: Connection, seen: list[tuple[SourceConfig, SeenAgain]]
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
