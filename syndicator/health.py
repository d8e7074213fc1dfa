"""The service's small HTTP endpoint (opt-in with ``[service] http``): ``/healthz`` for
a supervisor and ``/metrics`` in the Prometheus text format.

It listens on a loopback address only (the config refuses others): it has no
authentication, and what it shows (source names, targets, counts) is for the machine's
own monitoring agent. Counts that must survive a restart (deliveries by state, errors
by target, a source's last success) are read from the post log on each scrape; polls
and new articles are counted by this process since it started.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Iterable
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TYPE_CHECKING, Any

from syndicator.config import loopback_address

if TYPE_CHECKING:
    from syndicator.service import Service

log = logging.getLogger(__name__)

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
STALE_ROUNDS = 10  # /healthz fails when no drain round ran for this many drain intervals


class HealthServer:
    """A running endpoint; ``url`` is its base URL, ``stop()`` ends it."""

    def __init__(self, server: ThreadingHTTPServer) -> None:
        self._server = server
        self._thread = threading.Thread(
            target=server.serve_forever, name="health-http", daemon=True
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


def start_health_server(service: Service, address: str) -> HealthServer:
    """Serve ``/healthz`` and ``/metrics`` for ``service`` on ``address`` (HOST:PORT;
    port 0 picks a free one, see ``HealthServer.url``)."""
    import socket

    host, port = loopback_address(address)

    class Server(ThreadingHTTPServer):
        daemon_threads = True
        address_family = socket.AF_INET6 if ":" in host else socket.AF_INET

    server = Server((host, port), _handler(service))
    running = HealthServer(server)
    log.info("health and metrics on %s/healthz and %s/metrics", running.url, running.url)
    return running


def _handler(service: Service) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self) -> None:
            path = self.path.split("?", 1)[0]
            try:
                if path == "/healthz":
                    healthy, report = health(service)
                    self._send(200 if healthy else 503, "application/json", json.dumps(report))
                elif path == "/metrics":
                    self._send(200, CONTENT_TYPE, render_metrics(service))
                else:
                    self._send(404, "text/plain", "not found: try /healthz or /metrics\n")
            except Exception as exc:  # a store hiccup must not kill the endpoint
                log.warning("%s failed: %s", path, exc)
                self._send(500, "text/plain", f"error: {type(exc).__name__}\n")

        def _send(self, status: int, content_type: str, text: str) -> None:
            body = text.encode("utf-8")
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:
            pass  # scrapes every few seconds would drown the service's own log

    return Handler


def health(service: Service) -> tuple[bool, dict[str, object]]:
    """Healthy when started, not stopping, and a drain round ran recently."""
    stats = service.stats
    now = time.time()
    limit = STALE_ROUNDS * max(1.0, service.engine.config.service.drain_every.total_seconds())
    last = stats.last_round_at
    if service.stop_event.is_set():
        status = "stopping"
    elif not stats.started:
        status = "starting"
    elif now - (last if last is not None else stats.created_at) > limit:
        status = "stalled"
    else:
        status = "ok"
    report = {
        "status": status,
        "uptime_seconds": round(now - stats.created_at, 1),
        "last_round_age_seconds": None if last is None else round(now - last, 1),
        "rounds": stats.rounds,
    }
    return status == "ok", report


def render_metrics(service: Service) -> str:
    """The Prometheus text exposition of the service's counters and the post log."""
    from syndicator.store import deliveries, polls

    stats = service.stats
    with service.engine.store.begin() as connection:
        by_state = deliveries.count_by_state(connection)
        errors = deliveries.errors_by_target(connection)
        sources = polls.load_all(connection)
    lines: list[str] = []
    _family(
        lines,
        "syndicator_polls_total",
        "counter",
        "Source polls by this process, by outcome.",
        ((({"outcome": k}), v) for k, v in sorted(stats.polls.items())),
    )
    _family(
        lines,
        "syndicator_new_articles_total",
        "counter",
        "New articles recorded by this process, by source.",
        (({"source": k}, v) for k, v in sorted(stats.new_articles.items())),
    )
    _family(
        lines,
        "syndicator_deliveries",
        "gauge",
        "Deliveries in the post log, by target and state.",
        (({"target": t, "state": s}, v) for (t, s), v in sorted(by_state.items())),
    )
    _family(
        lines,
        "syndicator_delivery_errors_total",
        "counter",
        "Failed publish attempts recorded in the post log, by target.",
        (({"target": t}, v) for t, v in sorted(errors.items())),
    )
    _family(
        lines,
        "syndicator_source_last_success_timestamp_seconds",
        "gauge",
        "When each source was last polled successfully (Unix time).",
        (
            ({"source": name}, _unix(state.last_success_at))
            for name, state in sorted(sources.items())
            if state.last_success_at is not None
        ),
    )
    _family(
        lines,
        "syndicator_source_consecutive_failures",
        "gauge",
        "Failed polls in a row, by source (0 after a success).",
        (({"source": name}, state.failures) for name, state in sorted(sources.items())),
    )
    if stats.last_round_at is not None:
        _family(
            lines,
            "syndicator_last_round_timestamp_seconds",
            "gauge",
            "When the last drain round ended (Unix time).",
            [({}, stats.last_round_at)],
        )
    return "\n".join(lines) + "\n"


def _unix(moment: datetime) -> float:
    return moment.timestamp()


def _family(
    lines: list[str],
    name: str,
    kind: str,
    help_text: str,
    samples: Iterable[tuple[dict[str, str], float]],
) -> None:
    lines.append(f"# HELP {name} {help_text}")
    lines.append(f"# TYPE {name} {kind}")
    for labels, value in samples:
        label_text = ",".join(f'{k}="{_escape(v)}"' for k, v in labels.items())
        number = repr(float(value)) if isinstance(value, float) else str(value)
        lines.append(f"{name}{{{label_text}}} {number}" if label_text else f"{name} {number}")


def _escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
