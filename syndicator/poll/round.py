"""A poll round: the chosen sources fetched concurrently on one event loop, their
results recorded in batches as they come in (``record.Batch``: one transaction
for many sources, in a worker thread), the new articles planned.

``poll_round`` is the coroutine the service awaits; ``poll`` runs one round with
``asyncio.run`` for the one-shot commands and the tests."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Sequence
from concurrent.futures import Executor, ThreadPoolExecutor
from datetime import datetime
from typing import TYPE_CHECKING

from syndicator.config import SourceConfig
from syndicator.errors import SourceError
from syndicator.memory import release_free_memory
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

Outcome = tuple[SourceConfig, PollResult | SourceError, datetime]  # and when it was asked

PARSE_THREADS = 2  # lxml parses without the GIL; the rest of a parse holds it


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
    thousand holds a few bodies, not a thousand. Parsing runs in ``PARSE_THREADS``
    threads: the GIL lets no more run at once, and each holds a parse's memory."""
    summary = PollSummary()
    if not sources:
        return summary
    if states is None:
        states = await asyncio.to_thread(load_states, poller)
    batch = Batch(poller, summary, on_new)
    loop = asyncio.get_running_loop()
    pages = BlockingFetch(fetcher, loop)  # for the worker threads
    waiting = iter(sources)
    finished: asyncio.Queue[Outcome] = asyncio.Queue()

    async def worker(parsers: Executor) -> None:
        for source in waiting:  # shared: each source is taken by one worker
            state = states.get(source.name)
            asked_at = poller.clock.now()
            try:
                outcome: PollResult | SourceError = await poll_source(
                    poller, fetcher, pages, parsers, source, state
                )
            except SourceError as exc:
                outcome = exc
            except Exception as exc:  # a bug in one source's path costs that source
                log.error("source %r: unexpected error", source.name, exc_info=exc)
                outcome = SourceError(source.name, f"unexpected {type(exc).__name__}: {exc}")
            finished.put_nowait((source, outcome, asked_at))

    width = min(poller.config.fetch.concurrency, len(sources))
    parsers = ThreadPoolExecutor(PARSE_THREADS, thread_name_prefix="parse")
    workers = [asyncio.create_task(worker(parsers)) for _ in range(width)]
    try:
        for _ in range(len(sources)):
            source, outcome, asked_at = await finished.get()
            _record(batch, states, source, outcome, asked_at)
            if batch.full():
                await asyncio.to_thread(batch.flush)
        await asyncio.to_thread(batch.flush)
    finally:
        for task in workers:
            task.cancel()
        parsers.shutdown(wait=False, cancel_futures=True)  # never block the loop
    if summary.polled > summary.not_modified:  # bodies were parsed: give their memory back
        await asyncio.to_thread(release_free_memory)
    return summary


def _record(
    batch: Batch,
    states: dict[str, polls.SourceState],
    source: SourceConfig,
    outcome: PollResult | SourceError,
    asked_at: datetime,
) -> None:
    state = states.get(source.name) or polls.SourceState(name=source.name, url=source.url)
    if isinstance(outcome, SourceError):
        batch.failed(source, state, outcome)
    else:
        batch.succeeded(source, state, outcome, asked_at)


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
