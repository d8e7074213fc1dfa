"""What the dashboard changes (POST): logging in and out, the Queue's approvals,
rejections, edits and notes, retry and resolve on an article's page, posting a URL,
managing users. Every change goes through ``syndicator.operator`` or
``syndicator.manual`` (the same code the CLI uses) with the user's name, so the
delivery's history says who did it. The session middleware has already checked the
CSRF token; each handler checks the role."""

from __future__ import annotations

from urllib.parse import quote

from aiohttp import web

from syndicator import manual, operator
from syndicator.errors import SyndicatorError
from syndicator.store import deliveries
from syndicator.store import users as user_store
from syndicator.store.codec import post_from_json
from syndicator.text import measure
from syndicator.web.app import blocking, context_of, render, require
from syndicator.web.security import SESSION_COOKIE, SESSION_HOURS, check_login, hash_password


def add_routes(router: web.UrlDispatcher) -> None:
    router.add_post("/login", login)
    router.add_post("/logout", logout)
    router.add_get("/lang", switch_language)
    router.add_post("/queue/approve", approve_selected)
    router.add_post("/deliveries/{id:\\d+}/{action:approve|reject|retry}", delivery_action)
    router.add_post("/deliveries/{id:\\d+}/text", edit_text)
    router.add_post("/deliveries/{id:\\d+}/note", add_note)
    router.add_post("/deliveries/{id:\\d+}/resolve", resolve)
    router.add_post("/measure", measure_text)
    router.add_post("/post", post_url)
    router.add_post("/users", add_user)
    router.add_post("/users/{name}/remove", remove_user)


def _back(request: web.Request, default: str, message: str) -> web.HTTPFound:
    """Back to the page the form was on, with what happened."""
    target = str(request.get("form", {}).get("back", "")) or default
    if not target.startswith("/") or target.startswith("//"):
        target = default
    separator = "&" if "?" in target else "?"
    return web.HTTPFound(f"{target}{separator}m={quote(message)}")


# -- session ----------------------------------------------------------------------


async def login(request: web.Request) -> web.StreamResponse:
    context = context_of(request)
    form = await request.post()
    name, password = str(form.get("username", "")).strip(), str(form.get("password", ""))
    wanted = str(form.get("next", "/"))
    wanted = wanted if wanted.startswith("/") and not wanted.startswith("//") else "/"
    keys = (f"ip:{request.remote}", f"user:{name}")
    if context.throttle.blocked(*keys):
        return render(
            request,
            "login.html",
            status=429,
            error="Too many attempts; wait a minute and try again.",
            next=wanted,
        )

    def verify() -> bool:
        with context.engine.store.read() as connection:
            found = user_store.find(connection, name)
        return check_login(found[1] if found else None, password)

    if not await blocking(verify):
        context.throttle.failed(*keys)
        return render(
            request, "login.html", status=401, error="Wrong username or password.", next=wanted
        )
    context.throttle.succeeded(*keys)
    _session, cookie = context.sessions.new(name)
    response = web.HTTPFound(wanted)
    response.set_cookie(
        SESSION_COOKIE,
        cookie,
        max_age=SESSION_HOURS * 3600,
        httponly=True,
        samesite="Strict",
        secure=request.secure,
        path="/",
    )
    return response


async def logout(request: web.Request) -> web.StreamResponse:
    response = web.HTTPFound("/login")
    response.del_cookie(SESSION_COOKIE, path="/")
    return response


async def switch_language(request: web.Request) -> web.StreamResponse:
    from syndicator.web.i18n import COOKIE, LANGUAGES

    chosen = request.query.get("to", "en")
    back = request.query.get("back", "/")
    response = web.HTTPFound(back if back.startswith("/") and not back.startswith("//") else "/")
    if chosen in LANGUAGES:
        response.set_cookie(COOKIE, chosen, max_age=365 * 86400, samesite="Lax", path="/")
    return response


# -- deliveries -----------------------------------------------------------------


async def _form(request: web.Request) -> dict[str, str]:
    form = {k: str(v) for k, v in (await request.post()).items()}
    request["form"] = form
    return form


async def delivery_action(request: web.Request) -> web.StreamResponse:
    user = require(request, "editor")
    await _form(request)
    delivery_id, action = int(request.match_info["id"]), request.match_info["action"]
    engine = context_of(request).engine
    outcome = await blocking(operator.act, engine, delivery_id, action, by=f"{user.name} (web)")
    raise _back(request, "/queue", outcome.message)


async def approve_selected(request: web.Request) -> web.StreamResponse:
    user = require(request, "editor")
    await _form(request)
    chosen = [int(str(v)) for v in (await request.post()).getall("ids", []) if str(v).isdigit()]
    engine = context_of(request).engine
    if not chosen:
        raise _back(request, "/queue", "Nothing was chosen.")
    outcomes = [
        await blocking(operator.act, engine, delivery_id, "approve", by=f"{user.name} (web)")
        for delivery_id in chosen
    ]
    raise _back(request, "/queue", "; ".join(o.message for o in outcomes))


async def edit_text(request: web.Request) -> web.StreamResponse:
    user = require(request, "editor")
    form = await _form(request)
    engine = context_of(request).engine
    outcome = await blocking(
        operator.edit_text,
        engine,
        int(request.match_info["id"]),
        form.get("text", ""),
        by=user.name,
    )
    raise _back(request, "/queue", outcome.message)


async def add_note(request: web.Request) -> web.StreamResponse:
    user = require(request, "editor")
    form = await _form(request)
    engine = context_of(request).engine
    outcome = await blocking(
        operator.add_note, engine, int(request.match_info["id"]), form.get("note", ""), by=user.name
    )
    raise _back(request, "/queue", outcome.message)


async def resolve(request: web.Request) -> web.StreamResponse:
    user = require(request, "editor")
    form = await _form(request)
    engine = context_of(request).engine
    sent_url = form.get("sent_url", "").strip() if form.get("was") == "sent" else None
    if form.get("was") == "sent" and not (sent_url or "").startswith(("http://", "https://")):
        raise _back(request, "/articles", "give the post's http(s) address on the platform")
    outcome = await blocking(
        operator.resolve, engine, int(request.match_info["id"]), sent_url=sent_url, by=user.name
    )
    raise _back(request, "/articles", outcome.message)


async def measure_text(request: web.Request) -> web.Response:
    """The length of an edited text as its delivery's platform counts it (live, as the
    editor types); the Save button re-measures on the server anyway."""
    require(request, "viewer")
    form = await _form(request)
    engine = context_of(request).engine

    def read() -> dict[str, object]:
        with engine.store.read() as connection:
            row = deliveries.get(connection, int(form.get("id", "0") or 0))
        if row is None:
            return {"error": "no such delivery"}
        post = post_from_json(row.post)
        length = measure(form.get("text", "").replace("\r\n", "\n").strip(), post.rule)
        return {"length": length, "limit": post.limit, "fits": length <= post.limit}

    return web.json_response(await blocking(read))


# -- post a URL -------------------------------------------------------------------


async def post_url(request: web.Request) -> web.Response:
    """``do=preview``: every chosen target's preview; ``do=now`` / ``do=hold``: queue."""
    user = require(request, "editor")
    form = await request.post()
    url = str(form.get("url", "")).strip()
    context = context_of(request)
    engine = context.engine
    all_targets = [n for n, b in engine.targets.items() if b.config.enabled]
    chosen = [str(t) for t in form.getall("targets", []) if str(t) in all_targets] or all_targets
    action = str(form.get("do", "preview"))
    if not url.startswith(("http://", "https://")):
        return render(
            request,
            "post.html",
            url=url,
            previews=None,
            targets=all_targets,
            message="give the article's http(s) address",
            status=400,
        )

    def work() -> tuple[list[dict[str, object]], list[manual.PostOutcome]]:
        article = engine.with_lead_image(manual.fetch_article(engine, url))
        if action in ("now", "hold"):
            return [], manual.queue(
                engine, article, chosen, hold=action == "hold", by=f"{user.name} (web)"
            )
        folder = engine.media_dir / "preview"
        return manual.preview(engine, article, chosen, folder), []

    try:
        previews, queued = await blocking(work)
    except SyndicatorError as exc:
        return render(
            request,
            "post.html",
            url=url,
            previews=None,
            targets=all_targets,
            message=str(exc),
            status=422,
        )
    message = "; ".join(q.detail for q in queued) if queued else None
    return render(
        request,
        "post.html",
        url=url,
        previews=previews,
        targets=all_targets,
        chosen=chosen,
        message=message,
    )


# -- users --------------------------------------------------------------------------


async def add_user(request: web.Request) -> web.StreamResponse:
    require(request, "admin")
    form = await _form(request)
    name, role, password = (
        form.get("username", "").strip(),
        form.get("role", ""),
        form.get("password", ""),
    )
    engine = context_of(request).engine
    if not name or len(password) < 8 or role not in user_store.ROLES:
        raise _back(request, "/users", "a name, a role and a password of 8 or more characters")

    def write() -> bool:
        with engine.store.begin() as connection:
            return user_store.add(
                connection,
                name,
                role=role,
                password_hash=hash_password(password),
                now=engine.clock.now(),
            )

    added = await blocking(write)
    raise _back(request, "/users", f"{name}: added as {role}" if added else f"{name}: exists")


async def remove_user(request: web.Request) -> web.StreamResponse:
    admin = require(request, "admin")
    await _form(request)
    name = request.match_info["name"]
    if name == admin.name:
        raise _back(request, "/users", "you cannot remove yourself")
    engine = context_of(request).engine

    def write() -> bool:
        with engine.store.begin() as connection:
            return user_store.remove(connection, name)

    removed = await blocking(write)
    raise _back(request, "/users", f"{name}: removed" if removed else f"{name}: no such user")
