"""Settling what a killed process left behind: deliveries in ``sending``.

The claim was committed before the network call, so a delivery in ``sending`` at
start-up may or may not have reached the platform. It is resent only when that cannot
make a second post: the adapter is idempotent (the same key makes the platform return
the first post), or the adapter looked on the platform and the post is not there.
Otherwise it becomes ``unknown`` for the operator (``syndicator resolve``), never
silently resent.

Only the service calls this, holding the store's run lock, so no live sender of the
same service can be in the middle of one of these deliveries.

A kill can also fall between recording a poll's articles and planning their
deliveries (two transactions). ``plan_interrupted`` finds recent articles with no
delivery at all and plans them, as new articles of a later poll (or of the first poll
when they were recorded by it). Planning writes an article's deliveries in one
transaction, so "no delivery at all" is exact; the window keeps a target added later
from picking up old articles of a source that had no target.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from sqlalchemy import exists, select

from syndicator.engine import Engine
from syndicator.models import DeliveryState, Receipt
from syndicator.store import articles as article_store
from syndicator.store import deliveries as store
from syndicator.store import polls, schema
from syndicator.store.codec import post_from_json
from syndicator.store.deliveries import DeliveryRow

log = logging.getLogger(__name__)

_EXPECT = (DeliveryState.SENDING,)
INTERRUPTED_WINDOW = timedelta(days=1)
FIRST_POLL_SLACK = timedelta(seconds=5)  # a poll's recording and its state save differ a little


def recover(engine: Engine) -> dict[str, int]:
    """Settle every delivery left in ``sending``; return how many went which way."""
    counts = {"resent": 0, "found": 0, "unknown": 0}
    with engine.store.begin() as connection:
        stuck = store.in_state(connection, [DeliveryState.SENDING])
    for delivery in stuck:
        counts[_settle(engine, delivery)] += 1
    if any(counts.values()):
        log.warning("recovered interrupted deliveries: %s", counts)
    return counts


def _settle(engine: Engine, delivery: DeliveryRow) -> str:
    now = engine.clock.now()
    bound = engine.targets.get(delivery.target)
    if bound is not None and bound.adapter.idempotent:
        with engine.store.begin() as connection:
            store.transition(
                connection,
                delivery.id,
                to=DeliveryState.RETRY,
                now=now,
                expect=_EXPECT,
                due_at=now,
                reason="interrupted while sending; resent with the same idempotency key",
            )
        return "resent"
    receipt, checked = _look_up(bound, delivery)
    with engine.store.begin() as connection:
        if receipt is not None:
            store.transition(
                connection,
                delivery.id,
                to=DeliveryState.SENT,
                now=now,
                expect=_EXPECT,
                sent_at=now,
                remote_id=receipt.remote_id,
                remote_url=receipt.remote_url,
                reason="",
                event="interrupted while sending; found on the platform",
            )
            return "found"
        if checked:
            store.transition(
                connection,
                delivery.id,
                to=DeliveryState.RETRY,
                now=now,
                expect=_EXPECT,
                due_at=now,
                reason="interrupted while sending; the platform has no such post, resending",
            )
            return "resent"
        store.transition(
            connection,
            delivery.id,
            to=DeliveryState.UNKNOWN,
            now=now,
            expect=_EXPECT,
            reason="interrupted while sending and the platform cannot be asked; settle "
            f"with 'syndicator resolve {delivery.id} --sent URL' or '--not-sent'",
        )
        return "unknown"


def _look_up(bound: object, delivery: DeliveryRow) -> tuple[Receipt | None, bool]:
    """``(receipt, checked)``: ``checked`` is true only when the adapter could tell."""
    if bound is None:
        return None, False
    try:
        receipt = bound.adapter.find_existing(  # type: ignore[attr-defined]
            post_from_json(delivery.post), key=delivery.idem_key
        )
    except NotImplementedError:
        return None, False
    except Exception as exc:  # the platform could not be asked: the operator decides
        log.warning("delivery %d: could not check %s: %s", delivery.id, delivery.target, exc)
        return None, False
    return receipt, True


def plan_interrupted(engine: Engine) -> int:
    """Plan recent articles a crash left without deliveries; return how many."""
    from syndicator.pipeline import plan_deliveries

    a, d = schema.articles, schema.deliveries
    since = engine.clock.now() - INTERRUPTED_WINDOW
    with engine.store.begin() as connection:
        orphans = connection.execute(
            select(a.c.id, a.c.source, a.c.first_seen)
            .where(a.c.first_seen >= since.replace(tzinfo=None))
            .where(~exists().where(d.c.article_id == a.c.id))
            .order_by(a.c.id)
        ).all()
        states = polls.load_all(connection)
    planned = 0
    for name in sorted({row.source for row in orphans}):
        try:
            source = engine.config.source(name)
        except KeyError:
            continue
        if not engine.config.targets_for(name):
            continue
        mine = [row for row in orphans if row.source == name]
        baselined = states[name].baselined_at if name in states else None
        first_poll = baselined is not None and all(
            abs(row.first_seen - baselined.replace(tzinfo=None)) <= FIRST_POLL_SLACK for row in mine
        )
        with engine.store.begin() as connection:
            items = [
                article_store.Recorded(id=row.id, article=article, is_new=True)
                for row in reversed(mine)  # newest first, as a poll hands them over
                if (article := article_store.load_article(connection, row.id)) is not None
            ]
        log.warning("planning %d article(s) of %r left unplanned by a crash", len(items), name)
        planned += plan_deliveries(engine, source, items, first_poll=first_poll)
    return planned
