"""``syndicator demo``: the embedded default, end to end, with no network and no account.

It serves the sample site on 127.0.0.1, writes a config into a work folder (SQLite post
log, outbox targets, a WeChat share card), runs the real service, "publishes" a new
article while the service runs, and prints what went where.
"""

from __future__ import annotations

import asyncio
import logging
import shlex
import shutil
import sys
import tempfile
import time
from pathlib import Path

from syndicator.config import load_config
from syndicator.demo.site import NEW_ARTICLE, SampleSite
from syndicator.engine import Engine
from syndicator.models import DeliveryState
from syndicator.poll import poller_of
from syndicator.service import Service
from syndicator.store import deliveries as delivery_store

log = logging.getLogger(__name__)

CONFIG = """\
# Written by `syndicator demo`: the sample site at {site}, syndicated into outboxes.
[store]
url = "sqlite:///var/syndicator.db"
media = "var/media"

[service]
timezone = "Asia/Shanghai"
drain_every = "1s"
jitter = "0s"

# The news list page has no feed: article links are read with a CSS selector.
[[sources]]
name = "news-list"
url = "{site}/news/"
kind = "html"
every = "10s"
items = "ul.news-list li a"
first_run = "backfill:1"   # post the newest article now, record the rest
[sources.selectors]
date = ".info"
body = ".content"
remove = [".editor", ".share", ".crumbs"]

# The same articles through the site's RSS feed: recorded once, never posted twice.
# Whichever source records an article first decides, so both backfill the same one.
[[sources]]
name = "news-rss"
url = "{site}/rss.xml"
kind = "feed"
every = "10s"
first_run = "backfill:1"

[[targets]]
name = "weibo-style"
adapter = "outbox"
path = "outbox/weibo-style"
rule = "weibo"
template = "【{{title}}】{{summary}} {{url}}"

[[targets]]
name = "x-style"
adapter = "outbox"
path = "outbox/x-style"
rule = "x"
template = "{{title}} {{url}} {{hashtags}}"
hashtags = ["UniversityNews"]

[[targets]]
name = "wechat-card"
adapter = "wechat_card"
path = "outbox/cards"
"""


def run_demo(*, work_dir: Path | None = None, timeout: float = 30.0, keep: bool = False) -> int:
    """Run the demo in ``work_dir``, or in a temporary folder removed afterwards
    unless ``keep``: a demo leaves nothing behind that the user did not ask for."""
    if work_dir is not None:
        work_dir.mkdir(parents=True, exist_ok=True)
        return _run_in(work_dir, timeout, kept=True)
    work = Path(tempfile.mkdtemp(prefix="syndicator-demo-"))
    try:
        return _run_in(work, timeout, kept=keep)
    finally:
        if not keep:
            shutil.rmtree(work, ignore_errors=True)


def _run_in(work: Path, timeout: float, *, kept: bool) -> int:
    with SampleSite() as site:
        config_path = work / "syndicator.toml"
        config_path.write_text(CONFIG.format(site=site.url), encoding="utf-8")
        print(f"sample news site: {site.url}/news/  (and {site.url}/rss.xml)")
        print(f"work folder:      {work}")
        engine = Engine.open(load_config(config_path))
        delivered = asyncio.run(_serve_through(engine, site, timeout))
        with engine.store.begin() as connection:
            rows = delivery_store.listing(connection, limit=100)
        engine.close()
    _report(rows, work, kept=kept)
    if not delivered:
        print("the new article was not delivered to every target in time", file=sys.stderr)
        return 1
    return 0


async def _serve_through(engine: Engine, site: SampleSite, timeout: float) -> bool:
    """The service runs while the site publishes a new article; whether it went out."""
    service = Service(engine, config_path=engine.config.path)
    fetcher = poller_of(engine).open_fetcher()
    running = asyncio.create_task(service.run(fetcher))
    try:
        print("service started: first poll baselines the site and posts the newest article")
        await asyncio.sleep(2.5)
        site.publish(NEW_ARTICLE)
        print(f"the site publishes a new article: {NEW_ARTICLE.title}")
        return await asyncio.to_thread(_wait_for, engine, site.url + NEW_ARTICLE.path, timeout)
    finally:
        service.stop()
        await running
        await fetcher.close()


def _wait_for(engine: Engine, url: str, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with engine.store.begin() as connection:
            rows = [
                r for r in delivery_store.listing(connection, limit=200) if r.article_url == url
            ]
        if len(rows) >= len(engine.targets) and all(
            r.state not in (DeliveryState.PENDING, DeliveryState.RETRY, DeliveryState.SENDING)
            for r in rows
        ):
            return True
        time.sleep(0.3)
    return False


def _report(rows: list[delivery_store.DeliveryRow], work: Path, *, kept: bool) -> None:
    print("\nwhat was posted where:")
    for row in sorted(rows, key=lambda r: r.id):
        if row.state is DeliveryState.SKIPPED:
            continue
        place = row.remote_url or row.error or row.reason
        print(f"  [{row.state.value}] {row.target:<12} {row.article_title}")
        print(f"      {place}")
        if row.state is DeliveryState.SENT and row.text:
            first = row.text.splitlines()[0]
            print(f"      text: {first[:90]}{'…' if len(first) > 90 else ''}")
    skipped = sum(1 for r in rows if r.state is DeliveryState.SKIPPED)
    print(f"\n{skipped} older article(s) recorded as the baseline, not posted")
    if not kept:
        print("the work folder is removed now; run `syndicator demo --keep` to look around")
        return
    print("see them with:")
    print(f"  syndicator -c {shlex.quote(str(work / 'syndicator.toml'))} log --state skipped")
    print(f"outbox files are under {work / 'outbox'}")
