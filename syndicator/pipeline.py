"""Planning: one delivery per (new article, target), each with its state and the
reason for it.

A source polled for the first time is baselined: its articles are recorded with a
``skipped: baseline`` delivery per target, except the newest N when the source asks
for ``backfill:N``. Every decision not to post is written down, so ``syndicator why``
can answer from the post log alone: baseline, flood guard, too old (``max_age``),
filtered by a rule, duplicate of another article, held for approval.

Duplicates. The same story under a new guid, or under a link that only differs by
tracking parameters or a fragment, is the *same article* (the store keeps every key an
article is known by), so it never gets a delivery at all. What this module calls a
duplicate is a *different* article (another URL) whose title, folded (NFKC, case,
punctuation and spaces dropped), equals the title of an article sent or queued to the
same target within ``DUPLICATE_WINDOW``: news sites publish one story in two sections
(``/news/c_1.htm`` and ``/english/c_7.htm``), and a reader should see it once. Titles
shorter than ``DUPLICATE_MIN_TITLE`` folded characters ("Notice") are never matched.

Updates. An article whose title or teaser changes after it was planned is recorded
with a new revision. A delivery not yet sent is re-rendered in place (the new title
goes out, once); one already sent is posted again only to targets with
``on_update = "post"``; otherwise the change is written in the delivery's history.
"""

from __future__ import annotations

import logging
import unicodedata
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection

from syndicator.config import SourceConfig, backfill_count
from syndicator.durations import format_duration
from syndicator.engine import Engine
from syndicator.errors import RenderError
from syndicator.filters import filter_reason
from syndicator.models import Article, DeliveryState
from syndicator.rendering import render_post
from syndicator.sources.guard import scheme_refusal
from syndicator.store import articles as article_store
from syndicator.store import deliveries as delivery_store
from syndicator.store.articles import Recorded

log = logging.getLogger(__name__)

FLOOD_GUARD = 20  # new articles from one poll that may be posted; the rest are recorded
DUPLICATE_WINDOW = timedelta(days=30)
DUPLICATE_MIN_TITLE = 8

_WAITING = (DeliveryState.PENDING, DeliveryState.RETRY, DeliveryState.HELD)


def plan_deliveries(
    engine: Engine, source: SourceConfig, fresh: Sequence[Recorded], *, first_poll: bool
) -> int:
    """Create each new article's deliveries. ``fresh`` is in the source's order (newest
    first); the newest ``backfill`` articles of a first poll are posted, the rest
    baselined. Deliveries are created oldest first, so a trickle keeps the site's order
    and, of two articles with one title, the older is posted."""
    targets = engine.config.targets_for(source.name)
    if not targets or not fresh:
        return 0
    now = engine.clock.now()
    allowance = backfill_count(source.first_run) if first_poll else FLOOD_GUARD
    created = 0
    for position in reversed(range(len(fresh))):
        item = fresh[position]
        if position >= allowance:
            reason = (
                "baseline: recorded on the source's first poll, not posted"
                if first_poll
                else f"flood guard: more than {FLOOD_GUARD} new articles in one poll"
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
                article_store.mark_planned(connection, [item.id])
            continue
        article = item.article
        if article.image_url:
            article = engine.with_lead_image(article)
        # One transaction per article: its deliveries and the end of its ``plan``
        # mark, so a crash leaves it planned whole or marked for
        # ``recovery.plan_interrupted``.
        decided = [_prepare(engine, item.id, article, target.name) for target in targets]
        with engine.store.begin() as connection:
            for values in decided:
                delivery_store.create(connection, **values)
                created += 1
            article_store.mark_planned(connection, [item.id])
    return created


def fold_title(title: str) -> str:
    """A title reduced to what identifies it: ``"Solar Car, Again!"`` -> ``"solarcaragain"``."""
    return "".join(ch for ch in unicodedata.normalize("NFKC", title).casefold() if ch.isalnum())


def duplicate_of(
    connection: Connection, target: str, article: Article, article_id: int, *, now: datetime
) -> tuple[int, str] | None:
    """``(article id, url)`` of an earlier article this one duplicates on ``target``."""
    folded = fold_title(article.title)
    if len(folded) < DUPLICATE_MIN_TITLE:
        return None
    for other_id, title, url in delivery_store.recent_titles(
        connection, target, since=now - DUPLICATE_WINDOW
    ):
        if other_id != article_id and fold_title(title) == folded:
            return other_id, url
    return None


def _decide(
    engine: Engine, article_id: int, article: Article, target_name: str, *, seq: int
) -> tuple[DeliveryState, str]:
    """Whether a new delivery may go, and if not, the reason to record."""
    config = engine.targets[target_name].config
    now = engine.clock.now()
    if article.url and (refused := scheme_refusal(article.url)):
        # the parse step never records such a link; this holds for any other way in
        return DeliveryState.SKIPPED, f"not posted: the link is {refused}"
    if (
        config.max_age is not None
        and article.published is not None
        and now - article.published > config.max_age
    ):
        return DeliveryState.SKIPPED, (
            f"too old: published {article.published:%Y-%m-%d %H:%M} UTC, "
            f"more than max_age = {format_duration(config.max_age)} ago"
        )
    why = filter_reason(article, config.filters)
    if why is not None:
        return DeliveryState.SKIPPED, why
    if seq == 0:
        with engine.store.begin() as connection:
            duplicate = duplicate_of(connection, target_name, article, article_id, now=now)
        if duplicate is not None:
            return DeliveryState.SKIPPED, (
                f"duplicate of article #{duplicate[0]} ({duplicate[1]}): same title, "
                "already sent or queued to this target"
            )
    return DeliveryState.PENDING, ""


def create_delivery(
    engine: Engine, article_id: int, article: Article, target_name: str, *, seq: int = 0
) -> int:
    """Decide, render and record one delivery (pending, held or skipped with a reason)."""
    values = _prepare(engine, article_id, article, target_name, seq=seq)
    with engine.store.begin() as connection:
        return delivery_store.create(connection, **values)


def _prepare(
    engine: Engine, article_id: int, article: Article, target_name: str, *, seq: int = 0
) -> dict[str, Any]:
    """The values of one new delivery: its state, reason and rendered post."""
    bound = engine.targets[target_name]
    now = engine.clock.now()
    state, reason = _decide(engine, article_id, article, target_name, seq=seq)
    post, error = None, None
    if state is DeliveryState.PENDING:
        try:
            post = render_post(bound, article, media_dir=engine.media_dir)
        except RenderError as exc:
            state, error, reason = DeliveryState.FAILED, str(exc), "render failed"
    if state is DeliveryState.PENDING and seq > 0:
        reason = "update: the article changed after it was sent (on_update = post)"
    if state is DeliveryState.PENDING and bound.config.approve:
        state, reason = (
            DeliveryState.HELD,
            (
                "held for approval (approve = true): 'syndicator approve ID' or 'syndicator reject ID'"
            ),
        )
    return {
        "article_id": article_id,
        "target": target_name,
        "state": state,
        "reason": reason,
        "now": now,
        "due_at": now if state is DeliveryState.PENDING else None,
        "post": post,
        "seq": seq,
        "error": error,
    }


def plan_manual(
    engine: Engine, article_id: int, article: Article, target_name: str, *, seq: int
) -> int:
    """A person asked for this post (``syndicator post``): render it and queue it now,
    past filters, age, duplicates and approval; a render failure is recorded as failed."""
    now = engine.clock.now()
    values: dict[str, Any] = {
        "article_id": article_id,
        "target": target_name,
        "now": now,
        "seq": seq,
    }
    try:
        post = render_post(engine.targets[target_name], article, media_dir=engine.media_dir)
    except RenderError as exc:
        values.update(state=DeliveryState.FAILED, reason="render failed", error=str(exc))
    else:
        values.update(state=DeliveryState.PENDING, due_at=now, post=post, reason="posted by hand")
    with engine.store.begin() as connection:
        return delivery_store.create(connection, **values)


def plan_updates(engine: Engine, source: SourceConfig, changed: Sequence[Recorded]) -> int:
    """Handle articles that came back edited; return how many deliveries were created."""
    created = 0
    for item in changed:
        for target in engine.config.targets_for(source.name):
            created += _update_one(engine, item, target.name)
    return created


def _update_one(engine: Engine, item: Recorded, target_name: str) -> int:
    now = engine.clock.now()
    bound = engine.targets[target_name]
    with engine.store.begin() as connection:
        mine = [
            r for r in delivery_store.for_article(connection, item.id) if r.target == target_name
        ]
    if not mine:
        return 0  # never planned for this target (added later): an edit does not post it
    latest = max(mine, key=lambda r: r.seq)
    change = f"article changed: now titled {item.article.title!r}"
    if latest.state in _WAITING:
        try:
            post = render_post(bound, item.article, media_dir=engine.media_dir)
        except RenderError as exc:
            log.warning("delivery %d keeps its old text: %s", latest.id, exc)
            return 0
        with engine.store.begin() as connection:
            delivery_store.replace_post(
                connection, latest.id, post, now=now, event=f"{change}; re-rendered before sending"
            )
        return 0
    if latest.state is DeliveryState.SENT and bound.config.on_update == "post":
        create_delivery(engine, item.id, item.article, target_name, seq=latest.seq + 1)
        return 1
    policy = (
        "not posted again (on_update = ignore)"
        if latest.state is DeliveryState.SENT
        else f"nothing to do for a delivery in state {latest.state.value}"
    )
    with engine.store.begin() as connection:
        delivery_store.add_event(connection, latest.id, "updated", f"{change}; {policy}", now=now)
    return 0
