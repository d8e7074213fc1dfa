"""An overall deadline for one HTTP exchange, enforced on the socket itself.

A socket timeout only bounds the wait for the *next* packet: a server that sends one
byte every few seconds (headers or body) keeps a request alive forever. ``Deadline``
registers every connection that sends a request inside its ``with`` block and, when
time runs out, shuts the socket down from a timer thread, which wakes the blocked
read at once. The session must use ``DeadlineAdapter`` for this to apply.
"""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from types import TracebackType
from typing import Any

from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool

__all__ = ["Deadline", "DeadlineAdapter"]

_local = threading.local()


def _cut(conn: HTTPConnection) -> None:
    sock = getattr(conn, "sock", None)
    if sock is None:
        return
    with contextlib.suppress(OSError):  # already closed: nothing left to cut
        sock.shutdown(socket.SHUT_RDWR)


class Deadline:
    """Time left for one fetch; cuts the connections it watches when it expires."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.ends_at = time.monotonic() + seconds
        self.expired = False
        self._connections: list[HTTPConnection] = []
        self._lock = threading.Lock()
        self._timer = threading.Timer(seconds, self._expire)
        self._timer.daemon = True

    def __enter__(self) -> Deadline:
        self._previous = getattr(_local, "deadline", None)
        _local.deadline = self
        self._timer.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._timer.cancel()
        _local.deadline = self._previous

    def check(self) -> bool:
        """True when the deadline has passed (whether or not the timer fired yet)."""
        if not self.expired and time.monotonic() >= self.ends_at:
            self.expired = True
        return self.expired

    def watch(self, conn: HTTPConnection) -> None:
        with self._lock:
            self._connections.append(conn)
            if self.expired:
                _cut(conn)

    def _expire(self) -> None:
        with self._lock:
            self.expired = True
            for conn in self._connections:
                _cut(conn)


class _Watched:
    """Mixin for urllib3 connections: register with the current thread's deadline."""

    def request(self, *args: Any, **kwargs: Any) -> None:
        deadline: Deadline | None = getattr(_local, "deadline", None)
        if deadline is not None:
            deadline.watch(self)  # type: ignore[arg-type]
        super().request(*args, **kwargs)  # type: ignore[misc]

    def connect(self) -> None:
        super().connect()  # type: ignore[misc]
        deadline: Deadline | None = getattr(_local, "deadline", None)
        if deadline is not None and deadline.expired:
            _cut(self)  # type: ignore[arg-type]


class _WatchedHTTPConnection(_Watched, HTTPConnection):
    pass


class _WatchedHTTPSConnection(_Watched, HTTPSConnection):
    pass


class _WatchedHTTPPool(HTTPConnectionPool):
    ConnectionCls = _WatchedHTTPConnection


class _WatchedHTTPSPool(HTTPSConnectionPool):
    ConnectionCls = _WatchedHTTPSConnection


class DeadlineAdapter(HTTPAdapter):
    """A requests transport whose connections obey ``Deadline``."""

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = {
            "http": _WatchedHTTPPool,
            "https": _WatchedHTTPSPool,
        }
