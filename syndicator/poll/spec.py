"""How each source is read: its config turned into the plain ``SourceSpec`` the
parsing step takes, and the ``FetchRequest`` of its conditional GET."""

from __future__ import annotations

from syndicator.config import Config, SourceConfig, backfill_count
from syndicator.sources.extract import Selectors
from syndicator.sources.fetcher import FetchRequest
from syndicator.sources.poll import SourceSpec
from syndicator.store.polls import SourceState

__all__ = ["feed_request", "source_spec"]


def source_spec(config: Config, source: SourceConfig, *, first_poll: bool = False) -> SourceSpec:
    """How ``complete_poll`` should read ``source``. On a first poll only the items a
    backfill may post are cleaned in full; the baseline is recorded cheaply."""
    fetch = config.fetch
    return SourceSpec(
        name=source.name,
        url=source.url,
        kind=source.kind,
        items=source.items,
        link_pattern=source.link_pattern,
        selectors=_selectors(source),
        full_text=source.full_text,
        timezone=source.timezone or config.service.timezone,
        timeout=fetch.timeout.total_seconds(),
        deadline=fetch.deadline.total_seconds(),
        max_bytes=fetch.max_bytes,
        clean_first=backfill_count(source.first_run) if first_poll else None,
    )


def feed_request(config: Config, source: SourceConfig, state: SourceState | None) -> FetchRequest:
    """The source's conditional GET: the validators its last answer gave."""
    fetch = config.fetch
    return FetchRequest(
        url=source.url,
        source=source.name,
        etag=state.etag if state else None,
        last_modified=state.last_modified if state else None,
        timeout=fetch.timeout.total_seconds(),
        deadline=fetch.deadline.total_seconds(),
        max_bytes=fetch.max_bytes,
    )


def _selectors(source: SourceConfig) -> Selectors | None:
    """The source's extraction overrides; None when it sets none (extraction's
    defaults)."""
    chosen = source.selectors
    if not (chosen.title or chosen.date or chosen.body or chosen.image or chosen.remove):
        return None
    return Selectors(
        title=chosen.title,
        date=chosen.date,
        body=chosen.body,
        image=chosen.image,
        remove=tuple(chosen.remove),
    )
