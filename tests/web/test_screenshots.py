"""Screenshots of every page for the README (docs/dashboard/), taken only when asked:

SYNDICATOR_SCREENSHOTS=docs/dashboard .venv/bin/pytest tests/web/test_screenshots.py
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from tests.web.conftest import Site, log_in

WHERE = os.environ.get("SYNDICATOR_SCREENSHOTS")
pytestmark = pytest.mark.skipif(not WHERE, reason="SYNDICATOR_SCREENSHOTS is not set")

PAGES = {
    "overview": "/",
    "queue": "/queue",
    "articles": "/articles",
    "log": "/log",
    "post": "/post",
}


def test_every_page_is_photographed_at_desktop_and_phone_width(browser: Any, site: Site) -> None:
    folder = Path(str(WHERE))
    folder.mkdir(parents=True, exist_ok=True)
    desktop = log_in(browser, site, "eddie", viewport={"width": 1280, "height": 900})
    for name, path in PAGES.items():
        desktop.goto(site.url + path)
        desktop.screenshot(path=str(folder / f"{name}.png"), full_page=True)
    desktop.context.close()
    phone = log_in(browser, site, "eddie", viewport={"width": 390, "height": 844})
    for name in ("overview", "queue"):
        phone.goto(site.url + PAGES[name])
        phone.screenshot(path=str(folder / f"{name}-phone.png"), full_page=False)
    phone.context.close()
    chinese = log_in(
        browser, site, "eddie", locale="zh-CN", viewport={"width": 1280, "height": 900}
    )
    chinese.goto(site.url + "/queue")
    chinese.screenshot(path=str(folder / "queue-zh.png"), full_page=False)
    chinese.context.close()
    assert len(list(folder.glob("*.png"))) >= 8
