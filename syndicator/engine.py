"""The running context shared by planning, the delivery loop, the CLI and the service:
the validated config, the post log, the bound targets, the clock and one HTTP session
for sources.

Where it sits: above the data types (``models``, ``config``) and what they are turned
into (``targets`` binds adapters to targets, ``rendering`` makes posts, ``store`` keeps
the post log), which it imports and puts together; below what acts with it
(``pipeline`` plans, ``delivery`` drains, ``manual`` posts by hand, ``service`` and
``commands`` run them). Nothing under it imports it (``tests/test_engine.py``)."""

from __future__ import annotations

import asyncio
import logging
import os
import socket
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from syndicator.clock import Clock, SystemClock
from syndicator.config import Config
from syndicator.models import Article
from syndicator.rendering import attach_lead_image
from syndicator.store.engine_store import Store
from syndicator.targets import BoundTarget, bind_targets

if TYPE_CHECKING:
    from syndicator.sources.fetcher import BlockingFetch, Fetcher

log = logging.getLogger(__name__)


def holder_name() -> str:
    """Who holds a delivery's claim or the service lock: this host and process."""
    return f"{socket.gethostname()}:{os.getpid()}"


@dataclass
class Engine:
    config: Config
    store: Store
    targets: dict[str, BoundTarget]
    clock: Clock = field(default_factory=SystemClock)
    holder: str = field(default_factory=holder_name)
    _session: BlockingFetch | None = None
    _shared: bool = False

    @classmethod
    def open(
        cls, config: Config, *, clock: Clock | None = None, store: Store | None = None
    ) -> Engine:
        """Bind the config's targets on its post log (``store``, when one is open already)."""
        store = store or Store(config.store_url())
        targets = bind_targets(config, cache_for=lambda name: store.cache(f"{name}:"))
        return cls(config=config, store=store, targets=targets, clock=clock or SystemClock())

    @property
    def session(self) -> BlockingFetch:
        """The synchronous fetch of lead images and pages posted by hand: the
        service's own fetcher (``share_fetcher``), else one of this engine's."""
        if self._session is None:
            from syndicator.sources.fetch import make_session

            fetch = self.config.fetch
            self._session = make_session(fetch.user_agent, allow_private=fetch.allow_private)
        return self._session

    def share_fetcher(self, fetcher: Fetcher, loop: asyncio.AbstractEventLoop) -> None:
        """Fetch through ``fetcher``, whose loop (another thread's) is ``loop``: the
        service's worker threads then share its connections and caps."""
        from syndicator.sources.fetcher import BlockingFetch

        if self._session is not None:
            self._session.close()
        self._session = BlockingFetch(fetcher, loop)
        self._shared = True

    @property
    def media_dir(self) -> Path:
        return self.config.media_dir()

    def with_lead_image(self, article: Article, media_dir: Path | None = None) -> Article:
        """The article with its lead image downloaded (capped, checked) into the media
        folder, so that rendering needs no network."""
        return attach_lead_image(
            article,
            session=self.session,
            media_dir=media_dir or self.media_dir,
            max_bytes=self.config.fetch.max_image_bytes,
            timeout=self.config.fetch.timeout.total_seconds(),
            own_host=self.own_host(article),
        )

    def own_host(self, article: Article) -> str:
        """The host a fetch for ``article`` is made for, whose addresses the fetch
        guard allows even when private: its source's configured host; for an article
        posted by hand (no source), the host of the URL the person gave; else none."""
        from syndicator.sources.guard import host_of

        if not article.source:
            return host_of(article.url)
        try:
            return host_of(self.config.source(article.source).url)
        except KeyError:
            return ""

    def reload(self, config: Config) -> None:
        """Swap in a new config (SIGHUP). Targets are re-bound; the store stays."""
        targets = bind_targets(config, cache_for=lambda name: self.store.cache(f"{name}:"))
        for bound in self.targets.values():
            bound.close()
        self.config, self.targets = config, targets

    def close(self) -> None:
        for bound in self.targets.values():
            bound.close()
        if self._session is not None and not self._shared:
            self._session.close()  # a shared fetcher is closed by its loop's owner
        self.store.close()
