"""A poll round: the chosen sources fetched concurrently on one event loop, their
results recorded in batches as they come in (``record.Batch``: one transaction
for many sources, in a worker thread), the new articles planned.

``poll_round`` is the coroutine the service awaits; ``poll`` runs one round with
``asyncio.run`` for the one-shot commands and the tests."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from syndicator.config import SourceConfig
from syndicator.errors import SourceError
from syndicator.models import Article
from syndicator.poll.context import Poller, PollSummary, poller_of
from syndicator.poll.record import Batch
from syndicator.poll.schedule import due_sources
from syndicator.poll.source import poll_source
from syndicator.sources.fetcher import BlockingFetch, Fetcher
from syndicator.sources.poll import PollResult
from syndicator.store import polls

if TYPE_CHECKING:
    from syndicator.engine import Engine

__all__ = ["load_states", "poll", "poll_round"]

log = logging.getLogger("syndicator.polling")  # one logger for a poll round's messages

Outcome = tuple[SourceConfig, PollResult | SourceError]


async def poll_round(
    poller: Poller,
    sources: Sequence[SourceConfig],
    fetcher: Fetcher,
    *,
    states: dict[str, polls.SourceState] | None = None,
    on_new: Callable[[Article], None] | None = None,
) -> PollSummary:
    """Poll ``sources`` as one round and record them. ``states``: their poll states
    when the caller has loaded them. At most ``[fetch] concurrency`` sources are in
    progress at once (the connector caps connections per host), so a round of a
    thousand holds a few bodies, not a thousand."""
    summary = PollSummary()
    if not sources:
        return summary
    if states is None:
        states = await asyncio.to_thread(load_states, poller)
    batch = Batch(poller, summary, on_new)
    pages = BlockingFetch(fetcher, asyncio.get_running_loop())  # for the worker threads
    in_progress = asyncio.Semaphore(poller.config.fetch.concurrency)

    async def one(source: SourceConfig) -> Outcome:
        async with in_progress:
            try:
                return source, await poll_source(
                    poller, fetcher, pages, source, states.get(source.name)
                )
            except SourceError as exc:
                return source, exc
            except Exception as exc:  # a bug in one source's path costs that source
                log.error("source %r: unexpected error", source.name, exc_info=exc)
                return source, SourceError(source.name, f"unexpected {type(exc).__name__}: {exc}")

    for finished in asyncio.as_completed([one(source) for source in sources]):
        source, outcome = await finished
        state = states.get(source.name) or polls.SourceState(name=source.name, url=source.url)
        if isinstance(outcome, SourceError):
            batch.failed(source, state, outcome)
        else:
            batch.succeeded(source, state, outcome)
        if batch.full():
            await asyncio.to_thread(batch.flush)
    await asyncio.to_thread(batch.flush)
    return summary


def load_states(poller: Poller) -> dict[str, polls.SourceState]:
    with poller.store.read() as connection:
        return polls.load_all(connection)


def poll(
    engine: Engine | Poller,
    sources: Sequence[SourceConfig] | None = None,
    *,
    force: bool = False,
    on_new: Callable[[Article], None] | None = None,
) -> PollSummary:
    """One round, here and now: the given sources, else the due ones (all with
    ``force``). For one-shot commands; the service awaits ``poll_round``."""
    poller = poller_of(engine)
    return asyncio.run(_poll_once(poller, sources, force, on_new))


async def _poll_once(
    poller: Poller,
    sources: Sequence[SourceConfig] | None,
    force: bool,
    on_new: Callable[[Article], None] | None,
) -> PollSummary:
    states = await asyncio.to_thread(load_states, poller)
    if sources is None:
        sources = due_sources(poller.config, states, poller.clock.now(), force=force)
    fetcher = poller.open_fetcher()
    try:
        return await poll_round(poller, sources, fetcher, states=states, on_new=on_new)
    finally:
        await fetcher.close()
