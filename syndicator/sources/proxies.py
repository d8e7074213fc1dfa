"""The proxies the environment names (``HTTP_PROXY``, ``HTTPS_PROXY``, ``NO_PROXY`` and
their lower-case forms), read once when the fetcher starts.

Why not aiohttp's ``trust_env``: it reads the environment and ``~/.netrc`` again for
every request, each time in a worker thread, which tripled the CPU of a conditional GET
answered 304 (bench/bench_http.py); and it would send ``~/.netrc`` credentials to news
sites. A process's environment changes only by its own hand, so reading it once gives
the same answers. Credentials in a proxy's URL (``http://user:pw@proxy:3128``) are sent
to the proxy. (Whether ``NO_PROXY`` exempts a host is asked once per host.)
"""

from __future__ import annotations

import urllib.request
from dataclasses import dataclass

from aiohttp import BasicAuth
from yarl import URL

from syndicator.sources.guard import host_of

__all__ = ["EnvironmentProxies", "Proxy"]

_SCHEMES = ("http", "https")  # what aiohttp can send through an HTTP proxy
_REMEMBERED = 4096  # hosts whose bypass answer is kept


@dataclass(frozen=True)
class Proxy:
    url: URL
    auth: BasicAuth | None


class EnvironmentProxies:
    """Which proxy, if any, a URL goes through."""

    def __init__(self) -> None:
        self._environment = urllib.request.getproxies()
        self._by_scheme: dict[str, Proxy] = {}
        for scheme in _SCHEMES:
            value = self._environment.get(scheme)
            if value:
                url = URL(value if "://" in value else f"http://{value}")
                auth = BasicAuth(url.user, url.password or "") if url.user else None
                self._by_scheme[scheme] = Proxy(url.with_user(None), auth)
        self._bypass: dict[str, bool] = {}

    def hosts(self) -> set[str]:
        """The proxies' own hosts (the operator's: their addresses may be private)."""
        return {host_of(str(proxy.url)) for proxy in self._by_scheme.values()} - {""}

    def for_url(self, url: str) -> Proxy | None:
        if not self._by_scheme:
            return None
        proxy = self._by_scheme.get(url.partition(":")[0].lower())
        if proxy is None:
            return None
        host = host_of(url)
        bypass = self._bypass.get(host)
        if bypass is None:
            if len(self._bypass) >= _REMEMBERED:
                self._bypass.clear()
            bypass = self._bypass[host] = bool(urllib.request.proxy_bypass(host))
        return None if bypass else proxy
