"""Sending due deliveries, at most once and at least once.

For each target, in turn: check its pacing, take its oldest due delivery, commit the
claim (``pending|retry -> sending``), call ``publish`` with the stored post, then record
the receipt or the error. A crash between the claim and the record leaves the delivery
in ``sending``; ``recover`` settles those at the next start-up (see DESIGN.md).
"""

from __future__ import annotations

import logging
import random
import threading
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from syndicator.engine import Engine
from syndicator.errors import AlreadyPosted, PublishError, RateLimited
from syndicator.models import DeliveryState, Receipt
from syndicator.pacing import blocked_until, start_of_day
from syndicator.secrets import redact
from syndicator.store import deliveries as store
from syndicator.store.codec import post_from_json
from syndicator.store.deliveries import DeliveryRow
from syndicator.targets import BoundTarget

log = logging.getLogger(__name__)

BACKOFF_BASE = timedelta(seconds=30)
BACKOFF_CAP = timedelta(hours=6)


@dataclass
class DrainSummary:
    sent: int = 0
    retried: int = 0
    failed: int = 0
    waiting: dict[str, str] = field(default_factory=dict)  # target -> why it waits


def backoff_delay(attempts: int) -> timedelta:
    """Exponential backoff with full jitter, capped: 30 s, 1 min, 2 min, ... 6 h."""
    ceiling = min(BACKOFF_CAP, BACKOFF_BASE * (2 ** max(0, attempts - 1)))
    return timedelta(seconds=random.uniform(ceiling.total_seconds() / 2, ceiling.total_seconds()))


def drain(
    engine: Engine, *, stop: threading.Event | None = None, targets: list[str] | None = None
) -> DrainSummary:
    """Send every delivery that is due and allowed by its target's pacing."""
    summary = DrainSummary()
    for name, bound in list(engine.targets.items()):
        if targets is not None and name not in targets:
            continue
        if not bound.config.enabled:
            continue
        while stop is None or not stop.is_set():
            if not _send_next(engine, bound, summary):
                break
    return summary


def _send_next(engine: Engine, bound: BoundTarget, summary: DrainSummary) -> bool:
    """Send one due delivery of ``bound``; False when nothing more may go now."""
    now = engine.clock.now()
    timezone = engine.config.service.timezone
    with engine.store.begin() as connection:
        due = store.due(connection, now=now, target=bound.name, limit=1)
        if not due:
            return False
        wait = blocked_until(
            bound.config,
            now=now,
            timezone=timezone,
            last_sent=store.last_sent_at(connection, bound.name),
            sent_today=store.sent_since(connection, bound.name, start_of_day(now, timezone)),
        )
        if wait is not None:
            _until, why = wait
            summary.waiting[bound.name] = why
            _note_wait(connection, due[0], why)
            return False
        delivery = due[0]
        if not store.claim(connection, delivery.id, holder=engine.holder, now=now):
            return True  # another worker took it; look at the next one
    publish_claimed(engine, bound, delivery, summary)
    return True


def _note_wait(connection: object, delivery: DeliveryRow, why: str) -> None:
    """Keep the latest pacing reason on the waiting delivery, for ``why`` and ``log``."""
    from sqlalchemy import update

    from syndicator.store.schema import deliveries

    if delivery.reason != why:
        connection.execute(
            update(deliveries).where(deliveries.c.id == delivery.id).values(reason=why)
        )  # type: ignore[attr-defined]


def publish_claimed(
    engine: Engine, bound: BoundTarget, delivery: DeliveryRow, summary: DrainSummary
) -> None:
    """Publish a delivery this process has claimed, and record the outcome."""
    post = post_from_json(delivery.post)
    try:
        receipt = bound.adapter.publish(post, key=delivery.idem_key)
    except AlreadyPosted as exc:
        receipt = Receipt(remote_id=exc.remote_id, remote_url=exc.remote_url, detail=str(exc))
    except PublishError as exc:
        _record_error(engine, bound, delivery, exc, summary)
        return
    except Exception as exc:  # an adapter bug: treat as transient, keep the message
        log.exception(
            "adapter %s crashed publishing delivery %d", bound.config.adapter, delivery.id
        )
        _record_error(engine, bound, delivery, PublishError(f"adapter error: {exc!r}"), summary)
        return
    with engine.store.begin() as connection:
        store.mark_sent(connection, delivery.id, receipt, now=engine.clock.now())
    summary.sent += 1
    log.info(
        "delivery %d sent to %s: %s",
        delivery.id,
        bound.name,
        receipt.remote_url or receipt.remote_id,
    )


def _record_error(
    engine: Engine,
    bound: BoundTarget,
    delivery: DeliveryRow,
    exc: PublishError,
    summary: DrainSummary,
) -> None:
    now = engine.clock.now()
    message = redact(f"{type(exc).__name__}: {exc.platform_message or exc}")
    attempts = delivery.attempts + 1
    with engine.store.begin() as connection:
        if not exc.retryable or attempts >= bound.config.max_attempts:
            store.transition(
                connection,
                delivery.id,
                to=DeliveryState.FAILED,
                now=now,
                expect=(DeliveryState.SENDING,),
                error=message,
                reason="rejected by the platform"
                if not exc.retryable
                else f"gave up after {attempts} attempts",
            )
            summary.failed += 1
            log.error("delivery %d to %s failed: %s", delivery.id, bound.name, message)
            return
        if isinstance(exc, RateLimited) and exc.retry_at is not None:
            due_at: datetime = max(exc.retry_at, now)
            reason = f"rate limited until {due_at:%Y-%m-%d %H:%M:%S} UTC"
        else:
            due_at = now + backoff_delay(attempts)
            reason = f"retry at {due_at:%Y-%m-%d %H:%M:%S} UTC after a transient error"
        store.transition(
            connection,
            delivery.id,
            to=DeliveryState.RETRY,
            now=now,
            expect=(DeliveryState.SENDING,),
            error=message,
            reason=reason,
            due_at=due_at,
        )
    summary.retried += 1
    log.warning("delivery %d to %s: %s; %s", delivery.id, bound.name, message, reason)


def recover(engine: Engine) -> dict[str, int]:
    """Settle deliveries a crashed process left in ``sending``.

    Idempotent targets resend with the same key (the platform drops the duplicate).
    Others are looked up on the platform; when it cannot tell, the delivery becomes
    ``unknown`` for the operator (``syndicator resolve``), never silently resent.
    """
    counts = {"resent": 0, "found": 0, "unknown": 0}
    now = engine.clock.now()
    with engine.store.begin() as connection:
        stuck = store.in_state(connection, [DeliveryState.SENDING])
    for delivery in stuck:
        bound = engine.targets.get(delivery.target)
        with engine.store.begin() as connection:
            if bound is not None and bound.adapter_class.idempotent:
                store.transition(
                    connection,
                    delivery.id,
                    to=DeliveryState.RETRY,
                    now=now,
                    expect=(DeliveryState.SENDING,),
                    due_at=now,
                    reason="interrupted while sending; resent with the same idempotency key",
                )
                counts["resent"] += 1
                continue
        receipt = None
        if bound is not None:
            try:
                receipt = bound.adapter.find_existing(
                    post_from_json(delivery.post), key=delivery.idem_key
                )
            except NotImplementedError:
                receipt = None
                checked = False
            except Exception as exc:
                log.warning(
                    "delivery %d: could not check %s: %s", delivery.id, delivery.target, exc
                )
                checked = False
            else:
                checked = True
        else:
            checked = False
        with engine.store.begin() as connection:
            if receipt is not None:
                store.transition(
                    connection,
                    delivery.id,
                    to=DeliveryState.SENT,
                    now=now,
                    expect=(DeliveryState.SENDING,),
                    sent_at=now,
                    remote_id=receipt.remote_id,
                    remote_url=receipt.remote_url,
                    event="found on the platform after a crash",
                )
                counts["found"] += 1
            elif checked:
                store.transition(
                    connection,
                    delivery.id,
                    to=DeliveryState.RETRY,
                    now=now,
                    expect=(DeliveryState.SENDING,),
                    due_at=now,
                    reason="interrupted while sending; the platform has no such post, resending",
                )
                counts["resent"] += 1
            else:
                store.transition(
                    connection,
                    delivery.id,
                    to=DeliveryState.UNKNOWN,
                    now=now,
                    expect=(DeliveryState.SENDING,),
                    reason="interrupted while sending and the platform cannot be asked; "
                    "settle with 'syndicator resolve ID --sent URL' or '--not-sent'",
                )
                counts["unknown"] += 1
    if any(counts.values()):
        log.warning("recovered interrupted deliveries: %s", counts)
    return counts
