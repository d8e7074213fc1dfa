"""Planning: one delivery per (new article, target), each with its state and the
reason for it.

A source polled for the first time is baselined: its articles are recorded with a
``skipped: baseline`` delivery per target, except the newest N when the source asks
for ``backfill:N``. Every decision not to post is written down, so ``syndicator why``
can answer from the post log alone.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

from syndicator.config import SourceConfig, backfill_count
from syndicator.engine import Engine
from syndicator.errors import RenderError
from syndicator.filters import filter_reason
from syndicator.models import Article, DeliveryState
from syndicator.rendering import attach_lead_image, render_post
from syndicator.store import deliveries as delivery_store
from syndicator.store.articles import Recorded

log = logging.getLogger(__name__)

FLOOD_GUARD = 20  # new articles from one poll that may be posted; the rest are recorded


def plan_deliveries(
    engine: Engine, source: SourceConfig, fresh: Sequence[Recorded], *, first_poll: bool
) -> int:
    """Create each new article's deliveries. ``fresh`` is in the source's order (newest
    first); the newest ``backfill`` articles of a first poll are posted, the rest baselined."""
    targets = engine.config.targets_for(source.name)
    if not targets or not fresh:
        return 0
    now = engine.clock.now()
    allowance = backfill_count(source.first_run) if first_poll else FLOOD_GUARD
    created = 0
    for position, item in enumerate(fresh):
        if position >= allowance:
            reason = (
                "baseline: recorded on the source's first poll"
                if first_poll
                else (f"flood guard: more than {FLOOD_GUARD} new articles in one poll")
            )
            with engine.store.begin() as connection:
                for target in targets:
                    delivery_store.create(
                        connection,
                        article_id=item.id,
                        target=target.name,
                        state=DeliveryState.SKIPPED,
                        reason=reason,
                        now=now,
                    )
                    created += 1
            continue
        article = item.article
        if article.image_url:
            article = attach_lead_image(
                article,
                session=engine.session,
                media_dir=engine.media_dir,
                max_bytes=engine.config.fetch.max_image_bytes,
                timeout=engine.config.fetch.timeout.total_seconds(),
            )
        for target in targets:
            create_delivery(engine, item.id, article, target.name)
            created += 1
    return created


def create_delivery(
    engine: Engine, article_id: int, article: Article, target_name: str, *, seq: int = 0
) -> int:
    """Decide, render and record one delivery (pending, held or skipped with a reason)."""
    bound = engine.targets[target_name]
    config = bound.config
    now = engine.clock.now()
    state, reason = DeliveryState.PENDING, ""
    if (
        config.max_age is not None
        and article.published is not None
        and now - article.published > config.max_age
    ):
        state, reason = (
            DeliveryState.SKIPPED,
            (
                f"too old: published {article.published:%Y-%m-%d %H:%M} UTC, max_age {config.max_age}"
            ),
        )
    elif (why := filter_reason(article, config.filters)) is not None:
        state, reason = DeliveryState.SKIPPED, why
    post, error = None, None
    if state is DeliveryState.PENDING:
        try:
            post = render_post(bound, article, media_dir=engine.media_dir)
        except RenderError as exc:
            state, error, reason = DeliveryState.FAILED, str(exc), "render failed"
    if state is DeliveryState.PENDING and config.approve:
        state, reason = DeliveryState.HELD, "held for approval (approve = true)"
    with engine.store.begin() as connection:
        return delivery_store.create(
            connection,
            article_id=article_id,
            target=target_name,
            state=state,
            reason=reason,
            now=now,
            due_at=now if state is DeliveryState.PENDING else None,
            post=post,
            seq=seq,
            error=error,
        )


def plan_updates(engine: Engine, source: SourceConfig, changed: Sequence[Recorded]) -> int:
    """An edited article is posted again only to targets with ``on_update = "post"``."""
    created = 0
    for item in changed:
        for target in engine.config.targets_for(source.name):
            if target.on_update != "post":
                continue
            with engine.store.begin() as connection:
                seq = delivery_store.next_seq(connection, item.id, target.name)
            create_delivery(engine, item.id, item.article, target.name, seq=seq)
            created += 1
    return created
