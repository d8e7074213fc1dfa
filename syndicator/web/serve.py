"""Where the dashboard listens, and who may reach it.

It binds to loopback unless ``[web] listen`` names another address, and refuses a
non-loopback address while the store has no user (an open dashboard on the network
would let anyone approve posts). ``syndicator web`` serves it in the foreground;
``syndicator run`` serves it from the service's own event loop.
"""

from __future__ import annotations

import asyncio
import ipaddress
import logging

from aiohttp import web

from syndicator.engine import Engine
from syndicator.errors import ConfigError
from syndicator.http_site import Site, open_site
from syndicator.store import users
from syndicator.web.app import build_app, make_context

log = logging.getLogger(__name__)

DEFAULT_LISTEN = "127.0.0.1:8080"


def parse_listen(listen: str) -> tuple[str, int]:
    host, _, port = listen.rpartition(":")
    host = host.strip("[]") or "127.0.0.1"
    try:
        number = int(port)
    except ValueError:
        raise ConfigError(f"web.listen: expected HOST:PORT, got {listen!r}") from None
    if not 0 <= number <= 65535:
        raise ConfigError(f"web.listen: port {number} is out of range")
    return host, number


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def check_exposure(engine: Engine, host: str) -> None:
    """Refuse to serve beyond this machine while nobody could log in."""
    if _is_loopback(host):
        return
    with engine.store.read() as connection:
        if users.count(connection) == 0:
            raise ConfigError(
                f"web.listen: {host} is reachable from other machines and the store has no "
                "user yet; add one first (syndicator user add NAME --role admin --password-stdin)"
            )


async def start_dashboard(engine: Engine, listen: str) -> Site:
    """Serve the dashboard from the running loop (``syndicator run``'s own)."""
    host, port = parse_listen(listen)
    await asyncio.to_thread(check_exposure, engine, host)
    app = build_app(make_context(engine, in_service=True))
    site = await open_site(app, host, port)
    log.info("dashboard on %s", site.url)
    return site


def run_dashboard(engine: Engine, listen: str | None) -> int:
    host, port = parse_listen(listen or DEFAULT_LISTEN)
    check_exposure(engine, host)
    app = build_app(make_context(engine, in_service=False))
    print(f"dashboard on http://{host}:{port} (Ctrl-C stops it)")
    web.run_app(app, host=host, port=port, access_log=None, print=None)
    return 0
