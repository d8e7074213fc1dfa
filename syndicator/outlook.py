"""What the service is doing and will do next, from the post log alone: each
source's polls, each target's queue and its next send, and whether a service holds
the store. ``syndicator status`` prints it; ``approve`` and ``retry`` use
``next_send_at`` to say when a released post goes out.

A question asked of the store, never of a running service: the answer is the same
whether or not one runs, and a service that died leaves its last state readable.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import datetime

from sqlalchemy import Connection

from syndicator import send_times
from syndicator.config import SourceConfig
from syndicator.engine import Engine
from syndicator.models import DeliveryState
from syndicator.store import deliveries as delivery_store
from syndicator.store import leases, pauses, polls, registry
from syndicator.store.registry import WorkerRow
from syndicator.targets import BoundTarget

__all__ = [
    "ServiceStatus",
    "SourceStatus",
    "Status",
    "TargetStatus",
    "WorkerStatus",
    "next_send_at",
    "status",
]


@dataclass(frozen=True)
class SourceStatus:
    name: str
    url: str
    enabled: bool
    last_poll: datetime | None
    next_poll: datetime | None  # None: never polled, so due now
    failures: int
    last_error: str | None
    backoff_until: datetime | None  # the next poll, when failures pushed it back


@dataclass(frozen=True)
class TargetStatus:
    name: str
    enabled: bool
    pending: int
    held: int
    retrying: int
    unknown: int
    paused_until: datetime | None
    paused_why: str | None
    next_send: datetime | None  # None: nothing queued
    waits_for: list[str]  # why the next send is not now


@dataclass(frozen=True)
class ServiceStatus:
    running: bool
    pid: int | None


@dataclass(frozen=True)
class WorkerStatus(WorkerRow):
    """A live ``syndicator run`` on a PostgreSQL store (its registry row), and what it
    holds now."""

    sources: list[str] = field(default_factory=list)  # sources it is polling (a live lease)
    deliveries: list[int] = field(default_factory=list)  # deliveries it is sending


@dataclass(frozen=True)
class Status:
    now: datetime
    timezone: str
    service: ServiceStatus
    sources: list[SourceStatus]
    targets: list[TargetStatus]
    workers: list[WorkerStatus] = field(default_factory=list)

    def as_dict(self) -> dict[str, object]:
        """The JSON shape of ``syndicator status --json``: times in ISO 8601, UTC."""

        def plain(value: object) -> object:
            if isinstance(value, datetime):
                return value.isoformat()
            if isinstance(value, dict):
                return {k: plain(v) for k, v in value.items()}
            if isinstance(value, list):
                return [plain(v) for v in value]
            return value

        return {
            "now": self.now.isoformat(),
            "timezone": self.timezone,
            "service": asdict(self.service),
            "sources": [plain(asdict(s)) for s in self.sources],
            "targets": [plain(asdict(t)) for t in self.targets],
            "workers": [plain(asdict(w)) for w in self.workers],
        }


def status(engine: Engine) -> Status:
    now = engine.clock.now()
    running, pid = engine.store.run_lock().holder()
    with engine.store.read() as connection:
        states = polls.load_all(connection)
        counts = delivery_store.count_by_state(connection)
        targets = [
            _target_status(engine, connection, bound, counts, now)
            for bound in engine.targets.values()
        ]
        workers = _workers(engine, connection, now)
    sources = [_source_status(source, states.get(source.name)) for source in engine.config.sources]
    return Status(
        now=now,
        timezone=engine.config.service.timezone,
        service=ServiceStatus(running, pid),
        sources=sources,
        targets=targets,
        workers=workers,
    )


def _workers(engine: Engine, connection: Connection, now: datetime) -> list[WorkerStatus]:
    """The live workers of a PostgreSQL store (none on SQLite: its one service is
    ``service``), each with the sources and deliveries it holds."""
    if not leases.coordinated(connection):
        return []
    lease = engine.config.service.lease
    held = leases.holdings(connection, now=now)
    statuses = []
    for row in registry.live(connection, now=now, lease=lease):
        sources, sending = held.get(row.id, ([], []))
        statuses.append(WorkerStatus(**asdict(row), sources=sources, deliveries=sending))
    return statuses


def _source_status(source: SourceConfig, state: polls.SourceState | None) -> SourceStatus:
    if state is None:
        return SourceStatus(source.name, source.url, source.enabled, None, None, 0, None, None)
    backoff = state.next_poll_at if state.failures else None
    return SourceStatus(
        name=source.name,
        url=source.url,
        enabled=source.enabled,
        last_poll=state.last_polled_at,
        next_poll=state.next_poll_at,
        failures=state.failures,
        last_error=state.last_error,
        backoff_until=backoff,
    )


def _target_status(
    engine: Engine,
    connection: Connection,
    bound: BoundTarget,
    counts: dict[tuple[str, str], int],
    now: datetime,
) -> TargetStatus:
    def count(state: DeliveryState) -> int:
        return counts.get((bound.name, state.value), 0)

    pause = pauses.paused(connection, bound.name, now=now)
    queued = count(DeliveryState.PENDING) + count(DeliveryState.RETRY)
    moment, reasons = next_send_at(engine, connection, bound, now) if queued else (None, [])
    return TargetStatus(
        name=bound.name,
        enabled=bound.config.enabled,
        pending=count(DeliveryState.PENDING),
        held=count(DeliveryState.HELD),
        retrying=count(DeliveryState.RETRY),
        unknown=count(DeliveryState.UNKNOWN),
        paused_until=pause[0] if pause else None,
        paused_why=pause[1] if pause else None,
        next_send=moment,
        waits_for=reasons,
    )


def next_send_at(
    engine: Engine,
    connection: Connection,
    bound: BoundTarget,
    now: datetime,
    *,
    due_at: datetime | None = None,
) -> tuple[datetime | None, list[str]]:
    """When ``bound`` next sends a post, and why not before (``send_times``): from
    its earliest due delivery, or ``due_at`` for one just released. ``None`` when
    nothing is queued."""
    if due_at is None:
        due_at = delivery_store.earliest_due(connection).get(bound.name)
        if due_at is None:
            return None, []
    return send_times.next_send_at(connection, engine, bound, due_at, now)
