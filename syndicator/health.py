"""The service's small HTTP endpoint (opt-in with ``[service] http``): ``/healthz`` for
a supervisor and ``/metrics`` in the Prometheus text format, served from the
service's event loop (``/healthz`` reads only this process's counters, so it answers
at once however busy a poll round is).

It listens on a loopback address only (the config refuses others): it has no
authentication, and what it shows (source names, targets, counts) is for the machine's
own monitoring agent. Counts that must survive a restart (deliveries by state, errors
by target, a source's last success) are read from the post log on each scrape; polls
and new articles are counted by this process since it started.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Iterable
from datetime import datetime
from functools import partial
from typing import TYPE_CHECKING

from aiohttp import web

from syndicator.config import loopback_address
from syndicator.http_site import Site, open_site
from syndicator.store import polls

if TYPE_CHECKING:
    from syndicator.service import Service

log = logging.getLogger(__name__)

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
STALE_ROUNDS = 10  # /healthz fails when no drain round ran for this many drain intervals


async def start_health_server(service: Service, address: str) -> Site:
    """Serve ``/healthz`` and ``/metrics`` for ``service`` on ``address`` (HOST:PORT;
    port 0 picks a free one, see ``Site.url``), from the running loop."""
    host, port = loopback_address(address)
    app = web.Application()
    app.router.add_get("/healthz", partial(_healthz, service))
    app.router.add_get("/metrics", partial(_metrics, service))
    site = await open_site(app, host, port)
    log.info("health and metrics on %s/healthz and %s/metrics", site.url, site.url)
    return site


async def _healthz(service: Service, request: web.Request) -> web.Response:
    healthy, report = health(service)
    return web.json_response(report, status=200 if healthy else 503)


async def _metrics(service: Service, request: web.Request) -> web.Response:
    try:  # the post log is read in a worker thread: the loop keeps answering
        text = await asyncio.to_thread(render_metrics, service)
    except Exception as exc:  # a store hiccup must not kill the endpoint
        log.warning("/metrics failed: %s", exc)
        return web.Response(status=500, text=f"error: {type(exc).__name__}\n")
    return web.Response(text=text, headers={"Content-Type": CONTENT_TYPE})


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
    from syndicator.store import deliveries

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
    _source_families(lines, sources)
    if stats.last_round_at is not None:
        _family(
            lines,
            "syndicator_last_round_timestamp_seconds",
            "gauge",
            "When the last drain round ended (Unix time).",
            [({}, stats.last_round_at)],
        )
    return "\n".join(lines) + "\n"


def _source_families(lines: list[str], sources: dict[str, polls.SourceState]) -> None:
    """Each source's last success and failures in a row, from the post log."""
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
