"""An aiohttp application listening on the running event loop: the service's
health endpoint and the dashboard share the loop that polls and drains."""

from __future__ import annotations

from dataclasses import dataclass

from aiohttp import web

__all__ = ["Site", "open_site"]


@dataclass
class Site:
    """A listening application; ``url`` is its base URL (the port chosen when 0)."""

    runner: web.AppRunner
    url: str

    async def stop(self) -> None:
        await self.runner.cleanup()


async def open_site(app: web.Application, host: str, port: int) -> Site:
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    await web.TCPSite(runner, host, port).start()
    bound_port = runner.addresses[0][1]
    shown = f"[{host}]" if ":" in host else host
    return Site(runner, f"http://{shown}:{bound_port}")
