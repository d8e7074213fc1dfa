"""A small threaded HTTP server on loopback (127.0.0.1 unless asked) for platform contract stubs.

Platforms that cannot run here (Weibo, WeChat, X, Telegram, ...) are tested against a local
server that implements their documented HTTP contract. This module gives the plumbing only:
you write `handler(request) -> (status, headers, body)`; every request is recorded so the
test can assert exactly what the adapter sent.

    def handler(req: Request) -> Response:
        if req.headers.get("Authorization") != "Bearer good":
            return 401, {}, {"error": "invalid token"}
        return 200, {}, {"id": "42", "url": "https://example.test/42"}

    stub = http_server(handler)          # the conftest fixture; or `with serve(handler) as stub`
    ... call stub.url + "/api/post" ...
    assert stub.requests[0].json()["text"] == "..."

A body may be bytes, str (sent as UTF-8 text) or a dict/list (sent as JSON). If the handler
raises, the client gets a 500 and the exception is kept in `stub.errors` (the fixture fails
the test with it, so a broken stub never looks like a broken adapter).
"""

from __future__ import annotations

import contextlib
import json
import socket
import threading
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

Body = bytes | str | dict[str, Any] | list[Any]
Response = tuple[int, Mapping[str, str], Body]


@dataclass(frozen=True)
class Request:
    """One recorded request. `headers` keys are as sent; use `header()` for any case."""

    method: str
    target: str  # path plus query string, as sent
    headers: dict[str, str]
    body: bytes

    @property
    def path(self) -> str:
        return urlsplit(self.target).path

    @property
    def query(self) -> dict[str, list[str]]:
        return parse_qs(urlsplit(self.target).query, keep_blank_values=True)

    def header(self, name: str, default: str | None = None) -> str | None:
        lowered = name.lower()
        return next((v for k, v in self.headers.items() if k.lower() == lowered), default)

    def json(self) -> Any:
        return json.loads(self.body)

    def form(self) -> dict[str, list[str]]:
        return parse_qs(self.body.decode(), keep_blank_values=True)


Handler = Callable[[Request], Response]


@dataclass
class StubServer:
    url: str
    requests: list[Request] = field(default_factory=list)
    errors: list[BaseException] = field(default_factory=list)


def _encode(body: Body, headers: dict[str, str]) -> bytes:
    """Bytes for the wire; sets a Content-Type for JSON and text unless the handler did."""
    typed = any(name.lower() == "content-type" for name in headers)
    if isinstance(body, dict | list):
        if not typed:
            headers["Content-Type"] = "application/json"
        return json.dumps(body, ensure_ascii=False).encode()
    if isinstance(body, str):
        if not typed:
            headers["Content-Type"] = "text/plain; charset=utf-8"
        return body.encode()
    return body


def _request_handler(stub: StubServer, handler: Handler, lock: threading.Lock) -> type:
    class _Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        disable_nagle_algorithm = True  # headers and body go out in two writes: no 40 ms wait

        def _serve(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            request = Request(
                method=self.command,
                target=self.path,
                headers=dict(self.headers.items()),
                body=self.rfile.read(length) if length else b"",
            )
            with lock:
                stub.requests.append(request)
            try:
                status, given, body = handler(request)
                headers = dict(given)
                payload = _encode(body, headers)
            except Exception as exc:  # reported to the test by the fixture
                with lock:
                    stub.errors.append(exc)
                status, headers, payload = 500, {"Content-Type": "text/plain"}, repr(exc).encode()
            self.send_response(status)
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(payload)

        do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = do_OPTIONS = _serve

        def log_message(self, format: str, *args: Any) -> None:
            pass  # the recorded requests are the log

    return _Handler


class _IPv6Server(ThreadingHTTPServer):
    address_family = socket.AF_INET6


@contextlib.contextmanager
def serve(handler: Handler, *, host: str = "127.0.0.1") -> Iterator[StubServer]:
    """Run a stub server for the duration of the `with` block, on ``host`` (any
    loopback address: ``127.0.0.2`` or ``::1`` too)."""
    stub = StubServer(url="")
    server_class = _IPv6Server if ":" in host else ThreadingHTTPServer
    server = server_class((host, 0), _request_handler(stub, handler, threading.Lock()))
    server.daemon_threads = True
    shown = f"[{host}]" if ":" in host else host
    stub.url = f"http://{shown}:{server.server_address[1]}"
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.05}, name="stub-http", daemon=True
    )
    thread.start()
    try:
        yield stub
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)
