"""The fetch contract: what a poll asks for (``FetchRequest``), what it gets back
(``FetchResult``), and the one method a fetcher has (``Fetcher.fetch``).

The real fetcher is ``sources.http.AiohttpFetcher``; ``FakeFetcher`` answers from a
mapping in memory, in the style of httpx's ``MockTransport``, so code above the fetch
can be tested without a socket and with the same results and error messages.
``BlockingFetch`` lets synchronous code in worker threads use a fetcher whose event
loop runs in another thread. Nothing here imports aiohttp.
"""

from __future__ import annotations

import asyncio
import dataclasses
import threading
from collections.abc import Callable, Coroutine, Mapping
from dataclasses import dataclass, field
from typing import Protocol, TypeVar

from syndicator.errors import SourceError
from syndicator.sources.guard import scheme_refusal
from syndicator.sources.responses import (
    MAX_REDIRECTS,
    REDIRECTS,
    FetchResult,
    fetch_error,
    over_cap,
    reason_phrase,
    redirect_target,
    result_of,
    status_error,
)

__all__ = [
    "BlockingFetch",
    "FakeFetcher",
    "FakeResponse",
    "FetchRequest",
    "FetchResult",
    "Fetcher",
    "LoopThread",
]

T = TypeVar("T")


@dataclass(frozen=True)
class FetchRequest:
    """One GET. ``timeout`` bounds connecting and each wait between reads; ``deadline``
    the whole fetch, redirects included (a server dripping a byte at a time is cut off);
    ``max_bytes`` the body *after* decompression. ``own_host``: the host the fetch is made
    for (the source's configured host), whose addresses may be private; None means the
    host of ``url`` itself (a URL the caller chose), "" none."""

    url: str
    source: str = ""  # named in every error
    etag: str | None = None  # conditional GET validators
    last_modified: str | None = None
    timeout: float = 10.0
    deadline: float = 30.0
    max_bytes: int = 10_000_000
    own_host: str | None = None


class Fetcher(Protocol):
    """Fetches run concurrently on one event loop; ``fetch`` raises ``SourceError``
    naming the request's source for every failure (HTTP >= 400, timeouts, caps,
    refusals, broken answers), never a transport's own exception."""

    async def fetch(self, request: FetchRequest) -> FetchResult: ...

    async def close(self) -> None: ...


@dataclass(frozen=True)
class FakeResponse:
    """What ``FakeFetcher`` answers for a URL; ``body`` is the decoded body."""

    body: bytes = b""
    status: int = 200
    headers: Mapping[str, str] = field(default_factory=dict)

    def header(self, name: str) -> str | None:
        lowered = name.lower()
        return next((v for k, v in self.headers.items() if k.lower() == lowered), None)


Responder = FakeResponse | Callable[[FetchRequest], FakeResponse] | BaseException


class FakeFetcher:
    """A ``Fetcher`` answering from ``routes`` (URL -> a ``FakeResponse``, a callable
    taking the ``FetchRequest``, or an exception to raise) as a server and the real
    fetcher together would: a URL not in ``routes`` is a 404; a response whose ETag or
    Last-Modified matches the request's validators becomes a 304; redirects (Location on
    a 3xx) are followed, at most five; a body over ``max_bytes`` is refused. Every
    request it saw, redirect hops included, is in ``requests``."""

    def __init__(self, routes: Mapping[str, Responder]) -> None:
        self.routes = dict(routes)
        self.requests: list[FetchRequest] = []
        self.closed = False

    async def fetch(self, request: FetchRequest) -> FetchResult:
        hop = request
        for _ in range(MAX_REDIRECTS + 1):
            self.requests.append(hop)
            refusal = scheme_refusal(hop.url)
            if refusal:
                raise fetch_error(hop.source, hop.url, f"refused: {refusal}")
            response = self._answer(hop)
            location = response.header("location") if response.status in REDIRECTS else None
            if location:
                hop = dataclasses.replace(hop, url=redirect_target(hop.url, location, hop.source))
                continue
            return self._result(hop, response)
        raise fetch_error(request.source, hop.url, "too many redirects")

    async def close(self) -> None:
        self.closed = True

    def _answer(self, request: FetchRequest) -> FakeResponse:
        responder = self.routes.get(request.url)
        if responder is None:
            return FakeResponse(b"not found", status=404)
        if isinstance(responder, SourceError):
            raise responder
        if isinstance(responder, TimeoutError):
            raise fetch_error(request.source, request.url, f"timed out after {request.timeout:g}s")
        if isinstance(responder, BaseException):
            raise fetch_error(request.source, request.url, f"cannot fetch: {responder}")
        return responder(request) if callable(responder) else responder

    def _result(self, request: FetchRequest, response: FakeResponse) -> FetchResult:
        get, status = response.header, response.status
        if status >= 400:
            raise status_error(request.source, request.url, status, reason_phrase(status), get)
        etag, modified = get("etag"), get("last-modified")
        if (etag and etag == request.etag) or (modified and modified == request.last_modified):
            status = 304
        body = b"" if status == 304 else response.body
        if len(body) > request.max_bytes:
            raise over_cap(request.source, request.url, len(body), request.max_bytes)
        return result_of(request.url, status, body, get, request.etag, request.last_modified)


class LoopThread:
    """An event loop running on a daemon thread of its own, for synchronous code that
    has no loop around it (a one-shot command, a test); ``close`` stops it."""

    def __init__(self, name: str = "fetch-loop") -> None:
        self.loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self.loop.run_forever, name=name, daemon=True)
        self._thread.start()

    def close(self) -> None:
        if self.loop.is_closed():
            return
        self.loop.call_soon_threadsafe(self.loop.stop)
        self._thread.join()
        self.loop.close()


class BlockingFetch:
    """``fetcher`` for synchronous callers in worker threads: ``blocking(request)``
    runs the fetch on ``loop`` (running in ANOTHER thread) and waits for its result.
    Built without a loop it starts its own ``LoopThread`` on the first fetch (a process
    that never fetches, or forks workers before it does, has no extra thread), and
    ``close`` stops it after closing the fetcher. Calling it from the loop's own thread
    would wait forever, so that is an error."""

    def __init__(self, fetcher: Fetcher, loop: asyncio.AbstractEventLoop | None = None) -> None:
        self.fetcher = fetcher
        self._loop = loop
        self._own: LoopThread | None = None
        self._lock = threading.Lock()
        self._closed = False

    def __call__(self, request: FetchRequest) -> FetchResult:
        loop = self._running_loop()
        return self._run(self.fetcher.fetch(request), loop)

    def close(self) -> None:
        """Close the fetcher (its connections), then the loop this object started."""
        with self._lock:
            loop, self._closed = self._loop, True
        if loop is None or loop.is_closed():
            return
        try:
            self._run(self.fetcher.close(), loop)
        finally:
            if self._own is not None:
                self._own.close()

    def _running_loop(self) -> asyncio.AbstractEventLoop:
        with self._lock:
            if self._closed:
                raise RuntimeError("this fetch session is closed")
            if self._loop is None:
                self._own = LoopThread()
                self._loop = self._own.loop
            return self._loop

    def _run(self, coroutine: Coroutine[object, None, T], loop: asyncio.AbstractEventLoop) -> T:
        try:
            running = asyncio.get_running_loop()
        except RuntimeError:
            running = None
        if running is loop:
            coroutine.close()
            raise RuntimeError("BlockingFetch called on its own event loop: await the fetcher")
        future = asyncio.run_coroutine_threadsafe(coroutine, loop)
        try:
            return future.result()
        except BaseException:
            future.cancel()  # an interrupted caller takes its fetch with it
            raise
