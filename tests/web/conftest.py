"""A real dashboard to drive: ``syndicator run`` with ``[web] listen`` on a local news
site (a feed and an article page), three users (viewer, editor, admin), and Debian's
Chromium under Playwright. Browser tests skip with a reason where Chromium or
Playwright is missing (``./dev test`` installs both)."""

from __future__ import annotations

import json
import shutil
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path
from typing import Any

import pytest

from syndicator.config import load_config
from syndicator.engine import Engine
from syndicator.store import users
from syndicator.web.security import hash_password
from tests.running_service import Running
from tests.servers.http import Request, Response, serve
from tests.servers.ports import free_port, wait_until

CHROMIUM = Path("/usr/bin/chromium")
PAGES = Path(__file__).parents[1] / "data" / "pages"
PASSWORDS = {"vera": "viewer-pass-1", "eddie": "editor-pass-1", "ada": "admin-pass-12"}
ROLES = {"vera": "viewer", "eddie": "editor", "ada": "admin"}


def _feed(site: str) -> bytes:
    now = datetime.now(UTC)
    items = "".join(
        f"<item><title>Campus story {i}</title><link>{site}/news/{i}.htm</link><guid>story-{i}</guid>"
        f"<description>The university opened its new lab number {i}. Students will use it from "
        f"next term.</description><pubDate>{format_datetime(now - timedelta(hours=i))}</pubDate></item>"
        for i in range(1, 4)
    )
    return f"<rss version='2.0'><channel><title>BIT News</title>{items}</channel></rss>".encode()


CONFIG = """
[store]
url = "sqlite:///var/web.db"

[service]
timezone = "Asia/Shanghai"

[web]
listen = "127.0.0.1:{port}"

[[sources]]
name = "news"
url = "{site}/rss.xml"
every = "1h"
full_text = "never"
first_run = "backfill:3"

[[targets]]
name = "box"
adapter = "outbox"
path = "outbox/box"
rule = "x"
approve = true

[[targets]]
name = "card"
adapter = "wechat_card"
path = "outbox/cards"
approve = true
"""


@dataclass
class Site:
    url: str  # the dashboard
    news: str  # the news site it syndicates
    folder: Path
    config: Path
    service: Running

    def engine(self) -> Engine:
        return Engine.open(load_config(self.config))

    def deliveries(self) -> list[dict[str, Any]]:
        from syndicator.store import deliveries

        engine = self.engine()
        try:
            with engine.store.read() as connection:
                return [r.as_dict() for r in deliveries.listing(connection, limit=1000)]
        finally:
            engine.close()

    def outbox(self, target: str = "box") -> list[dict[str, Any]]:
        folder = self.folder / "outbox" / target
        return [json.loads(p.read_text()) for p in sorted(folder.glob("*.json"))]


def _site_handler(site: list[str]) -> Any:
    article = (PAGES / "bit-news-article.html").read_bytes()

    def handle(request: Request) -> Response:
        if request.path == "/rss.xml":
            return 200, {"Content-Type": "application/rss+xml"}, _feed(site[0])
        if request.path == "/article.htm":
            return 200, {"Content-Type": "text/html; charset=utf-8"}, article
        return 404, {}, b"not here"

    return handle


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    folder = tmp_path_factory.mktemp("dashboard")
    base: list[str] = []
    with serve(_site_handler(base)) as server:
        base.append(server.url)
        port = free_port()
        config = folder / "syndicator.toml"
        config.write_text(CONFIG.format(port=port, site=server.url), encoding="utf-8")
        engine = Engine.open(load_config(config))
        with engine.store.begin() as connection:
            for name, password in PASSWORDS.items():
                users.add(
                    connection,
                    name,
                    role=ROLES[name],
                    password_hash=hash_password(password),
                    now=engine.clock.now(),
                )
        engine.close()
        service = Running(config, folder / "run.log")
        url = f"http://127.0.0.1:{port}"
        try:
            wait_until(
                lambda: _answers(url + "/login"),
                timeout=30,
                what="the dashboard",
                alive=lambda: service.process.poll() is None,
                log=service.text,
            )
            found = Site(url=url, news=server.url, folder=folder, config=config, service=service)
            wait_until(
                lambda: sum(d["state"] == "held" for d in found.deliveries()) >= 6,
                timeout=30,
                what="six held deliveries",
                log=service.text,
            )
            yield found
        finally:
            service.stop()


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return bool(response.status == 200)
    except OSError:
        return False


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    playwright_api = pytest.importorskip("playwright.sync_api", reason="playwright not installed")
    if not CHROMIUM.exists() and shutil.which("chromium") is None:
        pytest.skip("Debian's chromium is not installed (./dev test installs it)")
    with playwright_api.sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=str(CHROMIUM if CHROMIUM.exists() else shutil.which("chromium")),
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield launched
        launched.close()


def log_in(browser: Any, site: Site, name: str, *, locale: str = "en-US", **options: Any) -> Any:
    """A fresh browser context (its own cookies) logged in as ``name``; returns its page."""
    context = browser.new_context(locale=locale, **options)
    page = context.new_page()
    page.goto(site.url + "/login")
    page.get_by_label("Username" if locale.startswith("en") else "用户名").fill(name)
    page.get_by_label("Password" if locale.startswith("en") else "密码").fill(PASSWORDS[name])
    page.get_by_role("button", name="Log in" if locale.startswith("en") else "登录").click()
    page.wait_for_url(site.url + "/")
    return page
