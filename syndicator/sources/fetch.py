"""The synchronous face of the fetcher, for code that runs in worker threads (the
poll round's threads, ``syndicator post`` and ``preview``, lead images).

A session is a ``BlockingFetch`` over one ``AiohttpFetcher`` whose event loop runs on a
thread of its own: every fetch made through it shares its connections and its caps.
The bounds and errors are the fetcher's (``sources.http``): a timeout per connect and
per read, one deadline for the whole fetch, a cap on the decoded body, conditional GET,
``max-age`` and ``Retry-After`` returned for the scheduler, the fetch guard at every hop.
"""

from __future__ import annotations

from collections.abc import Sequence

from syndicator.sources.fetcher import BlockingFetch, FetchRequest, FetchResult
from syndicator.sources.http import DEFAULT_USER_AGENT, AiohttpFetcher
from syndicator.sources.responses import parse_max_age, parse_retry_after

__all__ = [
    "DEFAULT_USER_AGENT",
    "FetchResult",
    "fetch",
    "fetch_image",
    "make_session",
    "parse_max_age",
    "parse_retry_after",
]


def make_session(
    user_agent: str | None = None,
    *,
    pool_size: int = 64,
    per_host: int | None = None,
    allow_private: Sequence[str] = (),
) -> BlockingFetch:
    """A session for synchronous callers: a clear User-Agent, gzip/deflate only (the
    encodings whose inflation we bound ourselves), at most 5 redirects, no automatic
    retries (the scheduler owns back-off). At most ``pool_size`` fetches at once, and
    ``per_host`` (default: as many) to one host; ``allow_private``: the
    ``[fetch] allow_private`` networks of the guard. ``close()`` it when done."""
    fetcher = AiohttpFetcher(
        user_agent,
        concurrency=pool_size,
        per_host=per_host or pool_size,
        allow_private=allow_private,
    )
    return BlockingFetch(fetcher)


def fetch(
    session: BlockingFetch,
    url: str,
    *,
    etag: str | None = None,
    last_modified: str | None = None,
    timeout: float = 10.0,
    deadline: float = 30.0,
    max_bytes: int = 10_000_000,
    source: str = "",
    own_host: str | None = None,
) -> FetchResult:
    """GET ``url`` within the bounds above. Raises ``SourceError`` naming ``source`` on
    HTTP >= 400 (with ``retry_after`` from a 429/503), a timeout, the deadline, the size
    cap, a response that is not HTTP, or a URL or address the guard refuses (checked
    for ``url`` and every redirect, and at connect time). ``own_host``: the host the
    fetch is made for, whose addresses are allowed even when private (the source's
    configured host); None: the host of ``url`` itself (a URL the caller chose); "":
    none."""
    request = FetchRequest(
        url,
        source=source,
        etag=etag,
        last_modified=last_modified,
        timeout=timeout,
        deadline=deadline,
        max_bytes=max_bytes,
        own_host=own_host,
    )
    return session(request)


def fetch_image(
    session: BlockingFetch,
    url: str,
    *,
    max_bytes: int = 5_000_000,
    max_pixels: int = 40_000_000,
    timeout: float = 10.0,
    deadline: float = 20.0,
    source: str = "",
    own_host: str,
) -> tuple[bytes, str]:
    """Download a lead image within the size cap and return ``(data, mime)``; the
    declared dimensions are checked before any pixel is decoded. ``own_host``: the
    host of the article's source (see ``fetch``); an image elsewhere must be on a
    public address."""
    from syndicator.sources.images import image_mime

    result = fetch(
        session,
        url,
        timeout=timeout,
        deadline=deadline,
        max_bytes=max_bytes,
        source=source,
        own_host=own_host,
    )
    return result.body, image_mime(result.body, max_pixels=max_pixels, source=source, url=url)
