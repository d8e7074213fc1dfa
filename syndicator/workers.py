"""Who may poll and send what: one service on SQLite, any number of workers on
PostgreSQL.

The service asks a ``Coordinator`` four things and knows nothing else of it:

- ``claim_sources(sources, now)``: which of these due sources this process polls now
  (``release_sources`` when their poll is recorded);
- the drain's claim of a delivery goes through ``store.leases.lock_target`` and a
  leased claim (``delivery.py``), the same on either store;
- ``listen(wake)``: call ``wake`` when another process made a delivery due;
- ``start`` / ``heartbeat`` / ``recover_expired`` / ``stop``: the life of this worker.

``SingleService`` (SQLite) is the behaviour of one process under the run lock: every
due source is its own, nothing to renew. ``Workers`` (PostgreSQL) registers this
process in the ``workers`` table, claims sources with leases, renews them with a
heartbeat, takes over the claims of workers whose heartbeat stopped, and listens for
NOTIFY on ``store.leases.CHANNEL``. PostgreSQL is the only coordinator: no broker.
"""

from __future__ import annotations

import logging
import math
import os
import secrets
import socket
from collections.abc import Callable, Sequence
from datetime import timedelta
from typing import Protocol

from syndicator import __version__
from syndicator.config import SourceConfig
from syndicator.engine import Engine
from syndicator.recovery import plan_interrupted, recover
from syndicator.store import articles as article_store
from syndicator.store import leases, registry
from syndicator.store.registry import WorkerRow

log = logging.getLogger(__name__)

__all__ = ["Coordinator", "SingleService", "Workers", "coordinator_for", "worker_id"]


class Coordinator(Protocol):
    def start(self) -> None:
        """Settle what a dead predecessor left (claims, unplanned articles)."""

    def claim_sources(self, sources: Sequence[SourceConfig]) -> list[SourceConfig]:
        """Of these due sources, those this process polls now."""

    def release_sources(self, sources: Sequence[SourceConfig]) -> None:
        """Their poll is recorded: the claims end."""

    def heartbeat(self) -> None:
        """Show this process lives and renew its claims (every ``heartbeat_every``)."""

    def recover_expired(self) -> None:
        """Settle the claims of processes that died (every ``heartbeat_every``)."""

    def listen(self, wake: Callable[[], None]) -> None:
        """Call ``wake`` whenever another process makes a delivery due."""

    def stop(self) -> None:
        """A clean stop: give up every claim and registration."""

    @property
    def heartbeat_every(self) -> float | None:
        """Seconds between heartbeats; None when there is nothing to renew."""


def worker_id() -> str:
    """This process's name in claims: host, pid and a random tail (a restarted
    container can reuse both host name and pid)."""
    return f"{socket.gethostname()[:60]}:{os.getpid()}:{secrets.token_hex(3)}"


def coordinator_for(engine: Engine) -> Coordinator:
    if engine.store.engine.dialect.name == "postgresql":
        return Workers(engine)
    return SingleService(engine)


class SingleService:
    """One service per store (SQLite, under the run lock ``syndicator run`` holds)."""

    heartbeat_every = None

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def start(self) -> None:
        recover(self.engine)
        plan_interrupted(self.engine)

    def claim_sources(self, sources: Sequence[SourceConfig]) -> list[SourceConfig]:
        return list(sources)

    def release_sources(self, sources: Sequence[SourceConfig]) -> None:
        return None

    def heartbeat(self) -> None:
        return None

    def recover_expired(self) -> None:
        return None

    def listen(self, wake: Callable[[], None]) -> None:
        return None

    def stop(self) -> None:
        return None


class Workers:
    """One of several workers sharing a PostgreSQL store."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        now = engine.clock.now()
        self.row = WorkerRow(
            id=worker_id(),
            host=socket.gethostname(),
            pid=os.getpid(),
            version=__version__,
            started=now,
            heartbeat=now,
        )
        engine.holder = self.row.id  # every claim this process makes names it
        self._listener: object | None = None

    @property
    def lease(self) -> timedelta:
        return self.engine.config.service.lease

    @property
    def heartbeat_every(self) -> float:
        """A sixth of the lease: a worker misses five heartbeats before it is dead."""
        return max(0.5, self.lease.total_seconds() / 6)

    def start(self) -> None:
        with self.engine.store.begin() as connection:
            registry.register(connection, self.row)
            leases.ensure_targets(connection, self.engine.targets)
        log.info("worker %s registered", self.row.id)
        self.recover_expired()

    def claim_sources(self, sources: Sequence[SourceConfig]) -> list[SourceConfig]:
        """A fair share of the due sources, so the workers split a round: with N
        workers alive, at most 1/N of them (rounded up) in one claim; the rest stay due
        for the others, or for this worker's next round a second later."""
        if not sources:
            return []
        now = self.engine.clock.now()
        with self.engine.store.begin() as connection:
            alive = max(1, len(registry.live(connection, now=now, lease=self.lease)))
            names = leases.claim_sources(
                connection,
                [(source.name, source.url, source.every) for source in sources],
                holder=self.row.id,
                now=now,
                lease=self.lease,
                limit=math.ceil(len(sources) / alive),
            )
        chosen = set(names)
        return [source for source in sources if source.name in chosen]

    def release_sources(self, sources: Sequence[SourceConfig]) -> None:
        if sources:
            with self.engine.store.begin() as connection:
                leases.release_sources(connection, [s.name for s in sources], holder=self.row.id)

    def heartbeat(self) -> None:
        now = self.engine.clock.now()
        try:
            with self.engine.store.begin() as connection:
                registry.beat(connection, self.row, now=now)
                leases.renew(connection, holder=self.row.id, now=now, lease=self.lease)
                registry.forget_dead(connection, now=now, lease=self.lease)
        except Exception:
            log.exception("worker %s: heartbeat failed; trying again", self.row.id)

    def recover_expired(self) -> None:
        """Settle the deliveries dead workers left in ``sending`` (``recovery``) and plan
        the articles they recorded but did not plan, holding their sources meanwhile."""
        now = self.engine.clock.now()
        with self.engine.store.begin() as connection:
            taken = leases.take_over_expired(
                connection, holder=self.row.id, now=now, lease=self.lease
            )
            unplanned = {source for _, source, _ in article_store.marked(connection)}
            held = leases.hold_sources(
                connection, unplanned, holder=self.row.id, now=now, lease=self.lease
            )
        if taken:
            log.warning("worker %s took over %d interrupted deliveries", self.row.id, len(taken))
            recover(self.engine, only=set(taken))
        if held:
            try:
                plan_interrupted(self.engine, only=set(held))
            finally:
                with self.engine.store.begin() as connection:
                    leases.release_sources(connection, held, holder=self.row.id)

    def listen(self, wake: Callable[[], None]) -> None:
        from syndicator.wakeups import Listener

        listener = Listener(self.engine.store.engine, leases.CHANNEL, wake)
        listener.start()
        self._listener = listener

    def stop(self) -> None:
        from syndicator.wakeups import Listener

        if isinstance(self._listener, Listener):
            self._listener.stop()
        try:
            with self.engine.store.begin() as connection:
                leases.release_sources_of(connection, holder=self.row.id)
                registry.deregister(connection, self.row.id)
        except Exception:
            log.exception("worker %s: could not deregister; its row expires by itself", self.row.id)
        log.info("worker %s stopped", self.row.id)
