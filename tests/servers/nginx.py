"""nginx serving a directory on 127.0.0.1, as a real origin for feed polling tests.

nginx gives real conditional GET behaviour: `ETag` (mtime-size in hex) and `Last-Modified`,
304 for `If-None-Match` / `If-Modified-Since`. A file rewritten within the same second with
the same size keeps its ETag, so tests that change a feed must change its mtime or size.
The access log is written as JSON lines so tests can assert what the poller requested.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import time
from dataclasses import dataclass
from pathlib import Path

from tests.servers import NotInstalled
from tests.servers.ports import free_port
from tests.servers.process import ServerProcess

_CONF = """\
{user}
worker_processes 1;
daemon off;
pid {prefix}/nginx.pid;
events {{ worker_connections 64; }}
http {{
  include {mime_types};
  types {{ application/rss+xml rss; application/atom+xml atom; application/feed+json json; }}
  log_format syndic escape=json '{{"method":"$request_method","path":"$request_uri",'
    '"status":$status,"bytes":$body_bytes_sent,"if_none_match":"$http_if_none_match",'
    '"if_modified_since":"$http_if_modified_since","user_agent":"$http_user_agent","msec":$msec}}';
  access_log {prefix}/access.log syndic;
  client_body_temp_path {prefix}/tmp/body;
  proxy_temp_path {prefix}/tmp/proxy;
  fastcgi_temp_path {prefix}/tmp/fastcgi;
  uwsgi_temp_path {prefix}/tmp/uwsgi;
  scgi_temp_path {prefix}/tmp/scgi;
  server {{
    listen 127.0.0.1:{port};
    root {root};
    etag on;
    if_modified_since exact;
{extra}
  }}
}}
"""


@dataclass(frozen=True)
class AccessLogEntry:
    method: str
    path: str
    status: int
    bytes: int
    if_none_match: str
    if_modified_since: str
    user_agent: str
    msec: float = 0.0  # when the request was logged, seconds since the epoch


@dataclass
class NginxSite:
    """A running nginx: `url` (no trailing slash) and the requests it has served so far."""

    url: str
    root: Path
    prefix: Path
    process: ServerProcess

    def access_log(self, *, expect: int = 0, timeout: float = 5.0) -> list[AccessLogEntry]:
        """Every request served so far, oldest first. nginx writes a request's line
        just after the response has gone out, so a client can be faster than the log:
        ``expect`` waits (up to ``timeout``) until at least that many lines are there."""
        deadline = time.monotonic() + timeout
        while True:
            entries = self._read_log()
            if len(entries) >= expect or time.monotonic() > deadline:
                return entries
            time.sleep(0.02)

    def _read_log(self) -> list[AccessLogEntry]:
        path = self.prefix / "access.log"
        if not path.exists():
            return []
        lines = path.read_text(encoding="utf-8").splitlines()
        return [AccessLogEntry(**json.loads(line)) for line in lines if line.strip()]

    def stop(self) -> None:
        self.process.stop()


def nginx_binary() -> str:
    found = shutil.which("nginx", path=f"{os.environ.get('PATH', '')}:/usr/sbin")
    if found is None:
        raise NotInstalled("nginx", "nginx on PATH or /usr/sbin/nginx")
    return found


def start_nginx(root: Path, prefix: Path, *, extra_conf: str = "") -> NginxSite:
    """Serve `root` from a fresh nginx whose conf, logs and temp files live in `prefix`.

    `extra_conf` is pasted inside the `server` block (e.g. a `location` adding a header).
    As root, workers also run as root: pytest's tmp dirs are private to root, and the
    default `nobody` worker could not read them.
    """
    binary = nginx_binary()
    (prefix / "tmp").mkdir(parents=True, exist_ok=True)
    port = free_port()
    conf = prefix / "nginx.conf"
    conf.write_text(
        _CONF.format(
            user="user root;" if os.geteuid() == 0 else "",
            prefix=prefix,
            mime_types="/etc/nginx/mime.types",
            port=port,
            root=root.resolve(),
            extra=extra_conf,
        )
    )
    process = ServerProcess(
        [binary, "-p", str(prefix), "-c", str(conf), "-e", str(prefix / "error.log")],
        prefix / "stdout.log",
        stop_signal=signal.SIGQUIT,
    )
    site = NginxSite(url=f"http://127.0.0.1:{port}", root=root, prefix=prefix, process=process)
    process.wait_ready(
        lambda: (prefix / "nginx.pid").exists() and _accepts(port),
        timeout=30,
        what="nginx",
        log=lambda: (
            (prefix / "error.log").read_text(errors="replace")
            if (prefix / "error.log").exists()
            else process.log_tail()
        ),
    )
    return site


def _accepts(port: int) -> bool:
    with socket.socket() as s:
        s.settimeout(1)
        return s.connect_ex(("127.0.0.1", port)) == 0
