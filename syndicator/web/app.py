"""The dashboard as an aiohttp application: routes, the session and CSRF checks,
page rendering. Served from ``syndicator run`` when ``[web] listen`` is set, or on
its own by ``syndicator web`` against the same store.

Handlers never block the event loop: every store call and every render runs in a
worker thread (``blocking``). Pages are Jinja2 templates with autoescaping on;
the only script is ``static/app.js`` (live length counting, select all), and every
form works without it.
"""

from __future__ import annotations

import asyncio
import os
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime
from functools import partial
from pathlib import Path
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

import jinja2
from aiohttp import web

from syndicator.engine import Engine
from syndicator.store import users
from syndicator.web import i18n
from syndicator.web.security import SESSION_COOKIE, LoginThrottle, Session, Sessions, session_key

HERE = Path(__file__).parent
T = TypeVar("T")
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]

CONTEXT: web.AppKey[WebContext] = web.AppKey("context")


@dataclass
class WebContext:
    """What every handler shares: the engine (config, store, targets), the session
    signer, the login throttle, and what the page says about the service."""

    engine: Engine
    sessions: Sessions
    throttle: LoginThrottle = field(default_factory=LoginThrottle)
    service_pid: int | None = None  # set when served from `syndicator run`
    service_since: float | None = None
    templates: jinja2.Environment = field(
        default_factory=lambda: jinja2.Environment(
            loader=jinja2.FileSystemLoader(HERE / "templates"),
            autoescape=True,
            undefined=jinja2.StrictUndefined,
        )
    )

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.engine.config.service.timezone)

    def local(self, moment: datetime | None) -> str:
        """A time as the office reads it: in the service's timezone, with its name."""
        if moment is None:
            return "-"
        return f"{moment.astimezone(self.zone):%Y-%m-%d %H:%M:%S %Z}"


async def blocking(function: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """Run store work or rendering in a thread: the loop never waits on a query."""
    return await asyncio.to_thread(partial(function, *args, **kwargs))


def context_of(request: web.Request) -> WebContext:
    return request.app[CONTEXT]


def current_user(request: web.Request) -> users.User:
    user: users.User | None = request.get("user")
    if user is None:
        raise web.HTTPFound("/login")
    return user


def require(request: web.Request, role: str) -> users.User:
    """The signed-in user, if their role allows ``role``; else a 403 page."""
    user = current_user(request)
    if not user.can(role):
        raise Refused("Your role does not allow this.")
    return user


class Refused(Exception):
    """A 403 with a message the page shows (in the person's language)."""


def language(request: web.Request) -> str:
    return i18n.choose_language(
        request.headers.get("Accept-Language"), request.cookies.get(i18n.COOKIE)
    )


def render(
    request: web.Request, template: str, *, status: int = 200, **values: Any
) -> web.Response:
    context = context_of(request)
    lang = language(request)
    table = i18n.translator(lang)
    session: Session | None = request.get("session")
    page = context.templates.get_template(template).render(
        t=lambda key: i18n.translate(table, key),
        lang=lang,
        user=request.get("user"),
        csrf=session.csrf_token if session else "",
        local=context.local,
        path=request.path_qs,
        **values,
    )
    return web.Response(text=page, status=status, content_type="text/html", charset="utf-8")


@web.middleware
async def session_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Who is asking (from the signed cookie), and a valid CSRF token on every POST."""
    context = context_of(request)
    session = context.sessions.read(request.cookies.get(SESSION_COOKIE))
    if session is not None:
        user = await blocking(_load_user, context.engine, session.user)
        if user is not None:
            request["session"], request["user"] = session, user
    public = request.path in ("/login", "/lang") or request.path.startswith("/static/")
    try:
        if request.method == "POST" and request.path != "/login":
            form = await request.post()
            if session is None or not session.csrf_ok(str(form.get("csrf", ""))):
                raise Refused(
                    "The form has expired or did not come from this page; reload and try again."
                )
        if not public and "user" not in request:
            raise web.HTTPFound("/login?next=" + request.path_qs.replace("&", "%26"))
        return await handler(request)
    except Refused as exc:
        return render(request, "refused.html", status=403, reason=str(exc))


def _load_user(engine: Engine, name: str) -> users.User | None:
    with engine.store.read() as connection:
        return users.get(connection, name)


def build_app(context: WebContext) -> web.Application:
    from syndicator.web import actions, pages

    app = web.Application(middlewares=[session_middleware], client_max_size=1024**2)
    app[CONTEXT] = context
    app.router.add_static("/static/", HERE / "static")
    pages.add_routes(app.router)
    actions.add_routes(app.router)
    return app


def make_context(engine: Engine, *, in_service: bool) -> WebContext:
    return WebContext(
        engine=engine,
        sessions=Sessions(session_key(engine.store.engine)),
        service_pid=os.getpid() if in_service else None,
        service_since=time.time() if in_service else None,
    )
