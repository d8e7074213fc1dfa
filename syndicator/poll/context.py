"""What a poll round works with, and what it reports.

A round needs only the config, the post log, a clock and a synchronous fetch for
the article pages its worker threads read (a ``Poller``). The full ``Engine``
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
    from syndicator.sources.fetch import HttpSession
    from syndicator.sources.fetcher import Fetcher
    from syndicator.store import Store

__all__ = ["PollSummary", "Poller", "poller_of"]


@dataclass
class Poller:
    """The post log, a clock, the synchronous fetch for article pages; ``engine``
    returns the full Engine, opened the first time planning needs it."""

    config: Config
    store: Store
    clock: Clock
    session: HttpSession
    engine: Callable[[], Engine]

    def open_fetcher(self) -> Fetcher:
        """The HTTP client for a round's source fetches, made on the running loop
        (``close()`` it there)."""
        from syndicator.sources.fetcher import session_fetcher

        return session_fetcher(self.session)


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
