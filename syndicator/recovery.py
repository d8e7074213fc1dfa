"""Settling what a killed process left behind: deliveries in ``sending``.

The claim was committed before the network call, so a delivery in ``sending`` at
start-up may or may not have reached the platform. It is resent only when that cannot
make a second post: the adapter is idempotent (the same key makes the platform return
the first post), or the adapter looked on the platform and the post is not there.
Otherwise it becomes ``unknown`` for the operator (``syndicator resolve``), never
silently resent.

On SQLite only the service calls this, holding the store's run lock, so no live
sender can be in the middle of one of these deliveries. On a PostgreSQL store shared
by workers, a worker settles only the deliveries it took over because their lease ran
out (``store.leases.take_over_expired``): their worker is dead.

A kill can also fall between recording a poll's articles and planning their
deliveries (two transactions). Each new article is recorded with a ``plan`` mark that
planning clears in the transaction creating its deliveries; ``plan_interrupted``
plans exactly the marked ones, as its source's first poll or a later one.
"""

from __future__ import annotations

import logging
from collections.abc import Collection

from syndicator.engine import Engine
from syndicator.models import DeliveryState, Receipt
from syndicator.store import articles as article_store
from syndicator.store import deliveries as store
from syndicator.store.codec import post_from_json
from syndicator.store.deliveries import DeliveryRow

log = logging.getLogger(__name__)

_EXPECT = (DeliveryState.SENDING,)


def recover(engine: Engine, only: Collection[int] | None = None) -> dict[str, int]:
    """Settle every delivery left in ``sending`` (or, given ``only``, those of these
    ids still in it); return how many went which way."""
    counts = {"resent": 0, "found": 0, "unknown": 0}
    with engine.store.begin() as connection:
        stuck = store.in_state(connection, [DeliveryState.SENDING])
    if only is not None:
        stuck = [delivery for delivery in stuck if delivery.id in only]
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


def plan_interrupted(engine: Engine, only: Collection[str] | None = None) -> int:
    """Plan the articles a crash left between recording and planning; return how many.

    Each such article still carries the ``plan`` mark it was recorded with ("first"
    or "next" poll of its source); planning clears it in the same transaction that
    creates the deliveries, so the set found here is exact. ``only``: the sources whose
    articles to plan (on a shared store, those this worker holds a lease on)."""
    from syndicator.pipeline import plan_deliveries

    with engine.store.begin() as connection:
        marked = article_store.marked(connection)
    if only is not None:
        marked = [entry for entry in marked if entry[1] in only]
    planned = 0
    for name, mark in sorted({(source, plan) for _, source, plan in marked}):
        mine = [id_ for id_, source, plan in marked if source == name and plan == mark]
        try:
            source = engine.config.source(name)
        except KeyError:  # the source is gone from the config: nothing to plan for
            with engine.store.begin() as connection:
                article_store.mark_planned(connection, mine)
            continue
        with engine.store.begin() as connection:
            items = [
                article_store.Recorded(id=article_id, article=article, is_new=True)
                for article_id in mine  # recording order: the source's order, newest first
                if (article := article_store.load_article(connection, article_id)) is not None
            ]
        log.warning("planning %d article(s) of %r left unplanned by a crash", len(items), name)
        planned += plan_deliveries(engine, source, items, first_poll=mark == "first")
        with engine.store.begin() as connection:  # a source with no target any more
            article_store.mark_planned(connection, mine)
    return planned
