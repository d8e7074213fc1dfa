"""Helpers for engine tests: a config written to a temporary folder and opened."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Connection

from syndicator.config import load_config
from syndicator.engine import Engine
from syndicator.store import deliveries
from syndicator.store.delivery_rows import DeliveryRow

OUTBOX_TARGETS = """
[[targets]]
name = "box-a"
adapter = "outbox"
path = "outbox/a"

[[targets]]
name = "box-b"
adapter = "outbox"
path = "outbox/b"
rule = "x"
"""


def write_config(folder: Path, body: str) -> Path:
    path = folder / "syndicator.toml"
    header = '[store]\nurl = "sqlite:///var/test.db"\n\n[service]\njitter = "0s"\n\n'
    path.write_text(header + body, encoding="utf-8")
    return path


def open_engine(folder: Path, body: str) -> Engine:
    return Engine.open(load_config(write_config(folder, body)))


def list_source(site_url: str, name: str = "news-list", first_run: str = "baseline") -> str:
    return f"""
[[sources]]
name = "{name}"
url = "{site_url}/news/"
kind = "html"
items = "ul.news-list li a"
first_run = "{first_run}"
[sources.selectors]
date = ".info"
body = ".content"
remove = [".editor", ".share", ".crumbs"]
"""


def feed_source(url: str, name: str = "news-rss", first_run: str = "baseline") -> str:
    return f"""
[[sources]]
name = "{name}"
url = "{url}"
kind = "feed"
first_run = "{first_run}"
full_text = "never"
"""


def interrupted_sends(connection: Connection, rows: list[DeliveryRow]) -> int:
    """How many of ``rows`` a killed process left in ``sending`` (their recovery says so)."""
    return sum(
        1
        for row in rows
        for _, _, detail in deliveries.events_for(connection, row.id)
        if detail.startswith("interrupted while sending")
    )
