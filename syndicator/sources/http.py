"""The real fetcher: every source fetch goes through aiohttp (its C parser, keep-alive
connections, TLS verified).

What stays ours, because a poller of untrusted sites needs it and aiohttp does not do
it the same way:
- the cap on *decoded* bytes, enforced while the body streams in (aiohttp's own
  decompression is off; ``responses.BoundedBody`` inflates in bounded steps, so a gzip
  bomb stops at the cap), and a declared Content-Length over the cap refused unread;
- one deadline for the whole fetch, redirects included (``asyncio.timeout``), beside
  ``timeout`` for connecting and for each wait between reads: a server that drips a
  byte every second never trips the second and is cut off by the first;
- the fetch guard (``guard``, fitted in by ``guard_aiohttp``): redirects are followed
  here, at most five, so every hop's URL is checked and its host's addresses too;
- proxies from the environment, read once (``proxies``: aiohttp's ``trust_env`` reads
  them again in a thread for every request);
- at most ``concurrency`` fetches at once and ``per_host`` to one host, waited for
  *before* the deadline starts, so a long queue for one busy site is not mistaken for
  a slow answer.

Two client sessions share that work, for the two trust levels a connection can be made
under: one for the host a fetch is made for (``own_host``: the source's configured
host, whose addresses may be private) and one for everywhere else (public addresses and
``allow_private`` only). A kept connection thus only serves fetches that may reach its
peer: a connection to an intranet news site opened for its own source is never reused
for a link to it from another feed.
"""

from __future__ import annotations

import asyncio
import logging
import os
import ssl
from collections.abc import Sequence
from contextlib import suppress

import aiohttp
from aiohttp.abc import AbstractResolver

from syndicator.errors import SourceError
from syndicator.sources.fetcher import FetchRequest
from syndicator.sources.guard import FetchGuard, host_of, parse_allow_list
from syndicator.sources.guard_aiohttp import GuardedResolver, guard_trace_config, refusal_in
from syndicator.sources.host_gate import HostGate, gate_key
from syndicator.sources.proxies import EnvironmentProxies
from syndicator.sources.responses import (
    CHUNK,
    MAX_REDIRECTS,
    REDIRECTS,
    BoundedBody,
    FetchResult,
    fetch_error,
    over_cap,
    redirect_target,
    result_of,
    status_error,
)

__all__ = ["DEFAULT_USER_AGENT", "AiohttpFetcher", "tls_context"]

log = logging.getLogger(__name__)

DEFAULT_USER_AGENT = "syndicator/0.1 (+https://github.com/syndicator/syndicator)"
_ACCEPT = (
    "application/rss+xml, application/atom+xml, application/feed+json, "
    "application/xml;q=0.9, text/xml;q=0.9, text/html;q=0.9, */*;q=0.5"
)
_SMALL = 64 * 1024  # a redirect's or an error's body up to this size is read: the connection stays


class AiohttpFetcher:
    """The ``Fetcher`` of the service and the commands. Make it anywhere; its sessions
    are made on the first fetch, in the loop that runs it (and only that loop may use
    it after). ``allow_private``: the ``[fetch] allow_private`` networks."""

    def __init__(
        self,
        user_agent: str | None = None,
        *,
        concurrency: int = 16,
        per_host: int = 2,
        allow_private: Sequence[str] = (),
    ) -> None:
        agent = user_agent or DEFAULT_USER_AGENT
        if not agent.isprintable() or not agent.isascii():
            raise ValueError(f"[fetch] user_agent {agent!r}: one line of printable ASCII expected")
        self.headers = {"User-Agent": agent, "Accept": _ACCEPT, "Accept-Encoding": "gzip, deflate"}
        self.guard = FetchGuard(parse_allow_list(allow_private))
        self.gate = HostGate(concurrency, per_host)
        self._concurrency, self._per_host = concurrency, per_host
        self._own: aiohttp.ClientSession | None = None
        self._public: aiohttp.ClientSession | None = None
        self._proxies: EnvironmentProxies | None = None

    async def fetch(self, request: FetchRequest) -> FetchResult:
        own = host_of(request.url) if request.own_host is None else request.own_host
        async with self.gate.slot(gate_key(request.url)):
            try:
                async with asyncio.timeout(request.deadline) as deadline:
                    return await self._follow(request, own)
            except TimeoutError as exc:
                message = (
                    f"deadline of {request.deadline:g}s exceeded"
                    if deadline.expired()
                    else f"timed out after {request.timeout:g}s"
                )
                raise fetch_error(request.source, request.url, message) from exc

    async def close(self) -> None:
        for session in (self._own, self._public):
            if session is not None:
                await session.close()
        self._own = self._public = None

    async def _follow(self, request: FetchRequest, own: str) -> FetchResult:
        """The GET and its redirects, each hop's URL checked by the guard first."""
        url = request.url
        for _ in range(MAX_REDIRECTS + 1):
            reason = self.guard.url_refusal(url, own)
            if reason:
                raise fetch_error(request.source, url, f"refused: {reason}")
            try:
                result = await self._get(url, request, own)
            except SourceError:
                raise
            except (aiohttp.ClientError, OSError, ValueError) as exc:
                raise _failure(exc, request, url) from exc
            if isinstance(result, FetchResult):
                return result
            url = redirect_target(url, result, request.source)
        raise fetch_error(request.source, url, "too many redirects")

    async def _get(self, url: str, request: FetchRequest, own: str) -> FetchResult | str:
        """One exchange: the result, or the Location of a redirect to follow."""
        session = self._session(host_of(url) == own)
        timeout = aiohttp.ClientTimeout(sock_connect=request.timeout, sock_read=request.timeout)
        proxy = self._proxies.for_url(url) if self._proxies else None
        async with session.get(
            url,
            headers=_validators(request),
            allow_redirects=False,
            timeout=timeout,
            proxy=proxy.url if proxy else None,
            proxy_auth=proxy.auth if proxy else None,
        ) as response:
            status, get = response.status, response.headers.get
            location = get("location") if status in REDIRECTS else None
            if location or status >= 400:
                await _drain_small(response)
                if location:
                    return location
                raise status_error(request.source, url, status, response.reason or "", get)
            body = await _read_body(response, request, url)
        log.debug("fetched %s: %s, %d bytes", url, status, len(body))
        return result_of(url, status, body, get, request.etag, request.last_modified)

    def _session(self, own: bool) -> aiohttp.ClientSession:
        """The session for the own host's connections, or for everyone else's."""
        if self._own is None or self._public is None:
            context = tls_context()
            self._proxies = EnvironmentProxies()
            trusted = aiohttp.ThreadedResolver()
            own_hosts = self._proxies.hosts()  # the operator's proxies may be private
            public = GuardedResolver(self.guard, own_hosts, aiohttp.ThreadedResolver())
            self._own = self._new_session(context, trusted, None)
            self._public = self._new_session(context, public, guard_trace_config(self.guard))
        return self._own if own else self._public

    def _new_session(
        self,
        context: ssl.SSLContext,
        resolver: AbstractResolver,
        trace: aiohttp.TraceConfig | None,
    ) -> aiohttp.ClientSession:
        connector = aiohttp.TCPConnector(
            limit=self._concurrency, limit_per_host=self._per_host, ssl=context, resolver=resolver
        )
        return aiohttp.ClientSession(
            connector=connector,
            headers=self.headers,
            timeout=aiohttp.ClientTimeout(total=None),
            auto_decompress=False,
            cookie_jar=aiohttp.DummyCookieJar(),
            trace_configs=[trace] if trace else None,
        )


def tls_context() -> ssl.SSLContext:
    """Certificates verified as requests (and so the adapters) verifies them: against
    the bundle named by REQUESTS_CA_BUNDLE or CURL_CA_BUNDLE, else certifi's. Read when
    the fetcher makes its sessions."""
    bundle = os.environ.get("REQUESTS_CA_BUNDLE") or os.environ.get("CURL_CA_BUNDLE")
    if not bundle:
        try:
            import certifi

            bundle = certifi.where()
        except ImportError:  # pragma: no cover - the system's store then
            bundle = None
    return ssl.create_default_context(cafile=bundle)


def _validators(request: FetchRequest) -> dict[str, str] | None:
    headers = {}
    if request.etag:
        headers["If-None-Match"] = request.etag
    if request.last_modified:
        headers["If-Modified-Since"] = request.last_modified
    return headers or None


async def _drain_small(response: aiohttp.ClientResponse) -> None:
    """Read a short redirect or error body, so its connection can serve the next
    request; a long or broken one costs the connection instead."""
    length = response.content_length
    if length is not None and length <= _SMALL:
        with suppress(aiohttp.ClientError, OSError):
            await response.read()


async def _read_body(response: aiohttp.ClientResponse, request: FetchRequest, url: str) -> bytes:
    length = response.content_length
    if length is not None and length > request.max_bytes:
        raise over_cap(request.source, url, length, request.max_bytes)
    coding = response.headers.get("content-encoding", "")
    body = BoundedBody(coding, max_bytes=request.max_bytes, source=request.source, url=url)
    async for chunk in response.content.iter_chunked(CHUNK):
        body.feed(chunk)
    return body.finish()


def _failure(exc: BaseException, request: FetchRequest, url: str) -> SourceError:
    """The SourceError for a transport failure, saying which bound or check it hit."""
    refused = refusal_in(exc)
    if refused is not None:
        return fetch_error(request.source, url, f"refused: {refused.reason}")
    if isinstance(exc, aiohttp.ClientConnectorCertificateError):
        error = exc.certificate_error
        detail = getattr(error, "verify_message", "") or str(error)
        return fetch_error(request.source, url, f"TLS certificate verify failed: {detail}")
    if isinstance(exc, aiohttp.ClientSSLError):
        return fetch_error(request.source, url, f"TLS failed: {exc.os_error}")
    if isinstance(exc, TimeoutError):
        return fetch_error(request.source, url, f"timed out after {request.timeout:g}s")
    if isinstance(exc, aiohttp.ClientResponseError):
        detail = " ".join(exc.message.split())[:200]
        return fetch_error(request.source, url, f"not a valid HTTP response: {detail}")
    if isinstance(exc, aiohttp.ClientPayloadError):
        return fetch_error(request.source, url, f"connection broken while reading: {exc}")
    if isinstance(exc, aiohttp.ServerDisconnectedError):
        return fetch_error(request.source, url, "cannot fetch: the server closed the connection")
    if isinstance(exc, aiohttp.ClientConnectorError):
        return fetch_error(request.source, url, f"cannot fetch: {exc.os_error}")
    if isinstance(exc, aiohttp.InvalidURL):
        return fetch_error(request.source, url, "cannot fetch: not a valid URL")
    return fetch_error(request.source, url, f"cannot fetch: {exc}")
