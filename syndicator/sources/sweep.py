"""Conditional GETs of many sources from one thread, on non-blocking sockets.

Why: in a steady round almost every source answers 304, a few hundred bytes each
way. Through a thread per request each 304 cost ~130 µs of CPU, most of it the
GIL passing between 64 threads, and the round first waited for those threads to
start (3 ms each while the GIL is busy). Here one epoll loop, in the thread
that schedules the round, writes every request and reads every answer's head. A
304 ends in the loop, and so does a 200 whose body has a Content-Length: the
loop reads the body too and hands the result to ``answered`` right there (a
changed feed parses in this thread, without a thread's GIL hand-offs) until
``INLINE_BYTES`` of bodies have been parsed so; after that, and for a source
whose completion may fetch article pages, a thread takes the result. Any other answer (a redirect, an error
status, a chunked body, an interim 1xx, a connection closed under the request)
is handed, with its connection, to a thread, where ``fetch(..., sent=)`` reads
it exactly as a fetch of its own would have: each feed still costs one request.

What the loop leaves to threads: opening connections that need a name resolved
or a TLS handshake (the first fetch of a named or https host runs in a thread;
later requests to that host use the connection it leaves in the pool, TLS ones
included) and proxies. It runs on Linux, where plain sockets block with kernel
timeouts (``wire.KERNEL_TIMEOUTS``) and the loop reads them with
``MSG_DONTWAIT``; a TLS socket is switched to non-blocking while in the loop.
"""

from __future__ import annotations

import contextlib
import errno
import os
import select
import socket
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Generic, TypeVar

from syndicator.errors import SourceError
from syndicator.hostpool import Outcome, Step
from syndicator.sources.fetch import request_tail, transport_failure
from syndicator.sources.http_session import HttpSession
from syndicator.sources.lite_http import LiteClient, Sent, Target, target_of
from syndicator.sources.responses import (
    FetchResult,
    decoded_body,
    fetch_error,
    parse_retry_after,
    result_of,
)
from syndicator.sources.wire import (
    KERNEL_TIMEOUTS,
    MAX_HEAD,
    DeadlineExceeded,
    Head,
    ProtocolError,
    Wire,
    read_head,
)

__all__ = ["Ask", "ConditionalSweep", "ask_for"]

T = TypeVar("T")
R = TypeVar("R")

_RECV = 64 * 1024
# Bodies parsed in the loop's own thread per round; after this a round is big, and
# its parsing belongs to threads and worker processes (parsepool).
INLINE_BYTES = 4_000_000
_SCAN_EVERY = 0.01  # seconds between looks for exchanges past their timeout
# Where the loop runs: epoll, and plain sockets that block with kernel timeouts.
# Elsewhere (macOS, say) the module still imports, and every source goes to threads.
AVAILABLE = KERNEL_TIMEOUTS and hasattr(select, "epoll")
_READ, _WRITE = getattr(select, "EPOLLIN", 1), getattr(select, "EPOLLOUT", 4)


@dataclass(frozen=True, slots=True)
class Ask:
    """One conditional GET, ready to write, and what its result must name."""

    url: str
    target: Target
    request: bytes
    etag: str | None
    last_modified: str | None
    timeout: float
    deadline: float
    source: str
    max_bytes: int
    answer_here: bool  # completing the answer makes no further request: the loop may


def ask_for(
    session: HttpSession,
    url: str,
    *,
    etag: str | None,
    last_modified: str | None,
    timeout: float,
    deadline: float,
    source: str,
    max_bytes: int,
    answer_here: bool = True,
) -> Ask | None:
    """The sweep's request for ``url``, or None when a thread must fetch it: no
    validators (the answer will be a body), not HTTP(S), a proxy, a URL or
    validator that cannot be sent (the thread's fetch reports why).
    ``answer_here=False``: completing a changed answer may fetch more (article
    pages), so a thread does it; the loop waits for no one's network but its own."""
    if session.proxied or not AVAILABLE or not (etag or last_modified):
        return None
    try:
        target = target_of(url)
        request = (target.start + request_tail(session, etag, last_modified)).encode("latin-1")
    except (ValueError, UnicodeEncodeError):
        return None
    return Ask(
        url, target, request, etag, last_modified, timeout, deadline, source, max_bytes, answer_here
    )


class _Exchange:
    """One request in the loop: its connection, what is left to write, its bounds."""

    __slots__ = (
        "ask",
        "connecting",
        "ends_at",
        "events",
        "fd",
        "head",
        "item",
        "parts",
        "pending",
        "received",
        "reused",
        "sock",
        "tls",
        "token",
        "wait_until",
        "wire",
    )

    def __init__(self, token: str, item: object, ask: Ask, sock: socket.socket) -> None:
        self.token, self.item, self.ask, self.sock = token, item, ask, sock
        self.fd = sock.fileno()
        self.wire: Wire | None = None
        self.head: Head | None = None  # once read, the loop is reading a body
        self.parts: list[bytes] = []  # the body's bytes so far (joined once: linear)
        self.received = 0
        self.reused = self.connecting = False
        self.tls = ask.target.key[0] == "https"
        self.pending = ask.request
        self.events = 0
        now = time.monotonic()
        self.ends_at = now + ask.deadline
        self.wait_until = now + ask.timeout


class ConditionalSweep(Generic[T, R]):
    """The loop side of ``hostpool.run_per_host``: ``start`` takes an item into the
    loop when ``ask(item)`` gives a request; ``wait`` returns finished items, each
    with its ``Outcome`` (``answered(item, result)`` of a 304 or a 200 read here, or
    the transport error) or the thread work that goes on from its answer
    (``resume(item, sent)``, or ``answered`` of a big round's body); ``wake``
    interrupts a blocked ``wait`` from another thread."""

    def __init__(
        self,
        lite: LiteClient,
        ask: Callable[[T], Ask | None],
        answered: Callable[[T, FetchResult], R],
        resume: Callable[[T, Sent], R],
    ) -> None:
        self._lite, self._ask, self._answered, self._resume = lite, ask, answered, resume
        self._epoll = select.epoll()  # directly: ``selectors`` adds a namedtuple per register
        self._by_fd: dict[int, _Exchange] = {}
        self._waker, self._wakeup = socket.socketpair()
        self._waker.setblocking(False)
        self._wakeup.setblocking(False)
        self._epoll.register(self._wakeup.fileno(), _READ)
        self._live: set[_Exchange] = set()
        self._done: list[tuple[str, T, Step[T, R]]] = []
        self._families: dict[str, socket.AddressFamily | None] = {}
        self._scan_at = 0.0
        self._inline_left = INLINE_BYTES

    def start(self, token: str, item: T) -> bool:
        ask = self._ask(item)
        if ask is None:
            return False
        key = ask.target.key
        wire = self._lite.take(key)
        if wire is not None:
            exchange = _Exchange(token, item, ask, wire.sock)
            exchange.wire, exchange.reused = wire, True
            if exchange.tls:  # an SSL socket takes no MSG_DONTWAIT: non-blocking here
                wire.sock.setblocking(False)
                wire.forget_timeout()
            self._live.add(exchange)
            self._scan_at = min(self._scan_at, exchange.wait_until, exchange.ends_at)
            self._write(exchange)
            return True
        family = self._family(key[1])
        if family is None or key[0] == "https":  # a thread resolves, or shakes hands
            return False
        try:
            sock = socket.socket(family, socket.SOCK_STREAM)
        except OSError:  # out of descriptors, say: a thread's fetch will say so
            return False
        exchange = _Exchange(token, item, ask, sock)
        self._live.add(exchange)
        self._scan_at = min(self._scan_at, exchange.wait_until, exchange.ends_at)
        try:
            sock.setblocking(False)
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            code = sock.connect_ex((key[1], key[2]))
        except OSError as exc:
            self._fail(exchange, exc)
            return True
        if code not in (0, errno.EINPROGRESS):
            self._fail(exchange, OSError(code, os.strerror(code)))
            return True
        exchange.connecting = True
        self._watch(exchange, _WRITE)
        return True

    def wait(self, block: bool) -> list[tuple[str, T, Step[T, R]]]:
        """What finished since the last call; when ``block`` and nothing has, waits
        for the network, a ``wake`` or the next timeout."""
        timeout: float | None = 0.0
        if block and not self._done:
            timeout = max(0.0, self._scan_at - time.monotonic()) if self._live else None
        self._dispatch(self._epoll.poll(-1 if timeout is None else timeout))
        now = time.monotonic()
        if now >= self._scan_at:
            self._expire(now)
        done, self._done = self._done, []
        return done

    def _dispatch(self, events: list[tuple[int, int]]) -> None:
        for fd, _events in events:
            exchange = self._by_fd.get(fd)
            if exchange is None:
                self._drain_wakeups()
            elif exchange.connecting:
                self._connected(exchange)
            elif exchange.pending:
                self._write(exchange)
            else:
                self._read(exchange)  # readable, or an error or hang-up recv reports

    def wake(self) -> None:
        with contextlib.suppress(OSError):  # a wake-up already waits, or the sweep closed
            self._waker.send(b"\0")

    def close(self) -> None:
        for exchange in list(self._live):
            self._forget(exchange)
            (exchange.wire or exchange.sock).close()
        self._epoll.close()
        self._waker.close()
        self._wakeup.close()

    def _family(self, host: str) -> socket.AddressFamily | None:
        if host not in self._families:
            found = None
            for family in (socket.AF_INET, socket.AF_INET6):
                try:
                    socket.inet_pton(family, host)
                except OSError:
                    continue
                found = family
                break
            self._families[host] = found
        return self._families[host]

    def _watch(self, exchange: _Exchange, events: int) -> None:
        if exchange.events == events:
            return
        if exchange.events:
            self._epoll.modify(exchange.fd, events)
        else:
            self._epoll.register(exchange.fd, events)
            self._by_fd[exchange.fd] = exchange
        exchange.events = events

    def _forget(self, exchange: _Exchange) -> None:
        self._live.discard(exchange)
        if exchange.events:
            self._epoll.unregister(exchange.fd)
            del self._by_fd[exchange.fd]
            exchange.events = 0

    def _connected(self, exchange: _Exchange) -> None:
        code = exchange.sock.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
        if code:
            self._fail(exchange, OSError(code, os.strerror(code)))
            return
        exchange.connecting = False
        exchange.sock.setblocking(True)  # threads read it blocking; the loop with MSG_DONTWAIT
        exchange.wire = Wire(exchange.sock, kernel_timeouts=True)
        self._write(exchange)

    def _write(self, exchange: _Exchange) -> None:
        try:
            if exchange.tls:
                sent = _send_tls(exchange.sock, exchange.pending)
            else:
                sent = exchange.sock.send(exchange.pending, socket.MSG_DONTWAIT)
        except BlockingIOError:
            sent = 0
        except OSError as exc:  # ssl.SSLWantReadError included: a thread sorts it out
            self._broken(exchange, exc)
            return
        exchange.pending = exchange.pending[sent:]
        exchange.wait_until = time.monotonic() + exchange.ask.timeout
        self._watch(exchange, _WRITE if exchange.pending else _READ)

    def _read(self, exchange: _Exchange) -> None:
        wire = exchange.wire
        assert wire is not None
        try:
            if exchange.tls:
                data = _read_tls(exchange.sock)
                if data is None:
                    return  # no whole TLS record yet
            else:
                data = exchange.sock.recv(_RECV, socket.MSG_DONTWAIT)
        except BlockingIOError:
            return
        except OSError as exc:
            self._broken(exchange, exc)
            return
        if not data:
            if exchange.head is not None:
                left = exchange.head.length - exchange.received
                self._fail(
                    exchange,
                    ProtocolError(f"connection closed {left} bytes before the end of the body"),
                )
            else:  # the thread's read meets the close as a fetch's would
                self._hand_off(exchange)
            return
        exchange.wait_until = time.monotonic() + exchange.ask.timeout
        if exchange.head is not None:
            exchange.parts.append(data)
            exchange.received += len(data)
            if exchange.received >= exchange.head.length:
                self._body_read(exchange, exchange.head)
            return
        wire.buf += data
        buf = wire.buf
        if buf.find(b"\r\n\r\n") < 0 and buf.find(b"\n\n") < 0:
            if len(buf) > MAX_HEAD:
                self._hand_off(exchange)
            return  # the rest of the head is on its way
        status = buf[8:13] if buf.startswith(b"HTTP/1.") else b""
        if status not in (b" 304 ", b" 200 "):
            self._hand_off(exchange)  # a redirect, an error, a 1xx: a thread's work
            return
        try:
            head = read_head(wire)  # the whole head is buffered: this does not block
        except ProtocolError as exc:
            self._fail(exchange, exc)
            return
        if head.status == 304:
            self._finish(exchange, head, b"")
        elif 0 <= head.length <= exchange.ask.max_bytes:
            exchange.head = head  # the body follows: read on here
            exchange.parts, exchange.received = [wire.buf], len(wire.buf)
            wire.buf = b""
            if exchange.received >= head.length:
                self._body_read(exchange, head)
        else:  # chunked, unframed or too big: a fetch in a thread says what it is
            wire.buf = buf
            self._hand_off(exchange)

    def _body_read(self, exchange: _Exchange, head: Head) -> None:
        wire, ask = exchange.wire, exchange.ask
        assert wire is not None
        raw = b"".join(exchange.parts)
        if len(raw) > head.length:  # bytes after the body: release() will not keep it
            raw, wire.buf = raw[: head.length], raw[head.length :]
        try:
            body = decoded_body(
                (raw,),
                head.headers.get("content-encoding", ""),
                max_bytes=ask.max_bytes,
                source=ask.source,
                url=ask.url,
            )
        except SourceError as exc:
            self._forget(exchange)
            wire.close()
            item: T = exchange.item  # type: ignore[assignment]
            self._done.append((exchange.token, item, Outcome(item, error=exc)))
            return
        self._finish(exchange, head, body)

    def _finish(self, exchange: _Exchange, head: Head, body: bytes) -> None:
        """A whole answer read: the connection back to the pool, the result to
        ``answered`` (here, or for a big round's bodies in a thread)."""
        self._forget(exchange)
        wire, ask, get = exchange.wire, exchange.ask, head.headers.get
        assert wire is not None
        retry_after = parse_retry_after(get("retry-after"))
        result = result_of(
            ask.url, head.status, body, get, ask.etag, ask.last_modified, retry_after
        )
        if head.keep_alive:
            self._lite.release(ask.target.key, wire)  # closed there if bytes followed
        else:
            wire.close()
        item: T = exchange.item  # type: ignore[assignment]
        answered = self._answered
        if body and (not ask.answer_here or len(body) > self._inline_left):
            self._done.append((exchange.token, item, lambda: answered(item, result)))
            return
        self._inline_left -= len(body)
        try:
            outcome: Outcome[T, R] = Outcome(item, value=answered(item, result))
        except Exception as exc:  # handed to the caller, as a thread's would be
            outcome = Outcome(item, error=exc)
        self._done.append((exchange.token, item, outcome))

    def _broken(self, exchange: _Exchange, exc: OSError) -> None:
        """A send or receive failed: on a kept-alive connection the server may have
        closed it meanwhile, which the thread's fetch retries on a new one."""
        if exchange.reused and exchange.head is None:
            self._hand_off(exchange)
        else:
            self._fail(exchange, exc)

    def _hand_off(self, exchange: _Exchange) -> None:
        self._forget(exchange)
        wire = exchange.wire
        assert wire is not None
        wire.ends_at = exchange.ends_at
        item: T = exchange.item  # type: ignore[assignment]
        sent = Sent(wire, exchange.reused)
        resume = self._resume
        self._done.append((exchange.token, item, lambda: resume(item, sent)))

    def _fail(self, exchange: _Exchange, exc: BaseException) -> None:
        """The error a fetch would raise for ``exc`` at this point of the exchange."""
        self._forget(exchange)
        (exchange.wire or exchange.sock).close()
        ask = exchange.ask
        if exchange.head is not None and isinstance(exc, ProtocolError):
            error: Exception = fetch_error(
                ask.source, ask.url, f"connection broken while reading: {exc}"
            )
        else:
            what = "cannot fetch" if exchange.head is None else "connection broken while reading"
            error = transport_failure(exc, ask.source, ask.url, what, ask.timeout, ask.deadline)
        item: T = exchange.item  # type: ignore[assignment]
        self._done.append((exchange.token, item, Outcome(item, error=error)))

    def _expire(self, now: float) -> None:
        """Fail what waited past its timeout or deadline; schedule the next look.
        What arrived while this thread was busy (parsing an answer, say) is read
        first: an exchange is late only if its server is."""
        if any(now >= min(e.ends_at, e.wait_until) for e in self._live):
            self._dispatch(self._epoll.poll(0))
            now = time.monotonic()
        earliest = float("inf")
        for exchange in list(self._live):
            if now >= exchange.ends_at:
                self._fail(exchange, DeadlineExceeded("deadline exceeded"))
            elif now >= exchange.wait_until:
                self._fail(exchange, TimeoutError("timed out"))
            else:
                earliest = min(earliest, exchange.ends_at, exchange.wait_until)
        self._scan_at = max(now + _SCAN_EVERY, earliest)

    def _drain_wakeups(self) -> None:
        with contextlib.suppress(OSError):  # BlockingIOError: drained
            while self._wakeup.recv(4096):
                pass


def _send_tls(sock: socket.socket, data: bytes) -> int:
    """Bytes of ``data`` the non-blocking TLS socket took (0 when it would block)."""
    import ssl  # loaded already: the socket is an SSLSocket

    try:
        return sock.send(data)
    except ssl.SSLWantWriteError:
        return 0


def _read_tls(sock: socket.socket) -> bytes | None:
    """What the TLS layer has decrypted: epoll sees only the socket, so read until
    the layer wants more. None when no whole record has come yet; b"" at the end
    of the stream (after the bytes before it, which come first)."""
    import ssl

    parts: list[bytes] = []
    while True:
        try:
            data = sock.recv(_RECV)
        except ssl.SSLWantReadError:
            return b"".join(parts) if parts else None
        if not data:
            return b"".join(parts) if parts else b""
        parts.append(data)
