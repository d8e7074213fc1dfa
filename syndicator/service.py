"""The background service: one asyncio event loop. APScheduler's ``AsyncIOScheduler``
fires a poll round when the next source is due and a drain when the next delivery
may go; source fetches are coroutines on the loop; the ``/healthz`` endpoint and the
dashboard are served from the same loop. Nothing blocks it: the post log, parsing
and the adapters' ``publish`` run in worker threads. SIGTERM or Ctrl-C lets the post
in flight finish; SIGHUP reloads the config.

One service per SQLite store (``RunLock``, taken by ``syndicator run``). At start-up
it settles deliveries a crashed predecessor left in ``sending``, then polls every due
source.

A reload swaps the config between drain rounds (never under a post in flight). A config
that does not load or whose targets do not bind is refused: the old one keeps running
and the reason is logged, so a typo in a SIGHUP never stops the posting.
"""

from __future__ import annotations

import asyncio
import logging
import signal
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from syndicator.config import Config, SourceConfig, load_config
from syndicator.delivery import drain
from syndicator.engine import Engine
from syndicator.errors import ConfigError
from syndicator.models import Article
from syndicator.poll import poll_round, poller_of
from syndicator.poll.round import load_states
from syndicator.poll.schedule import due_at, due_sources
from syndicator.send_times import next_sends
from syndicator.store import polls
from syndicator.workers import Coordinator, coordinator_for

if TYPE_CHECKING:
    from apscheduler.schedulers.asyncio import AsyncIOScheduler

    from syndicator.sources.fetcher import Fetcher

log = logging.getLogger(__name__)

# Poll rounds start at most this often: sources falling due within it share a round
# (a thousand sources with jittered times make a few rounds, not a thousand).
POLL_ROUND_SPACING = 1.0  # seconds
DRAIN_SPACING = timedelta(milliseconds=200)


@dataclass
class ServiceStats:
    """What this process counted since it started, for ``/metrics`` and ``/healthz``."""

    created_at: float = field(default_factory=time.time)
    started: bool = False
    rounds: int = 0
    last_round_at: float | None = None
    polls: Counter[str] = field(default_factory=Counter)  # outcome -> count
    new_articles: Counter[str] = field(default_factory=Counter)  # source -> count
    reloads: Counter[str] = field(default_factory=Counter)  # "ok" | "refused" -> count


class Service:
    """Polls and sends on time. Two one-shot jobs re-arm themselves: ``poll`` for the
    earliest moment a source is due, ``drain`` for the earliest moment a delivery
    may go (``send_times``). A third, ``watch``, looks at the post log every
    ``[service] drain_every`` for what other commands changed (``approve``,
    ``retry``, ``post``) and wakes the drain for it."""

    def __init__(self, engine: Engine, *, config_path: Path | None = None) -> None:
        self.engine = engine
        self.config_path = config_path
        self.stop_event = threading.Event()  # read by the drain between two posts
        self.stats = ServiceStats()
        self.on_round: Callable[[Service], None] | None = None
        self._in_flight: set[str] = set()  # sources being polled now
        self._last_round_started = 0.0  # monotonic
        self._draining = False
        self._drain_done: asyncio.Event | None = None
        self._stopped: asyncio.Event | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._scheduler: AsyncIOScheduler | None = None
        self._fetcher: Fetcher | None = None
        self._config_lock = threading.Lock()  # a reload waits for the post in flight
        # Workers: who polls and sends what (one service on SQLite, leases on PostgreSQL).
        self.coordinator: Coordinator = coordinator_for(engine)
        self._wakes: set[asyncio.Future[None]] = set()

    @property
    def rounds(self) -> int:
        return self.stats.rounds

    # -- polls ----------------------------------------------------------------
    async def poll_due(self) -> None:
        """Poll, as one round, every due source not already being polled."""
        if self.stop_event.is_set() or self._fetcher is None:
            return
        poller = poller_of(self.engine)
        states = await asyncio.to_thread(load_states, poller)
        now = self.engine.clock.now()
        due = [
            s for s in due_sources(self.engine.config, states, now) if s.name not in self._in_flight
        ]
        self._in_flight.update(s.name for s in due)
        self._last_round_started = time.monotonic()
        chosen: list[SourceConfig] = []
        try:
            # workers: hook (a), which of the due sources this process polls
            chosen = await asyncio.to_thread(self.coordinator.claim_sources, due)
        finally:
            taken = {s.name for s in chosen}  # by name: comparing configs costs O(n²)
            self._in_flight.difference_update(s.name for s in due if s.name not in taken)
        self._arm_poll(states)  # the others' next round must not wait for this one
        try:
            await self._poll(chosen, states)
        finally:
            await asyncio.to_thread(self.coordinator.release_sources, chosen)  # hook (a)
            self._in_flight.difference_update(s.name for s in chosen)
            if chosen:
                self._arm_drain(self.engine.clock.now())
            if not self.stop_event.is_set():
                self._arm_poll(await asyncio.to_thread(load_states, poller))

    def _arm_poll(self, states: dict[str, polls.SourceState]) -> None:
        """Fire ``poll_due`` when the next source is due. Rounds start at most once per
        ``POLL_ROUND_SPACING``, so sources due within it share one round."""
        if self._scheduler is None or self.stop_event.is_set():
            return
        now = self.engine.clock.now()
        moments = [
            due_at(states.get(source.name), now)
            for source in self.engine.config.sources
            if source.enabled and source.name not in self._in_flight
        ]
        if not moments:
            return
        spacing = POLL_ROUND_SPACING - (time.monotonic() - self._last_round_started)
        at = max(min(moments), now + timedelta(seconds=max(0.0, spacing)))
        self._scheduler.add_job(
            self.poll_due, "date", run_date=at, id="poll", replace_existing=True, max_instances=4
        )

    async def _poll(
        self, sources: list[SourceConfig], states: dict[str, polls.SourceState]
    ) -> None:
        if not sources:
            return
        assert self._fetcher is not None
        try:
            summary = await poll_round(
                poller_of(self.engine),
                sources,
                self._fetcher,
                states=states,
                on_new=self._count_new,
            )
        except Exception:
            log.exception("poll round failed")
            self.stats.polls["failed"] += len(sources)
            return
        self.stats.polls["ok"] += summary.polled - summary.not_modified
        self.stats.polls["not_modified"] += summary.not_modified
        self.stats.polls["failed"] += summary.failed
        if summary.new_articles or summary.failed:
            log.info(
                "polled %d source(s): %d new article(s), %d failed",
                summary.polled + summary.failed,
                summary.new_articles,
                summary.failed,
            )

    def _count_new(self, article: Article) -> None:
        self.stats.new_articles[article.source or "?"] += 1

    # -- deliveries -----------------------------------------------------------
    async def drain(self) -> None:
        """Send what may go now (in a worker thread), then sleep until the next
        delivery may."""
        if self.stop_event.is_set() or self._draining:
            return  # the drain running now re-arms itself when it ends
        self._draining = True
        try:
            await asyncio.to_thread(self._drain_now)
        except Exception:
            log.exception("drain failed")
        finally:
            self._draining = False
            if self._drain_done is not None:
                self._drain_done.set()
            self._tick()
            if self.on_round is not None:
                self.on_round(self)
        await self._arm_next_drain()

    def _drain_now(self) -> None:
        with self._config_lock:  # a reload swaps targets between drains
            drain(self.engine, stop=self.stop_event)

    async def watch(self) -> None:
        """Pick up what other commands changed in the post log within ``drain_every``."""
        self._tick()
        if not self._draining:
            await self._arm_next_drain()

    async def _arm_next_drain(self) -> None:
        """Fire ``drain`` when the next delivery may go."""
        if self._scheduler is None or self.stop_event.is_set():
            return
        try:
            moments = await asyncio.to_thread(self._next_sends)
        except Exception:
            log.exception("could not read when the next delivery is due")
            return
        if moments:
            # Never sooner than DRAIN_SPACING after the last one: a delivery the
            # drain could not take must not spin the loop.
            self._arm_drain(max(min(moments), self.engine.clock.now() + DRAIN_SPACING))

    def _next_sends(self) -> list[datetime]:
        with self.engine.store.read() as connection:
            return list(next_sends(self.engine, connection, self.engine.clock.now()).values())

    def _arm_drain(self, at: datetime) -> None:
        """Fire ``drain`` at ``at`` unless it is armed sooner already."""
        if self._scheduler is None or self.stop_event.is_set():
            return
        job = self._scheduler.get_job("drain")
        if job is not None and job.next_run_time is not None and job.next_run_time <= at:
            return
        self._scheduler.add_job(
            self.drain, "date", run_date=at, id="drain", replace_existing=True, max_instances=2
        )

    def _tick(self) -> None:
        self.stats.rounds += 1
        self.stats.last_round_at = time.time()

    # -- life cycle -----------------------------------------------------------
    async def run(self, fetcher: Fetcher) -> None:
        """Serve until ``stop()``, then let the post in flight finish. ``fetcher``:
        the loop's one HTTP client for every source fetch."""
        from apscheduler.schedulers.asyncio import AsyncIOScheduler

        self._loop = asyncio.get_running_loop()
        self._stopped, self._drain_done = asyncio.Event(), asyncio.Event()
        if self.stop_event.is_set():
            self._stopped.set()
        self._fetcher = fetcher
        self.engine.share_fetcher(fetcher, self._loop)  # lead images, posts by hand
        # workers: hook (d), settles what a dead process left (all of it, on SQLite)
        await asyncio.to_thread(self.coordinator.start)
        self._scheduler = AsyncIOScheduler(
            timezone=self.engine.config.service.timezone,
            job_defaults={"misfire_grace_time": None, "coalesce": True},
        )
        self._scheduler.start()
        self._schedule_jobs(await asyncio.to_thread(load_states, poller_of(self.engine)))
        self._schedule_worker_jobs()
        self.stats.started = True
        log.info(
            "service running: %d source(s), %d target(s)",
            len(self.engine.config.sources),
            len(self.engine.targets),
        )
        try:
            await self._stopped.wait()
        finally:
            self._scheduler.shutdown(wait=False)
            while self._draining:  # the post in flight finishes
                self._drain_done.clear()
                await self._drain_done.wait()
            await asyncio.to_thread(self.coordinator.stop)  # workers: hook (d)
            log.info("service stopped")

    def _schedule_jobs(self, states: dict[str, polls.SourceState]) -> None:
        """(Re)arm every job: at start-up and after a reload."""
        assert self._scheduler is not None
        watch_every = max(0.1, self.engine.config.service.drain_every.total_seconds())
        self._scheduler.add_job(
            self.watch,
            "interval",
            seconds=watch_every,
            id="watch",
            replace_existing=True,
            max_instances=1,
        )
        self._arm_poll(states)
        self._arm_drain(self.engine.clock.now())

    def _schedule_worker_jobs(self) -> None:
        """Workers (hooks (c) and (d)): the heartbeat, the take-over of dead workers'
        claims (both in threads: they are database work), and LISTEN for deliveries
        other workers made due. Nothing on SQLite."""
        every = self.coordinator.heartbeat_every
        if every is None or self._scheduler is None or self._loop is None:
            return
        for job in (self.coordinator.heartbeat, self.coordinator.recover_expired):
            self._scheduler.add_job(
                asyncio.to_thread, "interval", args=[job], seconds=every, id=job.__name__,
                max_instances=1,
            )  # fmt: skip
        loop = self._loop

        def wake() -> None:  # from the listener's thread
            loop.call_soon_threadsafe(self._wake)

        self.coordinator.listen(wake)

    def _wake(self) -> None:
        """Another worker made a delivery due (on the loop): look now, as ``watch``."""
        task = asyncio.ensure_future(self.watch())
        self._wakes.add(task)
        task.add_done_callback(self._wakes.discard)

    def reload(self) -> bool:
        """SIGHUP: read the config again; a bad config keeps the old one running.
        Returns whether the new config is now in force. Blocking: call it from a
        worker thread when the service runs."""
        if self.config_path is None:
            return False
        try:
            config: Config = load_config(self.config_path)
        except ConfigError as exc:
            return self._refuse(str(exc))
        except Exception as exc:  # unreadable file and the like
            return self._refuse(f"{type(exc).__name__}: {exc}")
        if config.store_url() != self.engine.config.store_url():
            log.warning("store.url changed; the service keeps its store until it is restarted")
        with self._config_lock:  # swap between rounds, never under a post in flight
            try:
                self.engine.reload(config)
            except ConfigError as exc:
                return self._refuse(str(exc))
        if self._loop is not None and self._scheduler is not None:
            states = load_states(poller_of(self.engine))
            self._loop.call_soon_threadsafe(self._schedule_jobs, states)
        self.stats.reloads["ok"] += 1
        log.info(
            "config reloaded from %s: %d source(s), %d target(s)",
            self.config_path,
            len(config.sources),
            len(config.targets),
        )
        return True

    def _refuse(self, why: str) -> bool:
        self.stats.reloads["refused"] += 1
        log.error("config reload refused, the old config stays in force:\n%s", why)
        return False

    def stop(self) -> None:
        """Stop after the post in flight; safe from any thread."""
        self.stop_event.set()
        if self._loop is not None and self._stopped is not None:
            self._loop.call_soon_threadsafe(self._stopped.set)


def install_signal_handlers(service: Service) -> None:
    """SIGTERM and SIGINT stop the service, SIGHUP reloads it; on the running loop."""
    loop = asyncio.get_running_loop()

    def on_stop(signum: signal.Signals) -> None:
        log.info("received %s: finishing the post in flight, then stopping", signum.name)
        service.stop()

    def on_reload() -> None:
        loop.run_in_executor(None, service.reload)

    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, on_stop, signum)
    loop.add_signal_handler(signal.SIGHUP, on_reload)
