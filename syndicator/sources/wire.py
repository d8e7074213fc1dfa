"""HTTP/1.x responses read straight off a socket: status line, headers, body framing.

Why not ``http.client``: it parses every header block with the ``email`` package
and reads it line by line through a buffered file; a 304 through it (and the
watchdog the lean client then needed) cost 200-300 µs of CPU, against 50-75 µs
now (bench/bench_http.py, one thread). Here the head is
read with one ``recv`` as a rule, decoded once and split once, header names are
lower-cased into a plain dict (repeated headers joined with ", ", folded lines
unfolded), and the body is framed as RFC 9112 section 6.3 says: none for 1xx, 204
and 304, chunked, Content-Length, or until the server closes.

Every wait is bounded twice: by ``timeout`` per socket operation and by the
exchange's overall ``ends_at`` (the socket timeout is lowered as the deadline
nears), so a server dripping one byte at a time is cut off at the deadline with
no watchdog thread.
"""

from __future__ import annotations

import contextlib
import re
import socket
import struct
import sys
import time
from collections.abc import Iterator
from typing import NoReturn

__all__ = [
    "CHUNKED",
    "UNTIL_CLOSE",
    "Closed",
    "DeadlineExceeded",
    "Head",
    "ProtocolError",
    "Wire",
    "iter_body",
    "read_head",
]

MAX_HEAD = 64 * 1024  # status line and headers together
MAX_LINE = 4096  # one chunk-size or trailer line
_RECV = 64 * 1024
CHUNKED = -1
UNTIL_CLOSE = -2
_HEAD_END = re.compile(rb"\r?\n\r?\n")
_HEX = frozenset("0123456789abcdefABCDEF")
_TIMEVAL = struct.Struct("@ll")  # struct timeval on Linux
KERNEL_TIMEOUTS = sys.platform == "linux"


class ProtocolError(Exception):
    """The server's bytes are not a valid HTTP/1.x response."""


class Closed(ConnectionError):
    """The server closed the connection before sending a byte of the response:
    on a kept-alive connection that means it timed the connection out meanwhile,
    and the request may be sent again on a new one."""


class DeadlineExceeded(TimeoutError):
    """The exchange's overall deadline passed."""


class Wire:
    """A connected socket with a read buffer; used by one thread at a time."""

    __slots__ = ("_kernel", "_sock_timeout", "buf", "ends_at", "idle_since", "sock", "timeout")

    def __init__(self, sock: socket.socket, *, kernel_timeouts: bool = False) -> None:
        """``kernel_timeouts`` (plain TCP on Linux): the socket blocks and the kernel
        enforces the wait (SO_RCVTIMEO/SO_SNDTIMEO), so each receive is one system
        call that releases the GIL once; Python's own timeouts poll() first, which
        doubles the GIL hand-offs and, with many polling threads, the CPU of a 304.
        Not for TLS: CPython's ssl module retries a read the kernel timed out on a
        blocking socket forever, so TLS sockets keep Python's timeouts."""
        self.sock = sock
        self.buf = b""
        self._kernel = kernel_timeouts and KERNEL_TIMEOUTS
        if self._kernel:
            sock.settimeout(None)
        self.timeout = self._sock_timeout = -1.0  # set by the first ``arm``
        self.ends_at = 0.0
        self.idle_since = 0.0

    def arm(self, timeout: float, ends_at: float) -> None:
        """Bounds for the next exchange: ``timeout`` per wait, ``ends_at`` overall."""
        self.timeout, self.ends_at = timeout, ends_at
        self._bound()

    def _bound(self) -> None:
        remaining = self.ends_at - time.monotonic()
        if remaining <= 0:
            raise DeadlineExceeded("deadline exceeded")
        wait = self.timeout if self.timeout < remaining else remaining
        if wait != self._sock_timeout:
            if self._kernel:
                seconds = int(wait)
                micros = max(1, int((wait - seconds) * 1e6))  # 0 would mean "no limit"
                value = _TIMEVAL.pack(seconds, micros)
                self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVTIMEO, value)
                self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDTIMEO, value)
            else:
                self.sock.settimeout(wait)
            self._sock_timeout = wait

    def forget_timeout(self) -> None:
        """Someone else (the sweep's loop) changed the socket's blocking mode: the
        next ``arm`` sets the timeout again."""
        self._sock_timeout = -1.0

    def send(self, data: bytes) -> None:
        try:
            self.sock.sendall(data)
        except (TimeoutError, BlockingIOError):  # BlockingIOError: the kernel's timeout
            self._timed_out()

    def fill(self) -> bool:
        """Append what the socket has next to the buffer; False at end of stream."""
        self._bound()
        try:
            data = self.sock.recv(_RECV)
        except (TimeoutError, BlockingIOError):
            self._timed_out()
        if not data:
            return False
        self.buf += data  # no copy while the buffer is empty
        return True

    def _timed_out(self) -> NoReturn:
        if time.monotonic() >= self.ends_at:
            raise DeadlineExceeded("deadline exceeded") from None
        raise TimeoutError("timed out") from None

    def take(self, limit: int) -> bytes:
        """Up to ``limit`` buffered bytes (the whole buffer when it is shorter)."""
        buf = self.buf
        if len(buf) <= limit:
            self.buf = b""
            return buf
        self.buf = buf[limit:]
        return buf[:limit]

    def read_line(self, what: str) -> bytes:
        """One line without its line end (chunk sizes and trailers)."""
        while True:
            end = self.buf.find(b"\n")
            if end >= 0:
                line, self.buf = self.buf[:end], self.buf[end + 1 :]
                return line.rstrip(b"\r")
            if len(self.buf) > MAX_LINE:
                raise ProtocolError(f"{what} line longer than {MAX_LINE} bytes")
            if not self.fill():
                raise ProtocolError(f"connection closed inside the {what}")

    def close(self) -> None:
        with contextlib.suppress(OSError):
            self.sock.close()


class Head:
    """A response's status line and headers (names lower-case) and its framing:
    ``length`` is a byte count, ``CHUNKED`` or ``UNTIL_CLOSE``."""

    __slots__ = ("headers", "keep_alive", "length", "reason", "status", "version")

    def __init__(
        self, version: str, status: int, reason: str, headers: dict[str, str], length: int
    ) -> None:
        self.version, self.status, self.reason = version, status, reason
        self.headers, self.length = headers, length
        option = headers.get("connection")
        if option is None:
            keep = version == "HTTP/1.1"
        else:
            tokens = {token.strip() for token in option.lower().split(",")}
            keep = "close" not in tokens if version == "HTTP/1.1" else "keep-alive" in tokens
        self.keep_alive = keep and length != UNTIL_CLOSE


def _split_head(head: bytes) -> tuple[str, int, str, dict[str, str]]:
    text = head.decode("latin-1")
    if "\r" in text:
        text = text.replace("\r\n", "\n")
    status_line, _, rest = text.partition("\n")
    version, _, rest_of_status = status_line.partition(" ")
    code, _, reason = rest_of_status.partition(" ")
    if not (version.startswith("HTTP/1.") and len(code) == 3 and code.isascii() and code.isdigit()):
        raise ProtocolError(f"malformed status line {status_line[:80]!r}")
    if code[0] == "0":
        raise ProtocolError(f"malformed status line {status_line[:80]!r}: no such status")
    if "\n " in rest or "\n\t" in rest or rest[:1] in (" ", "\t"):
        rest = _unfold(rest)
    fields = [line.partition(":") for line in rest.split("\n")] if rest else []
    headers = {name.strip().lower(): value.strip() for name, colon, value in fields if colon}
    if len(headers) != len(fields):  # repeated names, or lines that are not headers
        headers = {}
        for name, colon, value in fields:
            if not colon:
                continue  # browsers skip such lines too
            name, value = name.strip().lower(), value.strip()
            headers[name] = f"{headers[name]}, {value}" if name in headers else value
    return version, int(code), reason.strip(), headers


def _unfold(lines: str) -> str:
    """Obsolete line folding (RFC 9112 section 5.2): a line starting with white
    space continues the previous header's value."""
    out: list[str] = []
    for line in lines.split("\n"):
        if line[:1] in (" ", "\t"):
            if out:
                out[-1] = f"{out[-1].rstrip()} {line.strip()}"
            continue
        out.append(line)
    return "\n".join(out)


def _framing(status: int, headers: dict[str, str]) -> int:
    if status in (204, 304) or status < 200:
        return 0
    coding = headers.get("transfer-encoding")
    if coding is not None:
        return CHUNKED if coding.rsplit(",", 1)[-1].strip().lower() == "chunked" else UNTIL_CLOSE
    length = headers.get("content-length")
    if length is None:
        return UNTIL_CLOSE
    if not (length.isascii() and length.isdigit()):
        values = {v.strip() for v in length.split(",")}
        if len(values) != 1:
            raise ProtocolError(f"conflicting Content-Length {length[:80]!r}")
        length = values.pop()
        if not (length.isascii() and length.isdigit()):
            raise ProtocolError(f"invalid Content-Length {length[:80]!r}")
    return int(length)


def _next_head(wire: Wire) -> bytes:
    """The bytes of the next response head, without its blank line. The usual case,
    a whole CRLF head in the first packet, costs two searches."""
    buf = wire.buf
    if not buf:
        if not wire.fill():
            raise Closed("server closed the connection without a response")
        buf = wire.buf
    end = buf.find(b"\r\n\r\n")
    if end > 0 and buf.startswith(b"HTTP/1.") and buf.find(b"\n\n", 0, end) < 0:
        wire.buf = buf[end + 4 :]
        return buf[:end]
    start = 0
    while True:
        if wire.buf[:1] in (b"\r", b"\n"):
            wire.buf = wire.buf.lstrip(b"\r\n")  # stray line ends before a status line
        if len(wire.buf) >= 5 and not wire.buf.startswith(b"HTTP/"):
            line = wire.buf.split(b"\n", 1)[0][:80]
            raise ProtocolError(f"malformed status line {line!r}")
        found = _HEAD_END.search(wire.buf, max(0, start - 3))
        if found:
            head, wire.buf = wire.buf[: found.start()], wire.buf[found.end() :]
            return head
        if len(wire.buf) > MAX_HEAD:
            raise ProtocolError(f"response head longer than {MAX_HEAD} bytes")
        start = len(wire.buf)
        if not wire.fill():
            if not wire.buf:
                raise Closed("server closed the connection without a response")
            raise ProtocolError("connection closed inside the response head")


def read_head(wire: Wire) -> Head:
    """The next final response's head (1xx interim responses are skipped).
    Raises ``Closed`` when the server closed before sending anything."""
    while True:
        version, status, reason, headers = _split_head(_next_head(wire))
        if status >= 200:
            return Head(version, status, reason, headers, _framing(status, headers))
        if status == 101:
            raise ProtocolError("unexpected 101 Switching Protocols")
        # 100 Continue, 103 Early Hints: the real answer follows


def iter_body(wire: Wire, head: Head, chunk: int = _RECV) -> Iterator[bytes]:
    """The body's bytes as they arrive (still content-encoded), framed by ``head``.
    When the iterator is exhausted the connection is positioned at the next response."""
    if head.length >= 0:
        left = head.length
        while left:
            if not wire.buf and not wire.fill():
                raise ProtocolError(f"connection closed {left} bytes before the end of the body")
            piece = wire.take(min(left, chunk))
            left -= len(piece)
            yield piece
    elif head.length == CHUNKED:
        while True:
            line = wire.read_line("chunk size")
            size_text = line.split(b";", 1)[0].strip().decode("latin-1")
            if not size_text or not _HEX.issuperset(size_text):
                raise ProtocolError(f"invalid chunk size line {line[:40]!r}")
            left = int(size_text, 16)
            if left == 0:
                while wire.read_line("trailer"):
                    pass  # trailers are not used
                return
            while left:
                if not wire.buf and not wire.fill():
                    raise ProtocolError("connection closed inside a chunk")
                piece = wire.take(min(left, chunk))
                left -= len(piece)
                yield piece
            if wire.read_line("chunk end"):
                raise ProtocolError("chunk data longer than its declared size")
    else:
        while wire.buf or wire.fill():
            yield wire.take(chunk)
