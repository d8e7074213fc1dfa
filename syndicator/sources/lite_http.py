"""A lean HTTP/1.1 client for polling: keep-alive connections, responses read by ``wire``.

Why not ``requests`` for this one job: a poll round is mostly conditional GETs
answered 304, and ``requests`` spends about a millisecond of CPU on each (hooks,
adapters, cookie jars, a timer thread per deadline) and ``http.client`` a few
hundred microseconds (``email`` header parsing, a buffered file per response)
where the exchange itself costs a few tens. This client sends one prepared
request with one ``sendall``, reads the answer with ``wire``, and keeps idle
connections per (scheme, host, port) for reuse by any thread. It does not speak
to proxies: ``fetch`` sends everything through ``requests`` when the environment
configured one when the session was made.
"""

from __future__ import annotations

import functools
import os
import re
import socket
import threading
import time
from typing import TYPE_CHECKING, NamedTuple
from urllib.parse import quote, urlsplit

from syndicator.sources.guard import FetchGuard, FetchRefused, address_refusal, connect
from syndicator.sources.wire import Closed, DeadlineExceeded, Head, ProtocolError, Wire, read_head

if TYPE_CHECKING:
    import ssl

__all__ = [
    "IDLE_MAX",
    "Guarded",
    "Key",
    "LiteClient",
    "Sent",
    "Target",
    "proxies_configured",
    "target_of",
]

_PROXY_VARS = ("http_proxy", "https_proxy", "all_proxy", "HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY")
IDLE_MAX = 60.0  # seconds an idle connection is trusted to still be open
MAX_IDLE = 256  # idle connections kept over all hosts (each holds a file descriptor)
_SAFE = "!#$%&'()*+,/:;=?@[]~"  # what stays as it is when a path is percent-encoded
# scheme://host[:port]/path?query in printable ASCII, no user, fragment, quote or IPv6
_PLAIN_URL = re.compile(r"(https?)://([A-Za-z0-9.-]+)(?::([0-9]{1,5}))?(/[!$-~]*)\Z")

Key = tuple[str, str, int]


def proxies_configured() -> bool:
    """Proxies come from the environment (as requests reads them); the lite client
    does not speak to proxies, so their presence sends fetches through requests."""
    environ = os.environ
    return any(environ.get(name) for name in _PROXY_VARS)


class Sent(NamedTuple):
    """A connection a request was written to elsewhere, its answer not yet read;
    ``reused``: it had served an earlier request (so a close before any answer
    means the server timed it out, and the request may be sent again)."""

    wire: Wire
    reused: bool


class Guarded(NamedTuple):
    """The fetch guard for one request: connections go only to addresses ``guard``
    allows, except those of ``own_host`` (the host the fetch is made for)."""

    guard: FetchGuard
    own_host: str


class Target(NamedTuple):
    """Where a URL's request goes and how its request starts."""

    key: Key  # (scheme, host, port)
    start: str  # request line and Host header, CRLF-terminated


@functools.lru_cache(maxsize=4096)
def target_of(url: str) -> Target:
    """Parse ``url`` once per URL (polls ask for the same URLs every round). A path
    with spaces, control or non-ASCII characters is percent-encoded, as requests
    does, and a non-ASCII host name is sent in its IDNA form. Raises ValueError."""
    plain = _PLAIN_URL.match(url)
    if plain is not None:  # most feed URLs: a fifth of urlsplit's cost, same answer
        scheme, host, port_text, path = plain.groups()
        host = host.lower()
        port = int(port_text) if port_text else 0
        if 0 < port <= 65535 or not port_text:
            host_header = f"{host}:{port}" if port_text else host
            port = port or (443 if scheme == "https" else 80)
            return Target((scheme, host, port), f"GET {path} HTTP/1.1\r\nHost: {host_header}\r\n")
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https"):
        raise ValueError("only http:// and https:// URLs can be fetched")
    host = parts.hostname
    if not host:
        raise ValueError("no host in the URL")
    if not host.isascii():
        host = host.encode("idna").decode("ascii")
    port = parts.port or (443 if scheme == "https" else 80)
    path = parts.path or "/"
    if parts.query:
        path += "?" + parts.query
    if not path.isascii() or any(c <= " " or c == "\x7f" for c in path):
        path = quote(path, safe=_SAFE)
    host_header = f"[{host}]" if ":" in host else host
    if parts.port is not None:
        host_header += f":{parts.port}"
    return Target((scheme, host, port), f"GET {path} HTTP/1.1\r\nHost: {host_header}\r\n")


_contexts: dict[str | None, ssl.SSLContext] = {}


def _tls_context() -> ssl.SSLContext:
    """Certificates as requests verifies them: the bundle named by
    REQUESTS_CA_BUNDLE or CURL_CA_BUNDLE, else certifi's. (``ssl`` is imported
    here: 10 ms that a round of plain-HTTP feeds does without.)"""
    import ssl

    bundle = os.environ.get("REQUESTS_CA_BUNDLE") or os.environ.get("CURL_CA_BUNDLE") or None
    context = _contexts.get(bundle)
    if context is None:
        cafile = bundle
        if cafile is None:
            try:
                import certifi

                cafile = certifi.where()
            except ImportError:  # pragma: no cover - certifi comes with requests
                cafile = None
        context = ssl.create_default_context(cafile=cafile)
        context.set_alpn_protocols(["http/1.1"])
        _contexts[bundle] = context
    return context


class LiteClient:
    """Idle keep-alive connections shared by threads: at most ``keep`` per host
    and ``MAX_IDLE`` in all, none idle for ``idle_max`` seconds or more (servers
    close idle connections after 5 s to a few minutes; one closed meanwhile
    costs a retry)."""

    def __init__(self, keep: int = 64, idle_max: float = IDLE_MAX) -> None:
        self.keep = keep
        self.idle_max = idle_max
        self._idle: dict[Key, list[Wire]] = {}
        self._count = 0
        self._lock = threading.Lock()

    def send(
        self,
        target: Target,
        request: bytes,
        timeout: float,
        ends_at: float,
        sent: Sent | None = None,
        guarded: Guarded | None = None,
    ) -> tuple[Wire, Head]:
        """Send ``request`` and read the response head. A kept-alive connection the
        server has closed meanwhile is replaced once by a new one (a GET may be
        repeated). ``sent``: a connection ``request`` was already written to (by
        the conditional sweep), whose answer is read here. ``guarded``: a new
        connection goes only to an address the guard allowed (resolved once, then
        connected to), and a kept one only when its peer is allowed too (it may have
        been opened for another source whose own host this is). The caller reads
        the body and hands the wire to ``release`` (or closes it)."""
        wire: Wire | None
        if sent is not None:
            wire, reused = sent.wire, sent.reused
        else:
            wire = self.take(target.key)
            if wire is not None and guarded is not None:
                self._check_peer(target.key, wire, guarded)
            reused = wire is not None
        if wire is not None:
            try:
                wire.arm(timeout, ends_at)
                if sent is None:
                    wire.send(request)
                return wire, read_head(wire)
            except (Closed, BrokenPipeError, ConnectionResetError, ProtocolError):
                # closed meanwhile, or out of step (bytes a server sent after a
                # response, say a body on a 304): once more on a new connection
                wire.close()
                if not reused:
                    raise
            except BaseException:
                wire.close()
                raise
        wire = self._open(target.key, timeout, ends_at, guarded)
        try:
            wire.arm(timeout, ends_at)
            wire.send(request)
            return wire, read_head(wire)
        except BaseException:
            wire.close()
            raise

    def take(self, key: Key) -> Wire | None:
        """The most recently used idle connection; when even that one has been idle
        too long, all of them have, and they are closed."""
        with self._lock:
            idle = self._idle.get(key)
            if not idle:
                return None
            wire = idle.pop()
            if time.monotonic() - wire.idle_since < self.idle_max:
                self._count -= 1
                return wire
            stale = [wire, *idle]
            self._count -= len(stale)
            idle.clear()
        for wire in stale:
            wire.close()
        return None

    def _check_peer(self, key: Key, wire: Wire, guarded: Guarded) -> None:
        """Refuse a kept connection whose peer this request may not reach; the
        connection goes back to the pool for the fetches that may."""
        if key[1] == guarded.own_host:
            return
        try:
            peer = str(wire.sock.getpeername()[0])
        except OSError:
            return  # closed meanwhile: the send fails and a new connection is checked
        reason = address_refusal(peer, guarded.guard.allow_private)
        if reason:
            self.release(key, wire)
            raise FetchRefused(key[1], f"{key[1]} resolves to {reason}")

    @staticmethod
    def _open(key: Key, timeout: float, ends_at: float, guarded: Guarded | None = None) -> Wire:
        scheme, host, port = key
        remaining = ends_at - time.monotonic()
        if remaining <= 0:
            raise DeadlineExceeded("deadline exceeded")
        wait = min(timeout, remaining)
        if guarded is None:
            sock = socket.create_connection((host, port), timeout=wait)
        else:
            sock = connect(guarded.guard, host, port, guarded.own_host, wait)
        try:
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            if scheme == "https":
                # the handshake as a whole is bounded by the socket timeout
                sock = _tls_context().wrap_socket(sock, server_hostname=host)
                return Wire(sock)
            return Wire(sock, kernel_timeouts=True)
        except BaseException:
            sock.close()
            raise

    def release(self, key: Key, wire: Wire) -> None:
        """Keep a connection whose response was read to the end, for the next request."""
        if wire.buf:  # bytes beyond the response: the connection is out of step
            wire.close()
            return
        wire.idle_since = time.monotonic()
        with self._lock:
            idle = self._idle.get(key)
            if idle is None:
                idle = self._idle[key] = []
            if len(idle) < self.keep and self._count < MAX_IDLE:
                idle.append(wire)
                self._count += 1
                return
        wire.close()

    def close(self) -> None:
        with self._lock:
            pools, self._idle, self._count = list(self._idle.values()), {}, 0
        for idle in pools:
            for wire in idle:
                wire.close()
