"""One source's poll without the store or the loop: its GET, then ``complete_poll``
of the answer (what ``syndicator.poll.source`` does in the service)."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from syndicator.sources.fetch import fetch
from syndicator.sources.fetcher import BlockingFetch
from syndicator.sources.poll import PollResult, SourceSpec, complete_poll


def _nothing_known(keys: Sequence[str]) -> set[str]:
    return set()


def poll_once(
    spec: SourceSpec,
    session: BlockingFetch,
    *,
    etag: str | None = None,
    last_modified: str | None = None,
    is_known: Callable[[Sequence[str]], set[str]] = _nothing_known,
) -> PollResult:
    result = fetch(
        session,
        spec.url,
        etag=etag,
        last_modified=last_modified,
        timeout=spec.timeout,
        deadline=spec.deadline,
        max_bytes=spec.max_bytes,
        source=spec.name,
    )
    return complete_poll(spec, session, result, is_known)
