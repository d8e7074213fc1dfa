"""Does the running service keep time? Two measurements against a real `syndicator run`.

1. Polls: N feed sources at `every = "10s"` (jitter 30 s, so the cap of a tenth of
   `every` applies: 1 s) on a local HTTP server, for M minutes; one source in ten
   answers after 3 s. Prints the gaps between two polls of a source against the goal
   `every + jitter + 2 s`, and how many polls came sooner than `every` (none should).
2. Pacing: 30 backfilled articles to an outbox at `min_interval = "1s"`; prints the
   time from the service's start to the 30th post against the goal of 45 s.

    .venv/bin/python bench/service_timing.py --sources 50 --minutes 10
    .venv/bin/python bench/service_timing.py --syndicator /path/to/other/venv/bin/syndicator

Everything listens on 127.0.0.1. Prints a table; passes or fails nothing.
"""

from __future__ import annotations

import argparse
import signal
import sqlite3
import statistics
import subprocess
import tempfile
import threading
import time
from collections import defaultdict
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from itertools import pairwise
from pathlib import Path

EVERY, JITTER_CAP, SLACK = 10.0, 1.0, 2.0


def rss(name: str, count: int) -> bytes:
    now = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)
    items = "".join(
        f"<item><title>{name} {i}</title><link>https://news.example.edu/{name}/{i}</link>"
        f"<guid>{name}-{i}</guid><description>Story {i}.</description>"
        f"<pubDate>{format_datetime(now - timedelta(minutes=i))}</pubDate></item>"
        for i in range(count)
    )
    return f"<rss version='2.0'><channel><title>{name}</title>{items}</channel></rss>".encode()


class Farm(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, items: int) -> None:
        self.items = items
        self.times: dict[str, list[float]] = defaultdict(list)
        self.lock = threading.Lock()
        super().__init__(("127.0.0.1", 0), Handler)


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: Farm

    def do_GET(self) -> None:
        name = self.path.rsplit("/", 1)[-1]
        with self.server.lock:
            self.server.times[name].append(time.monotonic())
        if name.startswith("slow"):
            time.sleep(3)
        if self.headers.get("If-None-Match") == '"v1"':
            self.send_response(304)
            self.send_header("ETag", '"v1"')
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        body = rss(name, self.server.items)
        self.send_response(200)
        self.send_header("ETag", '"v1"')
        self.send_header("Content-Type", "application/rss+xml")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass


def config(folder: Path, url: str, names: list[str], *, first_run: str, target: str) -> Path:
    sources = "".join(
        f'[[sources]]\nname = "{n}"\nurl = "{url}/feed/{n}"\nevery = "10s"\n'
        f'full_text = "never"\nfirst_run = "{first_run}"\n\n'
        for n in names
    )
    path = folder / "syndicator.toml"
    path.write_text(
        f'[store]\nurl = "sqlite:///{folder}/bench.db"\n\n[service]\njitter = "30s"\n\n'
        # Every source is on one host here; per_host = 2 (the default, polite to one real
        # site) would queue the fast feeds behind the slow ones.
        "[fetch]\nper_host = 16\n\n"
        f"{sources}{target}",
        encoding="utf-8",
    )
    return path


def run_service(syndicator: str, path: Path, seconds: float, until: object = None) -> None:
    log = (path.parent / "run.log").open("wb")
    process = subprocess.Popen([syndicator, "run", "-c", str(path)], stdout=log, stderr=log)
    started = time.monotonic()
    try:
        while time.monotonic() - started < seconds:
            if callable(until) and until():
                break
            time.sleep(0.5)
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(60)
        log.close()


def polls(syndicator: str, sources: int, minutes: float) -> None:
    farm = Farm(items=5)
    threading.Thread(target=farm.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{farm.server_address[1]}"
    names = [f"slow{i:03d}" if i % 10 == 9 else f"feed{i:03d}" for i in range(sources)]
    with tempfile.TemporaryDirectory() as folder:
        path = config(Path(folder), url, names, first_run="baseline", target="")
        run_service(syndicator, path, minutes * 60)
    farm.shutdown()
    gaps = [b - a for name in names for a, b in pairwise(farm.times[name])]
    worst = max(gaps)
    limit = EVERY + JITTER_CAP + SLACK
    print(f"\npolls: {sources} sources at every = 10s for {minutes:g} min ({len(gaps)} gaps)")
    print(f"  {'':22}{'measured':>10}{'goal':>10}")
    print(f"  {'median gap (s)':22}{statistics.median(gaps):>10.2f}{'':>10}")
    print(f"  {'p99 gap (s)':22}{statistics.quantiles(gaps, n=100)[98]:>10.2f}{'':>10}")
    print(
        f"  {'largest gap (s)':22}{worst:>10.2f}{limit:>10.2f}  {'met' if worst <= limit else 'MISSED'}"
    )
    print(f"  {'gaps under every (n)':22}{sum(g < EVERY - 0.5 for g in gaps):>10}{0:>10}")


def pacing(syndicator: str) -> None:
    farm = Farm(items=30)
    threading.Thread(target=farm.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{farm.server_address[1]}"
    target = (
        '[[targets]]\nname = "paced"\nadapter = "outbox"\npath = "outbox"\nmin_interval = "1s"\n'
    )
    with tempfile.TemporaryDirectory() as folder:
        path = config(Path(folder), url, ["news"], first_run="backfill:30", target=target)
        database = Path(folder) / "bench.db"

        def sent() -> int:
            if not database.exists():
                return 0
            with sqlite3.connect(database) as connection:
                query = "select count(*) from deliveries where state = 'sent'"
                try:
                    return int(connection.execute(query).fetchone()[0])
                except sqlite3.OperationalError:  # the service is still creating its tables
                    return 0

        started = time.monotonic()
        run_service(syndicator, path, 120, until=lambda: sent() >= 30)
        took = time.monotonic() - started
        count = sent()
    farm.shutdown()
    print("\npacing: 30 backfilled articles, min_interval = 1s")
    print(f"  sent {count} in {took:.1f} s from start (goal: all 30 within 45 s)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sources", type=int, default=50)
    parser.add_argument("--minutes", type=float, default=10)
    parser.add_argument("--syndicator", default=str(Path(".venv/bin/syndicator").resolve()))
    args = parser.parse_args()
    pacing(args.syndicator)
    polls(args.syndicator, args.sources, args.minutes)


if __name__ == "__main__":
    main()
