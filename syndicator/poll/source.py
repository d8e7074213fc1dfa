"""One source's poll as a coroutine: its conditional GET on the event loop, then,
unless the server answered 304, parsing and recording what is new in a worker
thread (``sources.poll.complete_poll``: CPU, and the article pages it reads)."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from concurrent.futures import Executor
from functools import partial
from typing import TYPE_CHECKING

from syndicator.config import SourceConfig
from syndicator.poll.context import Poller
from syndicator.poll.spec import feed_request, source_spec
from syndicator.sources.fetcher import BlockingFetch, Fetcher
from syndicator.sources.poll import PollResult, complete_poll, unchanged
from syndicator.store import articles as article_store
from syndicator.store.polls import SourceState

if TYPE_CHECKING:
    from syndicator.store import Store

__all__ = ["poll_source"]


async def poll_source(
    poller: Poller,
    fetcher: Fetcher,
    pages: BlockingFetch,
    parsers: Executor,
    source: SourceConfig,
    state: SourceState | None,
) -> PollResult:
    """Poll ``source`` once. A 304 is not parsed. ``parsers``: the threads that parse;
    ``pages``: ``fetcher`` for them, to read article pages. Raises ``SourceError`` naming the source when the
    source itself fails; a failing article page is in ``errors``."""
    result = await fetcher.fetch(feed_request(poller.config, source, state))
    if result.not_modified:
        return unchanged(result)
    first_poll = state is None or state.baselined_at is None
    spec = source_spec(poller.config, source, first_poll=first_poll)
    # A first poll looks nothing up: almost nothing is known yet, and recording
    # dedups against the store (and other sources) anyway.
    is_known = _nothing_known if first_poll else partial(_known_in, poller.store)
    loop = asyncio.get_running_loop()
    return await loop.run_in_executor(parsers, complete_poll, spec, pages, result, is_known)


def _known_in(store: Store, keys: Sequence[str]) -> set[str]:
    with store.read() as connection:
        return set(article_store.known_keys(connection, keys))


def _nothing_known(keys: Sequence[str]) -> set[str]:
    return set()
