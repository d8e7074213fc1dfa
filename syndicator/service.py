"""The background service: APScheduler fires each source on its own interval (with
jitter) and drains due deliveries; SIGTERM or Ctrl-C lets the post in flight finish.

One service per store (``RunLock``). At start-up it settles deliveries a crashed
predecessor left in ``sending``, then polls every due source once.
"""

from __future__ import annotations

import logging
import signal
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from syndicator.config import Config, SourceConfig, load_config
from syndicator.delivery import drain, recover
from syndicator.engine import Engine
from syndicator.errors import ConfigError
from syndicator.polling import due_sources, poll

log = logging.getLogger(__name__)


class Service:
    def __init__(self, engine: Engine, *, config_path: Path | None = None) -> None:
        self.engine = engine
        self.config_path = config_path
        self.stop_event = threading.Event()
        self._drain_lock = threading.Lock()
        self._scheduler: Any = None
        self.rounds = 0
        self.on_round: Callable[[Service], None] | None = None

    # -- jobs -----------------------------------------------------------------
    def poll_source(self, name: str) -> None:
        if self.stop_event.is_set():
            return
        try:
            source = self.engine.config.source(name)
        except KeyError:
            return
        due = {s.name for s in due_sources(self.engine)}
        if name in due:
            self._poll([source])
        self.drain()

    def _poll(self, sources: list[SourceConfig]) -> None:
        try:
            summary = poll(self.engine, sources)
        except Exception:
            log.exception("poll round failed")
            return
        if summary.new_articles or summary.failed:
            log.info(
                "polled %d source(s): %d new article(s), %d failed",
                summary.polled + summary.failed,
                summary.new_articles,
                summary.failed,
            )

    def drain(self) -> None:
        if self.stop_event.is_set() or not self._drain_lock.acquire(blocking=False):
            return
        try:
            drain(self.engine, stop=self.stop_event)
        except Exception:
            log.exception("drain failed")
        finally:
            self._drain_lock.release()
            self.rounds += 1
            if self.on_round is not None:
                self.on_round(self)

    # -- life cycle -----------------------------------------------------------
    def start(self) -> None:
        from apscheduler.schedulers.background import BackgroundScheduler

        recover(self.engine)
        self._poll(due_sources(self.engine))
        self.drain()
        self._scheduler = BackgroundScheduler(timezone=self.engine.config.service.timezone)
        self._schedule_jobs()
        self._scheduler.start()
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
            scheduler.add_job(
                self.poll_source,
                "interval",
                args=[source.name],
                id=f"poll:{source.name}",
                seconds=max(1, int(source.every.total_seconds())),
                jitter=min(jitter, max(1, int(source.every.total_seconds()) // 10)) or None,
                max_instances=1,
                coalesce=True,
                misfire_grace_time=None,
            )
        scheduler.add_job(
            self.drain,
            "interval",
            id="drain",
            seconds=max(1, int(config.service.drain_every.total_seconds())),
            max_instances=1,
            coalesce=True,
        )

    def reload(self) -> None:
        """SIGHUP: read the config again; a bad config keeps the old one running."""
        if self.config_path is None:
            return
        try:
            config: Config = load_config(self.config_path)
            self.engine.reload(config)
        except ConfigError as exc:
            log.error("config reload refused, the old config stays in force:\n%s", exc)
            return
        if self._scheduler is not None:
            self._schedule_jobs()
        log.info("config reloaded from %s", self.config_path)

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
