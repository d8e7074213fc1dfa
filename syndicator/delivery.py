"""Sending due deliveries, at most once and at least once.

Targets take turns, one post each per turn, so a long queue on one target never
starves another. For a target's turn: check its pacing (a pause the platform asked
for, quiet hours, the daily cap, the minimum spacing), take its oldest due delivery,
commit the claim (``pending|retry -> sending``), call ``publish`` with the stored post,
then record the receipt or the error. A crash between the claim and the record leaves
the delivery in ``sending``; ``recover`` (syndicator/recovery.py) settles those at the
next start-up (see DESIGN.md).

Errors decide by kind: ``Transient`` backs off exponentially with jitter up to a cap;
``RateLimited`` waits exactly until the platform's time and pauses the whole target
until then (the limit is the account's, not the post's); ``Rejected`` and
``AuthFailed`` fail the delivery for good with the platform's message (an auth failure
also pauses the target, so the rest of its queue does not repeat the 401).
"""

from __future__ import annotations

import logging
import random
import threading
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import Connection

from syndicator.engine import Engine
from syndicator.errors import AlreadyPosted, AuthFailed, PublishError, RateLimited, SecretMissing
from syndicator.models import DeliveryState, Receipt
from syndicator.recovery import recover
from syndicator.secrets import redact
from syndicator.send_times import pacing_block
from syndicator.store import articles as article_store
from syndicator.store import deliveries as store
from syndicator.store import leases, pauses
from syndicator.store.codec import post_from_json
from syndicator.store.deliveries import DeliveryRow
from syndicator.targets import BoundTarget

log = logging.getLogger(__name__)

BACKOFF_BASE = timedelta(seconds=30)
BACKOFF_CAP = timedelta(hours=6)
AUTH_PAUSE = timedelta(minutes=30)

__all__ = ["DrainSummary", "backoff_delay", "drain", "publish_claimed", "recover"]


@dataclass
class DrainSummary:
    sent: int = 0
    retried: int = 0
    failed: int = 0
    skipped: int = 0
    waiting: dict[str, str] = field(default_factory=dict)  # target -> why it waits
    errors: dict[str, int] = field(default_factory=dict)  # target -> failed attempts


def backoff_delay(attempts: int, *, rng: random.Random | None = None) -> timedelta:
    """Exponential backoff with jitter, capped: attempt n waits a random time between
    half and all of ``30 s * 2**(n-1)``, never more than 6 h. The jitter spreads the
    retries of many deliveries that failed together (a platform outage)."""
    ceiling = min(BACKOFF_CAP, BACKOFF_BASE * (2 ** min(max(0, attempts - 1), 30)))
    half = ceiling.total_seconds() / 2
    return timedelta(seconds=(rng or random).uniform(half, ceiling.total_seconds()))


def drain(
    engine: Engine, *, stop: threading.Event | None = None, targets: list[str] | None = None
) -> DrainSummary:
    """Send every delivery that is due and allowed by its target's pacing."""
    summary = DrainSummary()
    active = [
        bound
        for name, bound in engine.targets.items()
        if bound.config.enabled and (targets is None or name in targets)
    ]
    while active and not (stop is not None and stop.is_set()):
        active = [bound for bound in active if _send_next(engine, bound, summary)]
    return summary


def _send_next(engine: Engine, bound: BoundTarget, summary: DrainSummary) -> bool:
    """Send (or settle) one due delivery of ``bound``; False when nothing more may go now."""
    now = engine.clock.now()
    with engine.store.begin() as connection:
        leases.lock_target(connection, bound.name)  # workers: pacing checked one at a time
        due = store.due(connection, now=now, target=bound.name, limit=1, lock=True)
        if not due:
            return False
        delivery = due[0]
        wait = pacing_block(connection, engine, bound, now)
        if wait is not None:
            summary.waiting[bound.name] = wait[1]
            store.note_waiting(connection, bound.name, now=now, why=wait[1])
            return False
        stale = _too_old_now(connection, bound, delivery, now)
        if stale is not None:
            store.transition(
                connection,
                delivery.id,
                to=DeliveryState.SKIPPED,
                now=now,
                expect=(DeliveryState.PENDING,),
                reason=stale,
            )
            summary.skipped += 1
            return True
        lease = engine.config.service.lease
        if not store.claim(connection, delivery.id, holder=engine.holder, now=now, lease=lease):
            return True  # another worker took it; look at the next one
    publish_claimed(engine, bound, delivery, summary)
    return True


def _too_old_now(
    connection: Connection, bound: BoundTarget, delivery: DeliveryRow, now: datetime
) -> str | None:
    """``max_age`` is checked again before the first attempt, so a queue held back by
    pacing never posts stale news. A delivery already tried (a retry, a manual post)
    was meant to go and is not dropped."""
    max_age = bound.config.max_age
    if max_age is None or delivery.attempts > 0 or delivery.seq > 0:
        return None
    article = article_store.load_article(connection, delivery.article_id)
    if article is None or article.published is None or now - article.published <= max_age:
        return None
    from syndicator.durations import format_duration

    return (
        f"too old: published {article.published:%Y-%m-%d %H:%M} UTC, more than "
        f"max_age = {format_duration(max_age)} before it could be sent"
    )


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
    summary.errors[bound.name] = summary.errors.get(bound.name, 0) + 1
    with engine.store.begin() as connection:
        if isinstance(exc, AuthFailed):
            pauses.pause(
                connection, bound.name, until=now + AUTH_PAUSE, reason=f"credentials refused: {exc}"
            )
        if not exc.retryable or attempts >= bound.config.max_attempts:
            reason = (
                ("a secret is missing (see the error)" if isinstance(exc, SecretMissing) else "")
                or ("credentials refused by the platform" if isinstance(exc, AuthFailed) else "")
                or ("rejected by the platform" if not exc.retryable else "")
                or f"gave up after {attempts} attempts"
            )
            store.transition(
                connection,
                delivery.id,
                to=DeliveryState.FAILED,
                now=now,
                expect=(DeliveryState.SENDING,),
                error=message,
                reason=f"{reason}; 'syndicator retry {delivery.id}' queues it again",
            )
            summary.failed += 1
            log.error("delivery %d to %s failed: %s", delivery.id, bound.name, message)
            return
        if isinstance(exc, RateLimited):
            due_at = max(exc.retry_at, now) if exc.retry_at else now + backoff_delay(attempts)
            said = "the platform's time" if exc.retry_at else "backoff, the platform named no time"
            reason = f"rate limited until {due_at:%Y-%m-%d %H:%M:%S} UTC ({said})"
            pauses.pause(connection, bound.name, until=due_at, reason=f"rate limited: {message}")
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
