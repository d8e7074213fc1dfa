"""Several `syndicator run` workers on one PostgreSQL: do they share the work?

1. Deliveries: a local webhook receiver that takes 200 ms per post (a slow platform);
   100 deliveries per worker are queued, then 1, 2 and 4 workers drain them. Prints
   posts per second (from the first post to the last, at the receiver) and the
   speed-up over one worker (goal: 4 workers at least 3x one).
2. Polls: 2,000 feed sources on nginx. Prints polls per second of the cold round
   (every feed read, parsed and baselined) and of the next, unchanged round (304s),
   with 1 and 4 workers (the access log's request count over the span of the round).

Each run's work falls due ``STARTUP`` seconds after its workers are started, so every
worker is registered and claims its share: what is measured is the workers sharing a
round, not their start-up.

    .venv/bin/python bench/workers.py            # needs ./dev servers (PostgreSQL, nginx)

Everything listens on 127.0.0.1; a throw-away PostgreSQL cluster is started and
stopped. Prints a table; passes or fails nothing.
"""

from __future__ import annotations

import argparse
import signal
import subprocess
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from sqlalchemy import update

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from syndicator.config import load_config  # noqa: E402
from syndicator.engine import Engine  # noqa: E402
from syndicator.models import Article  # noqa: E402
from syndicator.pipeline import plan_deliveries  # noqa: E402
from syndicator.store import Store, schema  # noqa: E402
from syndicator.store import articles as article_store  # noqa: E402
from syndicator.store import polls as polls_store  # noqa: E402
from tests.servers.nginx import start_nginx  # noqa: E402
from tests.servers.postgres import Postgres, start_postgres  # noqa: E402

SYNDICATOR = [sys.executable, "-m", "syndicator"]
POST_TIME = 0.2  # seconds the receiver takes per post
PER_WORKER = 100  # deliveries queued per worker
STARTUP = 15.0  # seconds: the work falls due once every worker has started


class Receiver(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self) -> None:
        self.times: list[float] = []
        self.lock = threading.Lock()
        super().__init__(("127.0.0.1", 0), Slow)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/hook"


class Slow(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: Receiver

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length", "0")))
        time.sleep(POST_TIME)
        with self.server.lock:
            self.server.times.append(time.time())
        self.send_response(200)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"{}")

    def log_message(self, *args: object) -> None:
        pass


def _soon() -> datetime:
    """When the bench's work falls due: once every worker has started (naive UTC)."""
    return datetime.now(UTC).replace(tzinfo=None) + timedelta(seconds=STARTUP)


def _workers(config: Path, count: int, folder: Path) -> list[subprocess.Popen[bytes]]:
    logs = [(folder / f"worker-{n}.log").open("ab") for n in range(count)]
    return [
        subprocess.Popen([*SYNDICATOR, "run", "-c", str(config), "-q"], stdout=log, stderr=log)
        for log in logs
    ]


def _stop(workers: list[subprocess.Popen[bytes]]) -> None:
    for worker in workers:
        worker.send_signal(signal.SIGTERM)
    for worker in workers:
        worker.wait(60)


def deliveries(pg: Postgres, count: int, folder: Path) -> float:
    """Posts per second that ``count`` workers send to the slow receiver."""
    receiver = Receiver()
    threading.Thread(target=receiver.serve_forever, daemon=True).start()
    config = folder / f"deliveries-{count}.toml"
    config.write_text(
        f'[store]\nurl = "{pg.create_database()}"\n[service]\njitter = "0s"\n'
        '[[sources]]\nname = "news"\nurl = "http://127.0.0.1:9/feed.xml"\nevery = "1d"\n'
        '[[targets]]\nname = "hook"\nadapter = "webhook"\n'
        f'[targets.secrets]\nurl = "env:HOOK_URL"\n',
        encoding="utf-8",
    )
    import os

    os.environ["HOOK_URL"] = receiver.url
    engine = Engine.open(load_config(config))
    total = PER_WORKER * count
    stories = [
        Article(
            key=f"url:https://news.example.edu/{n}",
            url=f"https://news.example.edu/{n}",
            title=f"Story {n}",
            source="news",
            summary=f"Teaser {n}.",
        )
        for n in range(total)
    ]
    with engine.store.begin() as connection:
        recorded = article_store.record_articles(connection, stories, now=engine.clock.now())
    plan_deliveries(engine, engine.config.source("news"), recorded, first_poll=False)
    with engine.store.begin() as connection:  # due once every worker runs
        connection.execute(update(schema.deliveries).values(due_at=_soon()))
    engine.close()
    workers = _workers(config, count, folder)
    deadline = time.monotonic() + 30 + total * POST_TIME
    while len(receiver.times) < total and time.monotonic() < deadline:
        time.sleep(0.2)
    _stop(workers)
    receiver.shutdown()
    times = sorted(receiver.times)
    return (len(times) - 1) / (times[-1] - times[0]) if len(times) > 1 else 0.0


def polls(pg: Postgres, count: int, sources: int, folder: Path) -> tuple[float, float]:
    """Polls per second of ``count`` workers over ``sources`` feeds: the cold round,
    then the unchanged one."""
    www = folder / f"www-{count}"
    www.mkdir()
    for n in range(sources):
        items = "".join(
            f"<item><title>Feed {n} story {i}</title><link>https://news.example.edu/{n}/{i}"
            f"</link><guid>{n}-{i}</guid></item>"
            for i in range(10)
        )
        (www / f"{n}.xml").write_text(f"<rss version='2.0'><channel>{items}</channel></rss>")
    site = start_nginx(www, folder / f"nginx-{count}")
    body = f'[store]\nurl = "{pg.create_database()}"\n[service]\njitter = "0s"\n'
    body += "".join(
        f'[[sources]]\nname = "f{n}"\nurl = "{site.url}/{n}.xml"\nevery = "30s"\n'
        'full_text = "never"\n'
        for n in range(sources)
    )
    config = folder / f"polls-{count}.toml"
    config.write_text(body, encoding="utf-8")
    store = Store(load_config(config).store_url())
    with store.begin() as connection:  # known, never polled, due once every worker runs
        polls_store.save_many(
            connection,
            [
                polls_store.SourceState(f"f{n}", f"{site.url}/{n}.xml", next_poll_at=_soon())
                for n in range(sources)
            ],
        )
    try:
        for round_number in (1, 2):
            workers = _workers(config, count, folder)
            try:
                deadline = time.monotonic() + STARTUP + 300
                while len(entries := site.access_log()) < round_number * sources:
                    if time.monotonic() > deadline:
                        break
                    time.sleep(1)
            finally:
                _stop(workers)
            with store.begin() as connection:
                connection.execute(update(schema.sources).values(next_poll_at=_soon()))
    finally:
        store.close()
        site.stop()
    cold = sorted(e.msec for e in entries[:sources])
    warm = sorted(e.msec for e in entries[sources : 2 * sources])

    def rate(times: list[float]) -> float:
        return (len(times) - 1) / (times[-1] - times[0]) if len(times) > 1 else 0.0

    return rate(cold), rate(warm)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sources", type=int, default=2000)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2, 4])
    args = parser.parse_args()
    pg = start_postgres()
    try:
        with tempfile.TemporaryDirectory(prefix="bench-workers-") as tmp:
            folder = Path(tmp)
            sends = {n: deliveries(pg, n, folder) for n in args.workers}
            rounds = {n: polls(pg, n, args.sources, folder) for n in (1, max(args.workers))}
    finally:
        pg.stop()
    one = sends[min(sends)]
    print(f"\ndeliveries to a platform taking {POST_TIME * 1000:.0f} ms per post")
    print("| workers | posts/s | vs 1 worker |\n|---|---|---|")
    for n, rate in sends.items():
        print(f"| {n} | {rate:.1f} | {rate / one:.2f}x |")
    print(f"\npolls of {args.sources} feed sources on nginx")
    print("| workers | cold round, polls/s | unchanged round, polls/s |\n|---|---|---|")
    for n, (cold, warm) in rounds.items():
        print(f"| {n} | {cold:.0f} | {warm:.0f} |")


if __name__ == "__main__":
    main()
