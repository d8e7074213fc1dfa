"""One article by hand: what ``syndicator post URL`` and ``preview URL`` do, for the CLI
today and a dashboard or a worker tomorrow (they print; this decides).

``post_now`` sends an article to chosen targets at once, through the same claim and
publish as ``delivery.drain``: the claim is committed before the network call, so a
crash mid-send is settled by ``recovery`` like any other. A target that already has
the article sent refuses a second delivery unless ``again``; one that has it waiting
(pending, retrying or held) sends that delivery rather than a new one.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

from syndicator.config import Config, SourceConfig
from syndicator.delivery import DrainSummary, publish_claimed
from syndicator.engine import Engine
from syndicator.errors import RenderError
from syndicator.models import Article, DeliveryState
from syndicator.pipeline import plan_manual
from syndicator.rendering import render_post
from syndicator.store import articles as article_store
from syndicator.store import deliveries as delivery_store
from syndicator.store.deliveries import DeliveryRow

# How long a claim made by a command (``syndicator post``, the dashboard) holds: no
# heartbeat renews it, so it must outlast the slowest publish (a container's wait).
MANUAL_LEASE = timedelta(minutes=10)

_WAITING = (DeliveryState.PENDING, DeliveryState.RETRY, DeliveryState.HELD)


@dataclass(frozen=True)
class PostOutcome:
    """What became of one target's post: ``ok`` false when it was not sent (refused,
    failed); ``detail`` says what, for a person (``sent https://...``)."""

    target: str
    ok: bool
    detail: str
    delivery_id: int | None = None


def fetch_article(engine: Engine, url: str) -> Article:
    """Fetch and extract one article page, with the selectors and timezone of the
    configured source on the same host, and its lead image downloaded."""
    from syndicator.poll.spec import source_spec
    from syndicator.sources.poll import extract_one

    source = source_for(engine.config, url)
    selectors, timezone = None, engine.config.service.timezone
    if source is not None:
        spec = source_spec(engine.config, source)
        selectors, timezone = spec.selectors, spec.timezone
    article = extract_one(url, engine.session, selectors=selectors, timezone=timezone)
    if source is not None and not article.source:
        article = article.with_changes(source=source.name)
    return article


def source_for(config: Config, url: str) -> SourceConfig | None:
    """The configured source an article URL belongs to (same host), for its selectors."""
    host = urlsplit(url).netloc.lower()
    return next((s for s in config.sources if urlsplit(s.url).netloc.lower() == host), None)


def preview(
    engine: Engine, article: Article, targets: Sequence[str], media_dir: Path | None
) -> list[dict[str, object]]:
    """What each target would get, without sending (the JSON of ``preview --json``);
    media are written to ``media_dir`` when given."""
    results: list[dict[str, object]] = []
    for name in targets:
        bound = engine.targets[name]
        try:
            post = render_post(bound, article, media_dir=media_dir)
        except RenderError as exc:
            results.append({"target": name, "adapter": bound.config.adapter, "error": str(exc)})
            continue
        results.append(
            {
                "target": name,
                "adapter": bound.config.adapter,
                "rule": post.rule,
                "text": post.text,
                "length": post.length,
                "limit": post.limit,
                "media": [str(m.path) for m in post.media if m.path],
            }
        )
    return results


def post_now(
    engine: Engine, article: Article, targets: Sequence[str], *, again: bool = False
) -> list[PostOutcome]:
    """Record ``article`` and send it to each of ``targets`` now, one after another."""
    with engine.store.begin() as connection:
        [recorded] = article_store.record_articles(connection, [article], now=engine.clock.now())
    return [_post_to(engine, recorded.id, article, name, again=again) for name in targets]


def _post_to(
    engine: Engine, article_id: int, article: Article, name: str, *, again: bool
) -> PostOutcome:
    found = _delivery_for(engine, article_id, article, name, again=again)
    if isinstance(found, PostOutcome):
        return found
    claimed = _claim(engine, found)
    if isinstance(claimed, PostOutcome):
        return claimed
    publish_claimed(engine, engine.targets[name], claimed, DrainSummary())
    with engine.store.read() as connection:
        done = delivery_store.get(connection, found)
    assert done is not None
    if done.state is DeliveryState.SENT:
        return PostOutcome(name, True, f"sent {done.remote_url or done.remote_id}", done.id)
    return PostOutcome(name, False, f"{done.state.value}: {done.error or done.reason}", done.id)


def _delivery_for(
    engine: Engine, article_id: int, article: Article, name: str, *, again: bool
) -> int | PostOutcome:
    """The delivery a manual post of ``article`` to ``name`` uses: the one waiting
    (pending, retrying, held), else a new one; refused when it was sent, unless ``again``."""
    with engine.store.read() as connection:
        earlier = [
            d for d in delivery_store.for_article(connection, article_id) if d.target == name
        ]
        seq = delivery_store.next_seq(connection, article_id, name)
    if any(d.state is DeliveryState.SENT for d in earlier) and not again:
        return PostOutcome(
            name,
            False,
            f"already delivered ({earlier[-1].remote_url}); use --again to send it once more",
        )
    waiting = [d for d in earlier if d.state in _WAITING]
    if waiting and not again:
        return waiting[0].id
    return plan_manual(engine, article_id, article, name, seq=seq if earlier else 0)


def queue(
    engine: Engine, article: Article, targets: Sequence[str], *, hold: bool, by: str
) -> list[PostOutcome]:
    """Record ``article`` and give each target a delivery due now (the running service
    sends it, paced as usual) or held for approval (the dashboard's Post page)."""
    with engine.store.begin() as connection:
        [recorded] = article_store.record_articles(connection, [article], now=engine.clock.now())
    return [_queue_one(engine, recorded.id, article, name, hold=hold, by=by) for name in targets]


def _queue_one(
    engine: Engine, article_id: int, article: Article, name: str, *, hold: bool, by: str
) -> PostOutcome:
    found = _delivery_for(engine, article_id, article, name, again=False)
    if isinstance(found, PostOutcome):
        return found
    now = engine.clock.now()
    with engine.store.begin() as connection:
        row = delivery_store.get(connection, found)
        assert row is not None
        if row.state in (DeliveryState.FAILED, DeliveryState.SKIPPED):
            return PostOutcome(
                name, False, f"{name}: not queued: {row.error or row.reason}", row.id
            )
        if hold and row.state is DeliveryState.PENDING:
            delivery_store.transition(
                connection,
                row.id,
                to=DeliveryState.HELD,
                now=now,
                expect=(DeliveryState.PENDING,),
                event=f"held for approval by {by}",
                reason=f"held for approval by {by}",
            )
        elif not hold and row.state is DeliveryState.HELD:
            delivery_store.transition(
                connection,
                row.id,
                to=DeliveryState.PENDING,
                now=now,
                due_at=now,
                expect=(DeliveryState.HELD,),
                event=f"approve by {by}: posted by hand",
                reason=f"posted by hand by {by}",
            )
    verb = "held for approval" if hold else "queued to send now"
    return PostOutcome(name, True, f"{name}: #{found} {verb}", found)


def _claim(engine: Engine, delivery_id: int) -> DeliveryRow | PostOutcome:
    """Release a held delivery (a person asked for it) and claim it, in one committed
    transaction; the delivery to publish, or why it cannot be sent."""
    now = engine.clock.now()
    with engine.store.begin() as connection:
        row = delivery_store.get(connection, delivery_id)
        assert row is not None
        if row.state in (DeliveryState.FAILED, DeliveryState.SKIPPED):
            return PostOutcome(row.target, False, f"not sent: {row.error or row.reason}", row.id)
        if row.state is DeliveryState.HELD:
            delivery_store.transition(
                connection,
                row.id,
                to=DeliveryState.PENDING,
                now=now,
                due_at=now,
                event="approved by manual post",
            )
        if not delivery_store.claim(
            connection, row.id, holder=engine.holder, now=now, lease=MANUAL_LEASE
        ):
            return PostOutcome(
                row.target, True, f"delivery {row.id} is being sent by another process", row.id
            )
    return row  # as read before the claim, like ``drain`` passes it (attempts not yet counted)
