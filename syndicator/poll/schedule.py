"""Which sources are due, and when each is polled next: its interval plus a little jitter, never sooner
than the server's ``max-age``; after a failure, exponential back-off from the
interval (capped at a day), never sooner than the server's Retry-After. A source
failing for ``DEAD_AFTER`` is reported on every poll and polled at most daily,
not every minute."""

from __future__ import annotations

import logging
import random
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from syndicator.config import SourceConfig
from syndicator.errors import SourceError
from syndicator.store import polls

if TYPE_CHECKING:
    from syndicator.config import Config
    from syndicator.poll.context import Poller, PollSummary

__all__ = [
    "DEAD_AFTER",
    "MAX_BACKOFF",
    "due_at",
    "due_sources",
    "failure_state",
    "max_jitter",
    "next_poll",
]

log = logging.getLogger("syndicator.polling")  # one logger for a poll round's messages

MAX_BACKOFF = timedelta(days=1)
DEAD_AFTER = timedelta(days=2)  # a source failing this long is reported as dead


def due_at(state: polls.SourceState | None, now: datetime) -> datetime:
    """When a source is due: its stored next poll, or now if it never was polled."""
    if state is None or state.next_poll_at is None:
        return now
    return state.next_poll_at


def due_sources(
    config: Config,
    states: dict[str, polls.SourceState],
    now: datetime,
    *,
    force: bool = False,
) -> list[SourceConfig]:
    """Enabled sources whose next poll time has come; a never-polled source is due."""
    return [
        source
        for source in config.sources
        if source.enabled and (force or due_at(states.get(source.name), now) <= now)
    ]


def max_jitter(every: timedelta, jitter: timedelta) -> timedelta:
    """How much later than ``every`` a poll may come: ``[service] jitter``, and never
    more than a tenth of the source's interval (a 10 s source is not delayed 30 s)."""
    return min(jitter, every / 10)


def next_poll(
    engine: Poller, source: SourceConfig, started: datetime, *, at_least: float | None
) -> datetime:
    """``every`` after the source was last asked (``started``), plus jitter: a slow answer or
    a long round never pushes the schedule later."""
    every = source.every
    spread = max_jitter(every, engine.config.service.jitter).total_seconds()
    delay = every + timedelta(seconds=random.uniform(0, spread))
    if at_least is not None:
        delay = max(delay, timedelta(seconds=at_least))
    return started + delay


def failure_state(
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
