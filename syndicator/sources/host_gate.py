"""At most so many fetches at once, and so many to one host.

Why our own gate beside aiohttp's connector limits: the connector makes a request wait
for a connection *inside* the request, so the wait would count against the fetch's
deadline, and a long queue for one busy site would look like a slow answer. A fetch
takes its slot here first, then its deadline starts. (The connector keeps the same
limits, for the hops of a redirect to another host.)
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field

__all__ = ["HostGate", "gate_key"]


@dataclass
class _Host:
    slots: asyncio.Semaphore
    users: int = 0


@dataclass
class HostGate:
    """At most ``total`` holders at once, and at most ``per_host`` with the same key; a
    key's entry lives only while someone holds or waits for it."""

    total: int
    per_host: int
    _all: asyncio.Semaphore = field(init=False)
    _hosts: dict[str, _Host] = field(init=False, default_factory=dict)

    def __post_init__(self) -> None:
        self._all = asyncio.Semaphore(self.total)

    @asynccontextmanager
    async def slot(self, key: str) -> AsyncIterator[None]:
        host = self._hosts.get(key)
        if host is None:
            host = self._hosts[key] = _Host(asyncio.Semaphore(self.per_host))
        host.users += 1
        try:
            async with host.slots, self._all:  # a waiter for a busy host holds no global slot
                yield
        finally:
            host.users -= 1
            if not host.users:
                del self._hosts[key]


def gate_key(url: str) -> str:
    """Scheme, host and port, as the connector keeps connections apart."""
    scheme, _, rest = url.partition("://")
    return f"{scheme.lower()}://{rest.split('/', 1)[0].lower()}"
