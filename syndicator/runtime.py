"""``syndicator run`` on one event loop: the service, its health endpoint and the
dashboard share the loop and its one HTTP client for sources; the media server
(plain files for platforms that fetch them) keeps a thread of its own."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from syndicator.engine import Engine
from syndicator.http_site import Site
from syndicator.service import Service, install_signal_handlers

if TYPE_CHECKING:
    from syndicator.media_server import MediaServer

log = logging.getLogger(__name__)

__all__ = ["serve"]


async def serve(engine: Engine) -> None:
    """Run the service until SIGTERM or SIGINT, with what ``[service] http``,
    ``[web] listen`` and ``[media] serve`` ask for beside it."""
    from syndicator.poll import poller_of

    config = engine.config
    service = Service(engine, config_path=config.path)
    install_signal_handlers(service)
    fetcher = poller_of(engine).open_fetcher()
    sites: list[Site] = []
    media: MediaServer | None = None
    try:
        if config.service.http:
            from syndicator.health import start_health_server

            sites.append(await start_health_server(service, config.service.http))
        if config.web.listen:
            from syndicator.web.serve import start_dashboard

            sites.append(await start_dashboard(engine, config.web.listen))
        if config.media.serve:
            media = serve_media(engine)
        await service.run(fetcher)
    finally:
        for site in sites:
            await site.stop()
        if media is not None:
            media.stop()
        await fetcher.close()


def serve_media(engine: Engine) -> MediaServer:
    """Publish the media folder's posted files for platforms that fetch them."""
    from syndicator.media_server import start_media_server
    from syndicator.store.deliveries import references_media

    def is_referenced(name: str) -> bool:
        with engine.store.read() as connection:
            return references_media(connection, name)

    assert engine.config.media.serve is not None
    return start_media_server(engine.config.media.serve, engine.media_dir, is_referenced)
