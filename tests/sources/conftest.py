"""A real threaded HTTP server on 127.0.0.1 for the source tests.

Each test registers what a path answers: fixed bytes with headers, or a handler that
writes to the socket itself (for drip-feeding, conditional GET and the like). The
server records the headers of every request so tests can see what the client sent.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from syndicator.sources.http_session import HttpSession

DATA = Path(__file__).resolve().parent.parent / "data"

Handler = Callable[[BaseHTTPRequestHandler], None]


@dataclass
class Seen:
    path: str
    headers: dict[str, str]


@dataclass
class LocalServer:
    base: str
    handlers: dict[str, Handler] = field(default_factory=dict)
    seen: list[Seen] = field(default_factory=list)
    stopping: threading.Event = field(default_factory=threading.Event)

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


def _make_handler(server: LocalServer) -> type[BaseHTTPRequestHandler]:
    class RequestHandler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self) -> None:
            server.seen.append(Seen(self.path, dict(self.headers.items())))
            handler = server.handlers.get(self.path.split("?", 1)[0])
            if handler is None:
                self.send_response(404)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            try:
                handler(self)
            except (BrokenPipeError, ConnectionResetError):
                self.close_connection = True

        def log_message(self, format: str, *args: object) -> None:
            return

    return RequestHandler


@pytest.fixture
def http_server() -> Iterator[LocalServer]:
    """A fresh server per test, shut down (with its drip threads told to stop)."""
    local = LocalServer(base="")
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _make_handler(local))
    httpd.daemon_threads = True
    local.base = f"http://127.0.0.1:{httpd.server_address[1]}"
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
def session() -> Iterator[HttpSession]:
    from syndicator.sources.fetch import make_session

    s = make_session("syndicator-tests/0.1 (+https://example.invalid/tests)")
    yield s
    s.close()
