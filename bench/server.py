"""The loopback feed server for benchmarks: nginx serving the farm statically.

Why nginx and not a Python server: the server must never be the bottleneck and
its conditional-GET handling (ETag, If-Modified-Since, 304) must be the real
thing every tool meets on the web. Added latency uses Debian's
``libnginx-mod-http-echo``: ``echo_sleep`` is a non-blocking timer, then
``echo_exec`` hands the request to the static handler, so 304s stay nginx's own.
The access log has one line per request with status and bytes sent, which is
how requests and bytes are counted without instrumenting any tool.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
from dataclasses import dataclass

ECHO_MODULE = "/usr/lib/nginx/modules/ngx_http_echo_module.so"

CONF = """{load}
worker_processes 2;
pid {root}/nginx.pid;
error_log {root}/error.log warn;
events {{ worker_connections 4096; }}
http {{
  types {{ application/xml xml; }}
  default_type application/octet-stream;
  log_format counts '$status $bytes_sent $uri';
  access_log {root}/access.log counts;
  client_body_temp_path {root}/tmp; proxy_temp_path {root}/tmp;
  fastcgi_temp_path {root}/tmp; uwsgi_temp_path {root}/tmp; scgi_temp_path {root}/tmp;
  sendfile on; keepalive_requests 1000000; keepalive_timeout 120;
  etag on; if_modified_since exact; gzip off;
  server {{
    listen 127.0.0.1:{port};
    location /feeds/ {{ {feeds} }}
    location @farm {{ root {farm}; }}
  }}
}}
"""


@dataclass
class Traffic:
    requests: int = 0
    ok: int = 0
    not_modified: int = 0
    other: int = 0
    bytes_sent: int = 0


class FeedServer:
    """``with FeedServer(workdir, farm, port, latency_ms) as server:`` runs nginx for
    the block and stops it (by its own pid) afterwards."""

    def __init__(self, workdir: str, farm: str, port: int, latency_ms: int = 0) -> None:
        self.root = os.path.join(workdir, "nginx")
        self.farm, self.port, self.latency_ms = os.path.abspath(farm), port, latency_ms
        self.log = os.path.join(self.root, "access.log")
        self._proc: subprocess.Popen[bytes] | None = None

    def _write_conf(self) -> str:
        os.makedirs(os.path.join(self.root, "tmp"), exist_ok=True)
        if self.latency_ms:
            if not os.path.exists(ECHO_MODULE):
                raise SystemExit("latency needs: apt-get install libnginx-mod-http-echo")
            load = f"load_module {ECHO_MODULE};"
            feeds = f"echo_sleep {self.latency_ms / 1000:.3f}; echo_exec @farm;"
        else:
            load, feeds = "", f"root {self.farm};"
        path = os.path.join(self.root, "nginx.conf")
        with open(path, "w") as fh:
            fh.write(
                CONF.format(load=load, root=self.root, port=self.port, feeds=feeds, farm=self.farm)
            )
        return path

    def __enter__(self) -> FeedServer:
        try:  # another server on the port would silently take our requests
            socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
        except OSError:
            pass
        else:
            raise SystemExit(f"port {self.port} is already in use: pick another with --port")
        conf = self._write_conf()
        open(self.log, "ab").close()
        self._proc = subprocess.Popen(
            ["nginx", "-c", conf, "-g", "daemon off;"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        for _ in range(200):
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                return self
            except OSError as exc:
                if self._proc.poll() is not None:
                    raise SystemExit("nginx failed: " + self._proc.stderr.read().decode()) from exc  # type: ignore[union-attr]
                time.sleep(0.05)
        raise SystemExit("nginx did not start")

    def __exit__(self, *exc: object) -> None:
        if self._proc is not None:
            self._proc.send_signal(signal.SIGQUIT)  # graceful stop of our own nginx
            try:
                self._proc.wait(10)
            except subprocess.TimeoutExpired:
                self._proc.kill()
                self._proc.wait()

    def mark(self) -> int:
        """A position in the access log; ``traffic_since(mark)`` counts after it."""
        time.sleep(0.2)  # nginx writes log lines after the response
        return os.path.getsize(self.log)

    def traffic_since(self, mark: int) -> Traffic:
        time.sleep(0.3)
        traffic = Traffic()
        with open(self.log, "rb") as fh:
            fh.seek(mark)
            lines = fh.read().decode("utf-8", "replace").splitlines()
        for line in lines:
            status, sent, uri = [*line.split(" ", 2), "", ""][:3]
            if not uri.startswith("/feeds/"):
                continue
            traffic.requests += 1
            traffic.ok += status == "200"
            traffic.not_modified += status == "304"
            traffic.other += status not in ("200", "304")
            traffic.bytes_sent += int(sent or 0)
        return traffic
