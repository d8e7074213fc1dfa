"""The fetch guard (``guard``) fitted into aiohttp: a resolver and a trace config.

aiohttp connects to exactly the addresses its resolver returns, so a resolver that
resolves once and returns only the allowed addresses is the connect-time check with
no second lookup. aiohttp does not ask the resolver about a host written as an IP
address, so the URL itself is checked too, when the request starts and at every
redirect (``guard_trace_config``), which also catches integer, octal and hex
spellings before anything resolves them. Use both:

    guard = FetchGuard(parse_allow_list(config.fetch.allow_private))
    own = {host_of(source.url) for source in config.sources}
    session = aiohttp.ClientSession(
        connector=aiohttp.TCPConnector(resolver=GuardedResolver(guard, own)),
        trace_configs=[guard_trace_config(guard, own)],
    )

A refused request raises ``FetchRefused`` from the trace, or
``aiohttp.ClientConnectorError`` whose cause is a ``FetchRefused`` from the
resolver; ``refusal_in`` finds it in either case.

The resolver sees no request, only a host, so ``own_hosts`` is one set for the
session, and a kept connection serves any request to its host. ``sources.http``
therefore keeps two sessions: one with an unguarded resolver, used only for the host a
fetch is made for, and one with this resolver (``own_hosts``: the proxies) for every
other host.
"""

from __future__ import annotations

import socket
from collections.abc import Iterable
from types import SimpleNamespace

import aiohttp
from aiohttp.abc import AbstractResolver, ResolveResult
from yarl import URL

from syndicator.sources.guard import FetchGuard, FetchRefused

__all__ = ["GuardedResolver", "guard_trace_config", "refusal_in"]


def _name(host: str) -> str:
    return host.lower().rstrip(".")


class GuardedResolver(AbstractResolver):
    """Resolves with ``resolver`` (aiohttp's default one when None) once, and keeps
    only the addresses ``guard`` allows; raises ``FetchRefused`` when none is left.
    Addresses of ``own_hosts`` are all kept."""

    def __init__(
        self,
        guard: FetchGuard,
        own_hosts: Iterable[str] = (),
        resolver: AbstractResolver | None = None,
    ) -> None:
        self._guard = guard
        self._own_hosts = frozenset(_name(host) for host in own_hosts)
        self._resolver = resolver or aiohttp.ThreadedResolver()

    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
    ) -> list[ResolveResult]:
        name = _name(host)
        found = await self._resolver.resolve(host, port, family)
        own = name if name in self._own_hosts else None
        allowed = set(self._guard.allowed(name, [entry["host"] for entry in found], own))
        return [entry for entry in found if entry["host"] in allowed]

    async def close(self) -> None:
        await self._resolver.close()


def guard_trace_config(guard: FetchGuard, own_hosts: Iterable[str] = ()) -> aiohttp.TraceConfig:
    """A trace config that refuses a request whose URL ``guard`` refuses (scheme, host
    spelling, literal address), at the start and before each redirect is followed."""
    own = frozenset(_name(host) for host in own_hosts)

    def check(url: URL) -> None:
        host = _name(url.raw_host or "")
        guard.check_url(str(url), host if host in own else None)

    async def on_start(
        session: aiohttp.ClientSession,
        context: SimpleNamespace,
        params: aiohttp.TraceRequestStartParams,
    ) -> None:
        check(params.url)

    async def on_redirect(
        session: aiohttp.ClientSession,
        context: SimpleNamespace,
        params: aiohttp.TraceRequestRedirectParams,
    ) -> None:
        location = params.response.headers.get("Location") or params.response.headers.get("URI")
        if not location:
            return
        try:
            target = params.url.join(URL(location))
        except ValueError as exc:
            raise FetchRefused(location[:200], f"a redirect to an invalid URL: {exc}") from None
        check(target)

    trace = aiohttp.TraceConfig()
    trace.on_request_start.append(on_start)
    trace.on_request_redirect.append(on_redirect)
    return trace


def refusal_in(error: BaseException) -> FetchRefused | None:
    """The ``FetchRefused`` behind an aiohttp error (raised as it is, or the cause of
    a ``ClientConnectorError``), or None for any other failure."""
    seen: BaseException | None = error
    for _ in range(8):
        if seen is None:
            return None
        if isinstance(seen, FetchRefused):
            return seen
        os_error = getattr(seen, "os_error", None)
        if isinstance(os_error, FetchRefused):
            return os_error
        seen = seen.__cause__ or seen.__context__
    return None
