"""Dashboard pages with a big post log: server time of each page with 100,000
deliveries (20,000 articles, 5 targets), against the goal of 200 ms a page.

    .venv/bin/python bench/web_pages.py [--deliveries 100000] [--repeat 5]

Builds a SQLite store in a temporary folder, serves the dashboard in-process on
127.0.0.1, logs in, and times each page (median of --repeat requests; loopback, so
the time is the server's). Prints a table; passes or fails nothing.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import requests
from sqlalchemy import insert

from syndicator.config import load_config
from syndicator.engine import Engine
from syndicator.store import schema, users
from syndicator.web.security import hash_password
from syndicator.web.serve import Dashboard

TARGETS = ["weibo", "x", "mastodon", "bluesky", "card"]
STATES = ["sent"] * 90 + ["failed", "retry", "held", "pending", "skipped"] * 2


def populate(engine: Engine, deliveries: int) -> None:
    articles = deliveries // len(TARGETS)
    start = datetime(2025, 1, 1)
    rng = random.Random(7)
    with engine.store.begin() as connection:
        connection.execute(
            insert(schema.articles),
            [
                {
                    "key": f"url:https://news.example.edu/{i}",
                    "url": f"https://news.example.edu/{i}",
                    "title": f"Story number {i} about the campus",
                    "source": f"site{i % 10}",
                    "published": start + timedelta(minutes=30 * i),
                    "first_seen": start + timedelta(minutes=30 * i),
                    "content_hash": "",
                    "data": json.dumps(
                        {
                            "key": f"url:https://news.example.edu/{i}",
                            "url": f"https://news.example.edu/{i}",
                            "title": f"Story number {i} about the campus",
                        }
                    ),
                }
                for i in range(articles)
            ],
        )
        rows = []
        for i in range(articles):
            for target in TARGETS:
                moment = start + timedelta(minutes=30 * i + 5)
                state = rng.choice(STATES)
                rows.append(
                    {
                        "article_id": i + 1,
                        "target": target,
                        "seq": 0,
                        "state": state,
                        "reason": "",
                        "attempts": 1,
                        "idem_key": uuid.uuid4().hex,
                        "created_at": moment,
                        "updated_at": moment,
                        "due_at": moment,
                        "sent_at": moment if state == "sent" else None,
                        "text": f"Story number {i} https://news.example.edu/{i}",
                        "length": 40,
                        "post": '{"rule": "plain", "limit": 500}',
                        "error": "HTTP 503" if state in ("failed", "retry") else None,
                    }
                )
        connection.execute(insert(schema.deliveries), rows)
        users.add(
            connection,
            "bench",
            role="admin",
            password_hash=hash_password("bench-pass-1"),
            now=datetime.now(UTC),
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--deliveries", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        config = Path(folder) / "syndicator.toml"
        targets = "".join(
            f'[[targets]]\nname = "{t}"\nadapter = "outbox"\npath = "outbox/{t}"\n\n'
            for t in TARGETS
        )
        config.write_text(f'[store]\nurl = "sqlite:///{folder}/web.db"\n\n{targets}')
        engine = Engine.open(load_config(config))
        began = time.monotonic()
        populate(engine, args.deliveries)
        print(f"store: {args.deliveries} deliveries in {time.monotonic() - began:.1f} s")
        dashboard = Dashboard(engine, "127.0.0.1:0")
        dashboard.start()
        session = requests.Session()
        session.post(
            dashboard.url + "/login", data={"username": "bench", "password": "bench-pass-1"}
        )
        pages = {
            "Overview": "/",
            "Queue": "/queue",
            "Articles": "/articles",
            "Articles, search": "/articles?q=number+1999",
            "Articles, state failed": "/articles?state=failed",
            "Article": "/articles/12345",
            "Log": "/log",
            "Log, page 500": "/log?page=500",
            "Log, target + state": "/log?target=x&state=retry",
            "Log, date range": "/log?since=2025-03-01&until=2025-03-31",
        }
        print(f"\n{'page':28}{'median ms':>10}{'worst ms':>10}{'goal ms':>9}")
        for name, path in pages.items():
            times = []
            for _ in range(args.repeat):
                started = time.perf_counter()
                answer = session.get(dashboard.url + path)
                times.append((time.perf_counter() - started) * 1000)
                assert answer.status_code == 200, (path, answer.status_code)
            worst = max(times)
            print(
                f"{name:28}{statistics.median(times):>10.1f}{worst:>10.1f}{200:>9}  {'met' if worst < 200 else 'MISSED'}"
            )
        dashboard.stop()
        engine.close()


if __name__ == "__main__":
    main()
