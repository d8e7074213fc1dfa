"""The background service: APScheduler polls each source when it is due (its
``every`` plus jitter) and sends each delivery the moment it may go; SIGTERM or
Ctrl-C lets the post in flight finish; SIGHUP reloads the config.

One service per store (``RunLock``, taken by ``syndicator run``). At start-up it settles
deliveries a crashed predecessor left in ``sending``, then polls every due source.

A reload swaps the config between drain rounds (never under a post in flight). A config
that does not load or whose targets do not bind is refused: the old one keeps running
and the reason is logged, so a typo in a SIGHUP never stops the posting.
"""

from __future__ import annotations

import logging
import signal
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from syndicator.config import Config, SourceConfig, load_config
from syndicator.delivery import drain
from syndicator.engine import Engine
from syndicator.errors import ConfigError
from syndicator.models import Article
from syndicator.polling import due_sources, poll
from syndicator.send_times import next_sends
from syndicator.store import polls
from syndicator.workers import Coordinator, coordinator_for

log = logging.getLogger(__name__)

# Poll rounds start at most this often: sources falling due within it share a round
# (a thousand sources with jittered times make a few rounds, not a thousand).
POLL_ROUND_SPACING = 1.0  # seconds
DRAIN_SPACING = timedelta(milliseconds=200)


def _due_at(state: polls.SourceState | None, now: datetime) -> datetime:
    """When a source is due: its stored next poll, or now if it never was polled."""
    if state is None or state.next_poll_at is None:
        return now
    return state.next_poll_at


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
        self.stop_event = threading.Event()
        self._drain_lock = threading.Lock()
        self._poll_lock = threading.Lock()  # guards the sources in flight
        self._in_flight: set[str] = set()
        self._last_round_started = 0.0  # monotonic
        self._scheduler: Any = None
        self.stats = ServiceStats()
        self.on_round: Callable[[Service], None] | None = None
        # Workers: who polls and sends what (one service on SQLite, leases on PostgreSQL).
        self.coordinator: Coordinator = coordinator_for(engine)

    @property
    def rounds(self) -> int:
        return self.stats.rounds

    # -- polls ----------------------------------------------------------------
    def poll_due(self) -> None:
        """Poll, as one round, every due source not already being polled."""
        if self.stop_event.is_set():
            return
        with self._poll_lock:
            due = [s for s in due_sources(self.engine) if s.name not in self._in_flight]
            chosen = self.coordinator.claim_sources(due)  # workers: hook (a)
            self._in_flight.update(s.name for s in chosen)
            self._last_round_started = time.monotonic()
        self._arm_poll()  # the others' next round must not wait for this one to end
        try:
            self._poll(chosen)
        finally:
            self.coordinator.release_sources(chosen)  # workers: hook (a)
            with self._poll_lock:
                self._in_flight.difference_update(s.name for s in chosen)
            if chosen:
                self._arm_drain(self.engine.clock.now())
            self._arm_poll()

    def _arm_poll(self) -> None:
        """Fire ``poll_due`` when the next source is due. Rounds start at most once per
        ``POLL_ROUND_SPACING``, so sources due within it share one round."""
        if self._scheduler is None or self.stop_event.is_set():
            return
        # Under the lock from reading to arming: of two rounds ending together, the
        # one that arms last has seen the other's sources back from flight.
        with self._poll_lock:
            with self.engine.store.read() as connection:
                states = polls.load_all(connection)
            now = self.engine.clock.now()
            moments = [
                _due_at(states.get(source.name), now)
                for source in self.engine.config.sources
                if source.enabled and source.name not in self._in_flight
            ]
            if not moments:
                return
            spacing = POLL_ROUND_SPACING - (time.monotonic() - self._last_round_started)
            at = max(min(moments), now + timedelta(seconds=max(0.0, spacing)))
            self._scheduler.add_job(
                self.poll_due,
                "date",
                run_date=at,
                id="poll",
                replace_existing=True,
                max_instances=4,
            )

    def _poll(self, sources: list[SourceConfig]) -> None:
        if not sources:
            return
        try:
            summary = poll(self.engine, sources, on_new=self._count_new)
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
    def drain(self) -> None:
        """Send what may go now, then sleep until the next delivery may."""
        if self.stop_event.is_set() or not self._drain_lock.acquire(blocking=False):
            return  # the drain running now re-arms itself when it ends
        try:
            drain(self.engine, stop=self.stop_event)
        except Exception:
            log.exception("drain failed")
        finally:
            self._drain_lock.release()
            self._tick()
            if self.on_round is not None:
                self.on_round(self)
        self._arm_drain(None)

    def watch(self) -> None:
        """Pick up what other commands changed in the post log within ``drain_every``."""
        self._tick()
        if not self._drain_lock.locked():
            self._arm_drain(None)

    def _arm_drain(self, at: datetime | None) -> None:
        """Fire ``drain`` at ``at``, or (``None``) when the next delivery may go."""
        if self._scheduler is None or self.stop_event.is_set():
            return
        now = self.engine.clock.now()
        if at is None:
            try:
                with self.engine.store.read() as connection:
                    moments = next_sends(self.engine, connection, now).values()
            except Exception:
                log.exception("could not read when the next delivery is due")
                return
            if not moments:
                return
            # Never sooner than DRAIN_SPACING after the last one: a delivery the
            # drain could not take must not spin the loop.
            at = max(min(moments), now + DRAIN_SPACING)
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
    def start(self) -> None:
        from apscheduler.schedulers.background import BackgroundScheduler

        self.coordinator.start()  # workers: hook (d); settles what a dead process left
        self._scheduler = BackgroundScheduler(
            timezone=self.engine.config.service.timezone,
            job_defaults={"misfire_grace_time": None, "coalesce": True},
        )
        self._scheduler.start()
        self._schedule_jobs()
        self._schedule_worker_jobs()
        self.stats.started = True
        log.info(
            "service running: %d source(s), %d target(s)",
            len(self.engine.config.sources),
            len(self.engine.targets),
        )

    def _schedule_jobs(self) -> None:
        """(Re)arm every job: at start-up and after a reload."""
        now = self.engine.clock.now()
        watch_every = max(0.1, self.engine.config.service.drain_every.total_seconds())
        self._scheduler.add_job(
            self.watch,
            "interval",
            seconds=watch_every,
            id="watch",
            replace_existing=True,
            max_instances=1,
        )
        self._arm_poll()
        self._arm_drain(now)

    def _schedule_worker_jobs(self) -> None:
        """Workers (hooks (c) and (d)): the heartbeat, the take-over of dead workers'
        claims, and LISTEN for deliveries other workers made due."""
        every = self.coordinator.heartbeat_every
        if every is None:
            return
        for job in (self.coordinator.heartbeat, self.coordinator.recover_expired):
            self._scheduler.add_job(
                job, "interval", seconds=every, id=job.__name__, max_instances=1
            )
        self.coordinator.listen(self.watch)

    def reload(self) -> bool:
        """SIGHUP: read the config again; a bad config keeps the old one running.
        Returns whether the new config is now in force."""
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
        with self._drain_lock:  # swap between rounds, never under a post in flight
            try:
                self.engine.reload(config)
            except ConfigError as exc:
                return self._refuse(str(exc))
        if self._scheduler is not None:
            self._schedule_jobs()
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
        self.stop_event.set()

    def wait(self) -> None:
        """Block until stopped, then let running jobs finish (the post in flight)."""
        try:
            while not self.stop_event.wait(1.0):
                pass
        finally:
            if self._scheduler is not None:
                self._scheduler.shutdown(wait=True)
            self.coordinator.stop()  # workers: hook (d)
            log.info("service stopped")


def install_signal_handlers(service: Service) -> None:
    def on_stop(signum: int, _frame: object) -> None:
        log.info(
            "received %s: finishing the post in flight, then stopping", signal.Signals(signum).name
        )
        service.stop()

    def on_reload(_signum: int, _frame: object) -> None:
        threading.Thread(target=service.reload, name="reload", daemon=True).start()

    signal.signal(signal.SIGTERM, on_stop)
    signal.signal(signal.SIGINT, on_stop)
    signal.signal(signal.SIGHUP, on_reload)
