"""The background service: APScheduler fires each source on its own interval (with
jitter) and drains due deliveries; SIGTERM or Ctrl-C lets the post in flight finish;
SIGHUP reloads the config.

One service per store (``RunLock``, taken by ``syndicator run``). At start-up it settles
deliveries a crashed predecessor left in ``sending``, then polls every due source once.

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
from pathlib import Path
from typing import Any

from syndicator.config import Config, SourceConfig, load_config
from syndicator.delivery import drain
from syndicator.engine import Engine
from syndicator.errors import ConfigError
from syndicator.models import Article
from syndicator.polling import due_sources, poll
from syndicator.recovery import plan_interrupted, recover

log = logging.getLogger(__name__)


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
    def __init__(self, engine: Engine, *, config_path: Path | None = None) -> None:
        self.engine = engine
        self.config_path = config_path
        self.stop_event = threading.Event()
        self._drain_lock = threading.Lock()
        self._scheduler: Any = None
        self.stats = ServiceStats()
        self.on_round: Callable[[Service], None] | None = None

    @property
    def rounds(self) -> int:
        return self.stats.rounds

    # -- jobs -----------------------------------------------------------------
    def poll_source(self, name: str) -> None:
        if self.stop_event.is_set():
            return
        try:
            source = self.engine.config.source(name)
        except KeyError:
            return
        if name in {s.name for s in due_sources(self.engine)}:
            self._poll([source])
        self.drain()

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

    def drain(self) -> None:
        if self.stop_event.is_set() or not self._drain_lock.acquire(blocking=False):
            return
        try:
            drain(self.engine, stop=self.stop_event)
        except Exception:
            log.exception("drain failed")
        finally:
            self._drain_lock.release()
            self.stats.rounds += 1
            self.stats.last_round_at = time.time()
            if self.on_round is not None:
                self.on_round(self)

    # -- life cycle -----------------------------------------------------------
    def start(self) -> None:
        from apscheduler.schedulers.background import BackgroundScheduler

        recover(self.engine)
        plan_interrupted(self.engine)
        self._poll(due_sources(self.engine))
        self.drain()
        self._scheduler = BackgroundScheduler(timezone=self.engine.config.service.timezone)
        self._schedule_jobs()
        self._scheduler.start()
        self.stats.started = True
        log.info(
            "service running: %d source(s), %d target(s)",
            len(self.engine.config.sources),
            len(self.engine.targets),
        )

    def _schedule_jobs(self) -> None:
        config = self.engine.config
        scheduler = self._scheduler
        scheduler.remove_all_jobs()
        jitter = int(config.service.jitter.total_seconds())
        for source in config.sources:
            if not source.enabled:
                continue
            every = max(1.0, source.every.total_seconds())
            scheduler.add_job(
                self.poll_source,
                "interval",
                args=[source.name],
                id=f"poll:{source.name}",
                seconds=every,
                jitter=min(jitter, max(1, int(every) // 10)) or None,
                max_instances=1,
                coalesce=True,
                misfire_grace_time=None,
            )
        scheduler.add_job(
            self.drain,
            "interval",
            id="drain",
            seconds=max(0.1, config.service.drain_every.total_seconds()),
            max_instances=1,
            coalesce=True,
        )

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
