"""A lean HTTP/1.1 client for polling: keep-alive connections on ``http.client``.

Why not ``requests`` for this one job: a poll round is mostly conditional GETs
answered 304, and ``requests`` spends about a millisecond of CPU on each
(hooks, adapters, cookie jars, a timer thread per deadline) where the exchange
itself costs a tenth of that; at a thousand feeds per round that is the round.
This client keeps idle connections per (scheme, host, port) for reuse by any
thread, and one watchdog thread enforces every request's overall deadline by
shutting its socket down, so a server dripping one byte at a time is cut off
without a thread per request. ``fetch`` uses it for sessions made by
``make_session`` when no proxy is configured; everything else goes through
``requests``.
"""

from __future__ import annotations

import contextlib
import heapq
import http.client
import itertools
import os
import socket
import ssl
import threading
import time
from typing import Any

__all__ = ["RETRYABLE", "LiteClient", "proxies_configured"]

_PROXY_VARS = ("http_proxy", "https_proxy", "all_proxy")
RETRYABLE = (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError)


def proxies_configured() -> bool:
    """Proxies come from the environment (as requests reads them); the lite client
    does not speak to proxies, so their presence sends fetches through requests."""
    return any(os.environ.get(v) or os.environ.get(v.upper()) for v in _PROXY_VARS)


class _Watchdog:
    """One thread for every deadline: a heap of (ends_at, socket) entries."""

    def __init__(self) -> None:
        self._heap: list[tuple[float, int]] = []
        self._live: dict[int, socket.socket] = {}
        self._ids = itertools.count()
        self._wake = threading.Condition()
        self._thread: threading.Thread | None = None

    def watch(self, sock: socket.socket, ends_at: float) -> int:
        token = next(self._ids)
        with self._wake:
            self._live[token] = sock
            heapq.heappush(self._heap, (ends_at, token))
            if self._thread is None:
                self._thread = threading.Thread(
                    target=self._run, name="fetch-deadlines", daemon=True
                )
                self._thread.start()
            elif self._heap[0][1] == token:
                self._wake.notify()
        return token

    def unwatch(self, token: int) -> None:
        with self._wake:
            self._live.pop(token, None)

    def _run(self) -> None:
        with self._wake:
            while True:
                while self._heap and self._heap[0][1] not in self._live:
                    heapq.heappop(self._heap)  # finished in time
                if not self._heap:
                    self._wake.wait()
                    continue
                ends_at, token = self._heap[0]
                delay = ends_at - time.monotonic()
                if delay > 0:
                    self._wake.wait(delay)
                    continue
                heapq.heappop(self._heap)
                sock = self._live.pop(token)
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)  # wakes the blocked read at once


_watchdog = _Watchdog()
_tls: ssl.SSLContext | None = None


def _tls_context() -> ssl.SSLContext:
    global _tls
    if _tls is None:
        try:
            import certifi

            _tls = ssl.create_default_context(cafile=certifi.where())
        except ImportError:  # pragma: no cover - certifi comes with requests
            _tls = ssl.create_default_context()
    return _tls


class LiteClient:
    """Idle keep-alive connections, shared by threads; at most ``keep`` per host."""

    def __init__(self, keep: int = 64) -> None:
        self.keep = keep
        self._idle: dict[tuple[str, str, int], list[http.client.HTTPConnection]] = {}
        self._lock = threading.Lock()

    def connection(
        self, scheme: str, host: str, port: int, timeout: float
    ) -> tuple[http.client.HTTPConnection, bool]:
        """An idle connection (reused=True) or a new one, with ``timeout`` per socket op."""
        with self._lock:
            idle = self._idle.get((scheme, host, port))
            conn = idle.pop() if idle else None
        if conn is not None:
            conn.timeout = timeout
            if conn.sock is not None:
                conn.sock.settimeout(timeout)
            return conn, True
        if scheme == "https":
            return http.client.HTTPSConnection(
                host, port, timeout=timeout, context=_tls_context()
            ), False
        return http.client.HTTPConnection(host, port, timeout=timeout), False

    def release(self, scheme: str, host: str, port: int, conn: http.client.HTTPConnection) -> None:
        """Keep a connection whose response was read to the end, for the next request."""
        with self._lock:
            idle = self._idle.setdefault((scheme, host, port), [])
            if len(idle) < self.keep:
                idle.append(conn)
                return
        conn.close()

    def close(self) -> None:
        with self._lock:
            pools, self._idle = list(self._idle.values()), {}
        for idle in pools:
            for conn in idle:
                conn.close()

    @staticmethod
    def watch(conn: http.client.HTTPConnection, ends_at: float) -> int | None:
        """Put the connection's socket under the deadline (after connect)."""
        sock: Any = conn.sock
        if sock is None:
            return None
        if time.monotonic() >= ends_at:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
            return None
        return _watchdog.watch(sock, ends_at)

    @staticmethod
    def unwatch(token: int | None) -> None:
        if token is not None:
            _watchdog.unwatch(token)
