"""The media folder published over HTTP (``[media] serve``), for platforms that fetch
an image from a public URL themselves (Instagram, Threads).

It serves only what the post log references: a name must be a stored medium's
content-hash name (``posts/<24 hex digits>-<name>.<ext>``, 96 bits: not guessable) and some
delivery's post must name it, so lead images, previews, the database or anything
else in or near the folder are never reachable, whatever the request path holds.
GET and HEAD only; no listing. It may listen on a public address: that is its job.
"""

from __future__ import annotations

import logging
import re
import socket
import threading
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from syndicator.config_sections import listen_address

log = logging.getLogger(__name__)

#: ``rendering.save_media`` names: the first 24 hex digits of the SHA-256, the medium's
#: own name, a type suffix.
STORED_NAME = re.compile(
    r"posts/(?P<name>[0-9a-f]{24}(?:-[A-Za-z0-9._-]+)?\.(?:jpe?g|png|gif|webp))"
)
MIME_TYPES = {
    "jpg": "image/jpeg",
    "jpeg": "image/jpeg",
    "png": "image/png",
    "gif": "image/gif",
    "webp": "image/webp",
}


class MediaServer:
    """A running media server; ``url`` is its base URL, ``stop()`` ends it."""

    def __init__(self, server: ThreadingHTTPServer) -> None:
        self._server = server
        self._thread = threading.Thread(
            target=server.serve_forever,
            kwargs={"poll_interval": 0.1},
            name="media-http",
            daemon=True,
        )
        self._thread.start()

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        name = host.decode() if isinstance(host, bytes) else str(host)
        return f"http://[{name}]:{port}" if ":" in name else f"http://{name}:{port}"

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(5)


def start_media_server(
    address: str, folder: Path, is_referenced: Callable[[str], bool]
) -> MediaServer:
    """Serve ``folder``'s stored post media on ``address`` (HOST:PORT; port 0 picks a
    free one). ``is_referenced(name)`` says whether the post log names a file."""
    host, port = listen_address(address)

    class Server(ThreadingHTTPServer):
        daemon_threads = True
        address_family = socket.AF_INET6 if ":" in host else socket.AF_INET

    server = Server((host, port), _handler(folder, is_referenced))
    running = MediaServer(server)
    log.info("media folder %s published on %s/", folder, running.url)
    return running


def _handler(folder: Path, is_referenced: Callable[[str], bool]) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        server_version = "syndicator-media"
        sys_version = ""

        def do_GET(self) -> None:
            self._answer(with_body=True)

        def do_HEAD(self) -> None:
            self._answer(with_body=False)

        def _answer(self, *, with_body: bool) -> None:
            path = self.path.split("?", 1)[0].lstrip("/")
            match = STORED_NAME.fullmatch(path)
            data = None
            if match is not None:
                try:
                    if is_referenced(match["name"]):
                        data = (folder / "posts" / match["name"]).read_bytes()
                except OSError:
                    data = None
                except Exception:  # the post log is unreachable: say so, keep serving
                    log.exception("media server: cannot read the post log")
                    self._send(503, b"post log unavailable\n", "text/plain", with_body)
                    return
            if data is None:
                self._send(404, b"not found\n", "text/plain", with_body)
                return
            mime = MIME_TYPES[match["name"].rsplit(".", 1)[1]]  # type: ignore[index]
            self._send(200, data, mime, with_body, cache=True)

        def _send(
            self, status: int, body: bytes, mime: str, with_body: bool, *, cache: bool = False
        ) -> None:
            self.send_response(status)
            self.send_header("Content-Type", mime)
            self.send_header("Content-Length", str(len(body)))
            self.send_header("X-Content-Type-Options", "nosniff")
            if cache:  # a content-hash name never changes what it names
                self.send_header("Cache-Control", "public, max-age=31536000, immutable")
            self.end_headers()
            if with_body:
                self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:
            log.debug("media server: " + format, *args)

    return Handler
