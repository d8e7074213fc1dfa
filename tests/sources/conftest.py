"""Real servers on 127.0.0.1 for the source tests.

``http_server``: a threaded HTTP server; each test registers what a path answers:
fixed bytes with headers, or a handler that writes to the socket itself (for
drip-feeding, conditional GET and the like). It records the headers of every
request so tests can see what the client sent, and counts the connections open and
the requests being answered at once. ``https_server`` is the same behind
TLS with a self-signed certificate made by the openssl CLI (``tls_certificate``).

``raw_server``: a TCP server that answers each request with the next scripted raw
bytes, exactly as given (odd framings, garbage, a connection closed at a chosen
moment), and counts connections, to test the client's HTTP/1.x reader.
"""

from __future__ import annotations

import socket
import ssl
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from syndicator.sources.fetcher import BlockingFetch

DATA = Path(__file__).resolve().parent.parent / "data"

Handler = Callable[[BaseHTTPRequestHandler], None]


@dataclass
class Seen:
    path: str
    headers: dict[str, str]
    peer: int = 0  # the client's port: the same for requests on one connection


@dataclass
class LocalServer:
    base: str
    handlers: dict[str, Handler] = field(default_factory=dict)
    seen: list[Seen] = field(default_factory=list)
    stopping: threading.Event = field(default_factory=threading.Event)
    open_connections: int = 0
    peak_connections: int = 0  # the most connections ever open at once (idle ones too)
    answering: int = 0
    peak_answering: int = 0  # the most requests ever being answered at once
    lock: threading.Lock = field(default_factory=threading.Lock)

    def url(self, path: str) -> str:
        return self.base + path

    def handle(self, path: str, handler: Handler) -> str:
        self.handlers[path] = handler
        return self.url(path)

    def serve(
        self, path: str, body: bytes, *, status: int = 200, headers: dict[str, str] | None = None
    ) -> str:
        """Answer ``path`` with fixed bytes (Content-Length added unless given)."""

        def send(request: BaseHTTPRequestHandler) -> None:
            request.send_response(status)
            merged = {"Content-Length": str(len(body)), **(headers or {})}
            for name, value in merged.items():
                request.send_header(name, value)
            request.end_headers()
            request.wfile.write(body)

        return self.handle(path, send)

    def requests_to(self, path: str) -> list[Seen]:
        return [s for s in self.seen if s.path == path]


def conditional(
    body: bytes = b"<rss/>", etag: str = '"v1"', headers: dict[str, str] | None = None
) -> Handler:
    """A feed that answers 304 (with its ETag) to a request naming ``etag`` in
    If-None-Match, else 200 with ``body``, the ETag and ``headers``."""

    def handler(request: BaseHTTPRequestHandler) -> None:
        if request.headers.get("If-None-Match") == etag:
            request.send_response(304)
            request.send_header("ETag", etag)
            request.end_headers()
            return
        request.send_response(200)
        for name, value in {"ETag": etag, **(headers or {})}.items():
            request.send_header(name, value)
        request.send_header("Content-Length", str(len(body)))
        request.end_headers()
        request.wfile.write(body)

    return handler


def _make_handler(server: LocalServer) -> type[BaseHTTPRequestHandler]:
    class RequestHandler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def setup(self) -> None:
            with server.lock:
                server.open_connections += 1
                server.peak_connections = max(server.peak_connections, server.open_connections)
            super().setup()

        def finish(self) -> None:
            try:
                super().finish()
            finally:
                with server.lock:
                    server.open_connections -= 1

        def do_GET(self) -> None:
            server.seen.append(Seen(self.path, dict(self.headers.items()), self.client_address[1]))
            handler = server.handlers.get(self.path.split("?", 1)[0])
            if handler is None:
                self.send_response(404)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            with server.lock:
                server.answering += 1
                server.peak_answering = max(server.peak_answering, server.answering)
            try:
                handler(self)
            except (BrokenPipeError, ConnectionResetError):
                self.close_connection = True
            finally:
                with server.lock:
                    server.answering -= 1

        def log_message(self, format: str, *args: object) -> None:
            return

    return RequestHandler


class _Server(ThreadingHTTPServer):
    def handle_error(self, request: object, client_address: object) -> None:
        """A client that hangs up (the fetcher cutting a body at a cap or a deadline)
        is what these tests are about, not a server error worth a traceback."""
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)  # type: ignore[arg-type]


@contextmanager
def local_server(context: ssl.SSLContext | None = None) -> Iterator[LocalServer]:
    local = LocalServer(base="")
    httpd = _Server(("127.0.0.1", 0), _make_handler(local))
    httpd.daemon_threads = True
    scheme = "http"
    if context is not None:
        httpd.socket = context.wrap_socket(httpd.socket, server_side=True)
        scheme = "https"
    local.base = f"{scheme}://127.0.0.1:{httpd.server_address[1]}"
    thread = threading.Thread(
        target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
    )
    thread.start()
    try:
        yield local
    finally:
        local.stopping.set()
        httpd.shutdown()
        httpd.server_close()


@pytest.fixture
def http_server() -> Iterator[LocalServer]:
    """A fresh server per test, shut down (with its drip threads told to stop)."""
    with local_server() as local:
        yield local


@pytest.fixture(scope="session")
def tls_certificate(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1 and localhost: (certificate, key)."""
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    command = "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes"
    command += " -days 2 -subj /CN=localhost -addext subjectAltName=IP:127.0.0.1,DNS:localhost"
    subprocess.run(
        [*command.split(), "-keyout", str(key), "-out", str(cert)],
        check=True,
        capture_output=True,
    )
    return cert, key


@pytest.fixture
def https_server(tls_certificate: tuple[Path, Path]) -> Iterator[LocalServer]:
    """``http_server`` behind TLS with the self-signed ``tls_certificate``."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(*tls_certificate)
    with local_server(context) as local:
        yield local


@pytest.fixture
def session() -> Iterator[BlockingFetch]:
    from syndicator.sources.fetch import make_session

    s = make_session("syndicator-tests/0.1 (+https://example.invalid/tests)")
    yield s
    s.close()


@dataclass
class Reply:
    """Raw bytes to send for one request; ``close`` shuts the connection afterwards."""

    data: bytes
    close: bool = False


@dataclass
class RawServer:
    base: str
    replies: list[Reply] = field(default_factory=list)
    requests: list[bytes] = field(default_factory=list)
    connections: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def url(self, path: str) -> str:
        return self.base + path

    def script(self, *replies: Reply | bytes) -> None:
        """Answer the next requests, in order, with these replies."""
        self.replies.extend(r if isinstance(r, Reply) else Reply(r) for r in replies)

    def _next(self) -> Reply | None:
        with self.lock:
            return self.replies.pop(0) if self.replies else None


def _serve_raw(server: RawServer, conn: socket.socket) -> None:
    buf = b""
    with conn:
        while True:
            while b"\r\n\r\n" not in buf:
                try:
                    data = conn.recv(65536)
                except OSError:
                    return
                if not data:
                    return
                buf += data
            request, buf = buf.split(b"\r\n\r\n", 1)
            server.requests.append(request)
            reply = server._next()
            if reply is None:
                return
            try:
                conn.sendall(reply.data)
            except OSError:
                return
            if reply.close:
                return


@pytest.fixture
def raw_server() -> Iterator[RawServer]:
    listener = socket.create_server(("127.0.0.1", 0))
    server = RawServer(base=f"http://127.0.0.1:{listener.getsockname()[1]}")
    listener.settimeout(0.05)
    stop = threading.Event()

    def accept() -> None:
        while not stop.is_set():
            try:
                conn, _ = listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            conn.settimeout(10)
            with server.lock:
                server.connections += 1
            threading.Thread(target=_serve_raw, args=(server, conn), daemon=True).start()

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        stop.set()
        thread.join()
        listener.close()
