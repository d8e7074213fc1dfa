"""What a poll round works with, and what it reports.

A round needs only the config, the post log and a clock (a ``Poller``; its
``session`` is the synchronous fetch of the commands that read one page). The full ``Engine``
(bound targets and their adapters) is asked for only when something must be
planned, so ``syndicator poll`` over feeds with nothing new, or with no target,
never loads it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from syndicator.clock import Clock
from syndicator.config import Config

if TYPE_CHECKING:
    from syndicator.engine import Engine
    from syndicator.sources.fetcher import BlockingFetch, Fetcher
    from syndicator.store import Store

__all__ = ["PollSummary", "Poller", "poller_of"]


@dataclass
class Poller:
    """The post log, a clock, a synchronous fetch; ``engine``
    returns the full Engine, opened the first time planning needs it."""

    config: Config
    store: Store
    clock: Clock
    session: BlockingFetch
    engine: Callable[[], Engine]

    def open_fetcher(self) -> Fetcher:
        """The HTTP client for source fetches (one per loop; ``close()`` it there):
        ``[fetch] concurrency`` connections at most, ``per_host`` to one host."""
        from syndicator.sources.http import AiohttpFetcher

        fetch = self.config.fetch
        return AiohttpFetcher(
            fetch.user_agent,
            concurrency=fetch.concurrency,
            per_host=fetch.per_host,
            allow_private=fetch.allow_private,
        )


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
