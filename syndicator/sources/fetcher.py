"""The contract between the poll path and HTTP: a ``FetchRequest`` in, a
``FetchResult`` out, through any ``Fetcher``. (Interim: the aiohttp fetcher and the
in-memory fake land with the fetch layer.)"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from syndicator.sources.responses import FetchResult

__all__ = ["FetchRequest", "FetchResult", "Fetcher"]


@dataclass(frozen=True)
class FetchRequest:
    url: str
    source: str = ""  # named in every error
    etag: str | None = None  # conditional GET validators
    last_modified: str | None = None
    timeout: float = 10.0  # connect, and between reads
    deadline: float = 30.0  # the whole fetch, redirects included
    max_bytes: int = 10_000_000  # cap on decoded bytes
    own_host: str | None = None  # None: the host of url; "": none


class Fetcher(Protocol):
    async def fetch(self, request: FetchRequest) -> FetchResult: ...

    async def close(self) -> None: ...


class _SessionFetcher:
    """Interim: the synchronous session's ``fetch`` in a worker thread."""

    def __init__(self, session: object) -> None:
        self.session = session

    async def fetch(self, request: FetchRequest) -> FetchResult:
        import asyncio

        from syndicator.sources.fetch import fetch

        return await asyncio.to_thread(
            fetch,
            self.session,  # type: ignore[arg-type]
            request.url,
            etag=request.etag,
            last_modified=request.last_modified,
            timeout=request.timeout,
            deadline=request.deadline,
            max_bytes=request.max_bytes,
            source=request.source,
            own_host=request.own_host,
        )

    async def close(self) -> None:
        return None


def session_fetcher(session: object) -> Fetcher:
    return _SessionFetcher(session)
