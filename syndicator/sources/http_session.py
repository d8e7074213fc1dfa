"""The HTTP session every source fetch goes through, light enough to import at start-up.

Why not a ``requests.Session``: importing requests and urllib3 costs 0.2-0.3 s,
more than a whole round of 1,000 unchanged feeds on the lean client; a poll
process that never meets a proxy should not pay it. The session holds the fixed
request headers, the lean client's keep-alive connections and, built only on
first need (a proxy configured in the environment), a ``requests.Session`` whose
connections obey fetch deadlines.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from types import MappingProxyType
from typing import TYPE_CHECKING

from syndicator.sources.guard import FetchGuard
from syndicator.sources.lite_http import LiteClient, proxies_configured

if TYPE_CHECKING:
    import requests

__all__ = ["HttpSession"]


class HttpSession:
    """Fixed headers (``headers`` is read-only), redirects followed up to
    ``max_redirects``, ``pool_size`` idle connections kept per host, ``proxied``
    when the environment configured a proxy at creation (fetches then go through
    requests). ``guard`` decides which addresses a fetch may reach (see
    ``guard``). Safe to share between threads; ``close`` releases every connection."""

    def __init__(
        self,
        headers: Mapping[str, str],
        *,
        pool_size: int = 64,
        max_redirects: int = 5,
        guard: FetchGuard | None = None,
    ) -> None:
        for name, value in headers.items():
            text = f"{name}{value}"
            if not _latin1(text) or any(c in text for c in "\r\n\0"):
                raise ValueError(f"HTTP header {name!r}: one line of Latin-1 text expected")
        self.headers: Mapping[str, str] = MappingProxyType(dict(headers))
        self.header_block = "".join(f"{name}: {value}\r\n" for name, value in headers.items())
        self.pool_size = pool_size
        self.max_redirects = max_redirects
        self.guard = guard or FetchGuard()
        self.lite = LiteClient(keep=pool_size)
        # Read once: a process's environment only changes by its own hand, and
        # reading six variables costs more than the rest of a 304.
        self.proxied = proxies_configured()
        self._requests: requests.Session | None = None
        self._lock = threading.Lock()

    def requests_session(self) -> requests.Session:
        """The requests transport (imported and built on first call): same headers,
        same redirect limit, no automatic retries (the scheduler owns back-off),
        connections cut by ``deadline.Deadline``."""
        with self._lock:
            if self._requests is None:
                import requests

                from syndicator.sources.deadline import DeadlineAdapter

                session = requests.Session()
                session.headers.update(self.headers)
                session.max_redirects = self.max_redirects
                adapter = DeadlineAdapter(
                    pool_connections=20, pool_maxsize=self.pool_size, max_retries=0
                )
                session.mount("http://", adapter)
                session.mount("https://", adapter)
                self._requests = session
            return self._requests

    def close(self) -> None:
        self.lite.close()
        with self._lock:
            session, self._requests = self._requests, None
        if session is not None:
            session.close()


def _latin1(text: str) -> bool:
    try:
        text.encode("latin-1")
    except UnicodeEncodeError:
        return False
    return True
