"""An article pushed out by hand (the dashboard's Post page): read it, preview it for
every target, and queue it, either due now (the running service sends it, paced as
usual) or held for approval.

A person asked for this post, so filters and ``max_age`` do not apply; a target that
already has it sent is refused unless ``again``, and one still waiting (pending,
retrying or held) is reused rather than doubled.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from syndicator.config import Config, SourceConfig
from syndicator.engine import Engine
from syndicator.errors import RenderError
from syndicator.models import Article, DeliveryState
from syndicator.rendering import render_post
from syndicator.store import articles as article_store
from syndicator.store import deliveries as store

__all__ = ["Preview", "Queued", "fetch_article", "preview", "queue"]

_WAITING = (DeliveryState.PENDING, DeliveryState.RETRY, DeliveryState.HELD)


def fetch_article(engine: Engine, url: str) -> Article:
    """Fetch and extract one article page, with the selectors and timezone of the
    configured source on the same host, if any."""
    from syndicator.sources.poll import extract_one

    source = _source_for(engine.config, url)
    selectors = None
    timezone = engine.config.service.timezone
    if source is not None:
        from syndicator.polling import source_spec

        spec = source_spec(engine, source)
        selectors, timezone = spec.selectors, spec.timezone
    article = extract_one(url, engine.session, selectors=selectors, timezone=timezone)
    if source is not None and not article.source:
        article = article.with_changes(source=source.name)
    return article


def _source_for(config: Config, url: str) -> SourceConfig | None:
    """The configured source an article URL belongs to (same host), for its selectors."""
    from urllib.parse import urlsplit

    host = urlsplit(url).netloc.lower()
    for source in config.sources:
        if urlsplit(source.url).netloc.lower() == host:
            return source
    return None


@dataclass(frozen=True)
class Preview:
    """What one target would get: the text as the platform counts it, and its media."""

    target: str
    adapter: str
    text: str = ""
    rule: str = ""
    length: int = 0
    limit: int = 0
    media: list[Path] = field(default_factory=list)
    error: str | None = None


@dataclass(frozen=True)
class Queued:
    target: str
    delivery_id: int | None
    ok: bool
    message: str


def preview(engine: Engine, article: Article, targets: list[str], media_dir: Path) -> list[Preview]:
    """Render ``article`` for each target without sending; media written to ``media_dir``."""
    found: list[Preview] = []
    for name in targets:
        bound = engine.targets[name]
        try:
            post = render_post(bound, article, media_dir=media_dir)
        except RenderError as exc:
            found.append(Preview(name, bound.config.adapter, error=str(exc)))
            continue
        found.append(
            Preview(
                target=name,
                adapter=bound.config.adapter,
                text=post.text,
                rule=post.rule,
                length=post.length,
                limit=post.limit,
                media=[m.path for m in post.media if m.path],
            )
        )
    return found


def queue(
    engine: Engine,
    article: Article,
    targets: list[str],
    *,
    hold: bool,
    by: str,
    again: bool = False,
) -> list[Queued]:
    """Record ``article`` and give each target a delivery due now, or held."""
    now = engine.clock.now()
    with engine.store.begin() as connection:
        [recorded] = article_store.record_articles(connection, [article], now=now)
    return [_queue_one(engine, recorded.id, article, name, hold, by, again) for name in targets]


def _queue_one(
    engine: Engine, article_id: int, article: Article, name: str, hold: bool, by: str, again: bool
) -> Queued:
    now = engine.clock.now()
    with engine.store.begin() as connection:
        earlier = [d for d in store.for_article(connection, article_id) if d.target == name]
        sent = [d for d in earlier if d.state is DeliveryState.SENT]
        if sent and not again:
            where = sent[-1].remote_url or sent[-1].remote_id
            return Queued(name, sent[-1].id, False, f"{name}: already delivered ({where})")
        waiting = [d for d in earlier if d.state in _WAITING]
        if waiting and not again:
            row = waiting[0]
            if row.state is DeliveryState.HELD and not hold:
                store.transition(
                    connection,
                    row.id,
                    to=DeliveryState.PENDING,
                    now=now,
                    due_at=now,
                    expect=(DeliveryState.HELD,),
                    event=f"approve by {by}: posted by hand",
                    reason=f"posted by hand by {by}",
                )
            return Queued(name, row.id, True, f"{name}: #{row.id} is queued")
        seq = store.next_seq(connection, article_id, name) if earlier else 0
    try:
        post = render_post(engine.targets[name], article, media_dir=engine.media_dir)
    except RenderError as exc:
        return Queued(name, None, False, f"{name}: cannot render: {exc}")
    state = DeliveryState.HELD if hold else DeliveryState.PENDING
    with engine.store.begin() as connection:
        delivery_id = store.create(
            connection,
            article_id=article_id,
            target=name,
            state=state,
            now=now,
            due_at=now,
            post=post,
            seq=seq,
            reason=f"{'held for approval' if hold else 'posted by hand'} by {by}",
        )
    verb = "held for approval" if hold else "queued to send now"
    return Queued(name, delivery_id, True, f"{name}: #{delivery_id} {verb}")
