"""The dashboard's pages (GET): Overview, Queue, Articles, an article, Log, Post.

Each handler reads what its page shows in one worker-thread call and renders it;
nothing here changes the post log (that is ``actions``)."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from pathlib import Path
from typing import Any

from aiohttp import web

from syndicator.engine import Engine
from syndicator.explain import explanation
from syndicator.models import DeliveryState
from syndicator.send_times import next_sends
from syndicator.store import articles as article_store
from syndicator.store import deliveries, pauses, polls
from syndicator.store import users as user_store
from syndicator.web import queries
from syndicator.web.app import WebContext, blocking, context_of, current_user, render, require

STATES = [s.value for s in DeliveryState]


def add_routes(router: web.UrlDispatcher) -> None:
    router.add_get("/", overview)
    router.add_get("/queue", queue)
    router.add_get("/articles", articles)
    router.add_get("/articles/{id:\\d+}", article)
    router.add_get("/log", log_page)
    router.add_get("/log.csv", log_csv)
    router.add_get("/post", post_form)
    router.add_get("/users", users_page)
    router.add_get("/media/{id:\\d+}/{index:\\d+}", delivery_media)
    router.add_get("/media/preview/{name}", preview_media)
    router.add_get("/login", login_form)


async def login_form(request: web.Request) -> web.Response:
    return render(request, "login.html", error=None, next=request.query.get("next", "/"))


# -- Overview -------------------------------------------------------------------


@dataclass(frozen=True)
class TargetHealth:
    name: str
    adapter: str
    pending: int
    held: int
    retrying: int
    unknown: int
    paused_until: datetime | None
    next_send: datetime | None


def _overview(context: WebContext) -> dict[str, Any]:
    engine = context.engine
    now = engine.clock.now()
    with engine.store.read() as connection:
        states = polls.load_all(connection)
        counts = deliveries.count_by_state(connection)
        sends = next_sends(engine, connection, now)
        paused = {name: pauses.paused(connection, name, now=now) for name in engine.targets}
        errors = queries.recent_errors(connection)
    running, pid = engine.store.run_lock().holder()
    holder = (f"pid {pid}" if pid else "running") if running else None
    sources = [(source, states.get(source.name)) for source in engine.config.sources]
    targets = [
        TargetHealth(
            name=name,
            adapter=bound.config.adapter,
            pending=counts.get((name, "pending"), 0),
            held=counts.get((name, "held"), 0),
            retrying=counts.get((name, "retry"), 0),
            unknown=counts.get((name, "unknown"), 0),
            paused_until=(paused[name] or (None, ""))[0],
            next_send=sends.get(name),
        )
        for name, bound in engine.targets.items()
    ]
    return {"sources": sources, "targets": targets, "errors": errors, "holder": holder}


async def overview(request: web.Request) -> web.Response:
    context = context_of(request)
    data = await blocking(_overview, context)
    running = context.service_pid is not None or data["holder"] is not None
    pid = f"pid {context.service_pid}" if context.service_pid else data["holder"]
    since = (
        datetime.fromtimestamp(context.service_since).astimezone()
        if context.service_since
        else None
    )
    return render(
        request,
        "overview.html",
        running=running,
        pid=pid,
        since=since,
        store=repr(context.engine.store),
        **{k: v for k, v in data.items() if k != "holder"},
    )


# -- Queue ------------------------------------------------------------------------


def _queue(engine: Engine) -> dict[str, Any]:
    with engine.store.read() as connection:
        rows = queries.held(connection)
        notes = queries.notes_for(connection, [r.id for r in rows])
    items = []
    for row in rows:
        post = json.loads(row.post or "{}")
        media = [i for i, m in enumerate(post.get("media", [])) if m.get("path")]
        items.append({"row": row, "post": post, "media": media, "notes": notes.get(row.id, [])})
    return {"items": items}


async def queue(request: web.Request) -> web.Response:
    current_user(request)
    data = await blocking(_queue, context_of(request).engine)
    return render(request, "queue.html", message=request.query.get("m"), **data)


# -- Articles -------------------------------------------------------------------


def _day(value: str | None, context: WebContext, *, end: bool = False) -> datetime | None:
    """A date from a form (YYYY-MM-DD), as the start (or the end) of that day in the
    service's timezone; None when absent or not a date."""
    if not value:
        return None
    try:
        day = datetime.strptime(value, "%Y-%m-%d").date()
    except ValueError:
        return None
    moment = datetime.combine(day, time(0), tzinfo=context.zone)
    return moment + timedelta(days=1) if end else moment


def _state(value: str | None) -> DeliveryState | None:
    return DeliveryState(value) if value in STATES else None


def _page(request: web.Request) -> int:
    try:
        return max(1, int(request.query.get("page", "1")))
    except ValueError:
        return 1


async def articles(request: web.Request) -> web.Response:
    current_user(request)
    context = context_of(request)
    q = request.query
    page = _page(request)

    def read() -> tuple[list[queries.ArticleRow], int]:
        with context.engine.store.read() as connection:
            return queries.articles_page(
                connection,
                query=q.get("q", "").strip(),
                source=q.get("source") or None,
                state=_state(q.get("state")),
                since=_day(q.get("since"), context),
                until=_day(q.get("until"), context, end=True),
                page=page,
            )

    rows, total = await blocking(read)
    return render(
        request,
        "articles.html",
        rows=rows,
        total=total,
        page=page,
        pages=max(1, -(-total // queries.PAGE_SIZE)),
        query=dict(q),
        sources=[s.name for s in context.engine.config.sources],
        states=STATES,
    )


def _article(engine: Engine, article_id: int) -> dict[str, Any] | None:
    with engine.store.read() as connection:
        found = article_store.load_article(connection, article_id)
        if found is None:
            return None
        rows = deliveries.for_article(connection, article_id)
        history = {row.id: deliveries.events_for(connection, row.id) for row in rows}
    return {"article": found, "article_id": article_id, "rows": rows, "history": history}


async def article(request: web.Request) -> web.Response:
    current_user(request)
    data = await blocking(_article, context_of(request).engine, int(request.match_info["id"]))
    if data is None:
        raise web.HTTPNotFound(text="no such article")
    why = {row.id: explanation(row) for row in data["rows"]}
    return render(request, "article.html", why=why, message=request.query.get("m"), **data)


# -- Log ------------------------------------------------------------------------


def _log_filter(request: web.Request) -> queries.DeliveryFilter:
    context = context_of(request)
    q = request.query
    return queries.DeliveryFilter(
        target=q.get("target") or None,
        state=_state(q.get("state")),
        since=_day(q.get("since"), context),
        until=_day(q.get("until"), context, end=True),
    )


async def log_page(request: web.Request) -> web.Response:
    current_user(request)
    context = context_of(request)
    chosen, page = _log_filter(request), _page(request)

    def read() -> tuple[list[deliveries.DeliveryRow], int]:
        with context.engine.store.read() as connection:
            return queries.deliveries_page(connection, chosen, page=page)

    rows, total = await blocking(read)
    return render(
        request,
        "log.html",
        rows=rows,
        total=total,
        page=page,
        pages=max(1, -(-total // queries.PAGE_SIZE)),
        query=dict(request.query),
        targets=list(context.engine.targets),
        states=STATES,
        csv_query=request.query_string,
    )


async def log_csv(request: web.Request) -> web.Response:
    current_user(request)
    context = context_of(request)
    chosen = _log_filter(request)

    def read() -> str:
        with context.engine.store.read() as connection:
            rows = queries.all_deliveries(connection, chosen)
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(["id", "updated", "state", "target", "title", "url", "remote_url", "error"])
        for row in rows:
            writer.writerow(
                [
                    row.id,
                    context.local(row.updated_at),
                    row.state.value,
                    row.target,
                    row.article_title,
                    row.article_url,
                    row.remote_url or "",
                    row.error or row.reason or "",
                ]
            )
        return out.getvalue()

    body = await blocking(read)
    return web.Response(
        text=body,
        content_type="text/csv",
        charset="utf-8",
        headers={"Content-Disposition": 'attachment; filename="syndicator-log.csv"'},
    )


# -- Post, users, media -------------------------------------------------------------


async def post_form(request: web.Request) -> web.Response:
    require(request, "editor")
    return render(request, "post.html", url="", previews=None, targets=[], message=None)


async def users_page(request: web.Request) -> web.Response:
    require(request, "admin")
    engine = context_of(request).engine

    def read() -> list[user_store.User]:
        with engine.store.read() as connection:
            return user_store.listing(connection)

    return render(request, "users.html", users=await blocking(read))


async def delivery_media(request: web.Request) -> web.StreamResponse:
    """A medium a delivery's post references (a card): only those files are served."""
    current_user(request)
    engine = context_of(request).engine

    def find() -> Path | None:
        with engine.store.read() as connection:
            row = deliveries.get(connection, int(request.match_info["id"]))
        if row is None:
            return None
        media = json.loads(row.post or "{}").get("media", [])
        index = int(request.match_info["index"])
        path = media[index].get("path") if index < len(media) else None
        return Path(path) if path and Path(path).is_file() else None

    path = await blocking(find)
    if path is None:
        raise web.HTTPNotFound(text="no such medium")
    return web.FileResponse(path)


async def preview_media(request: web.Request) -> web.StreamResponse:
    """A card the Post page rendered for a preview (a plain file name, no folders)."""
    current_user(request)
    name = request.match_info["name"]
    folder = context_of(request).engine.media_dir / "preview" / "posts"
    path = folder / name
    if "/" in name or name.startswith(".") or not path.is_file():
        raise web.HTTPNotFound(text="no such medium")
    return web.FileResponse(path)
