#!/usr/bin/env python3
"""What one conditional GET answered 304 costs syndicator's fetcher, in-process.

    .venv/bin/python bench/bench_http.py [--n 1000] [--rounds 5] [--concurrency 16]
        [--port 8944] [--tls] [--profile]

Why: an unchanged poll round is nothing but 304s, so its cost is the client's
per-request overhead (request building, header parsing, pooling, the event loop). This
serves ``--n`` distinct small files with nginx on 127.0.0.1 (``bench/server.py``: ETag
and Last-Modified on, keep-alive; ``--tls``: HTTPS on a self-signed certificate), runs
one warm-up round to learn every file's validators, then ``--rounds`` rounds of
conditional GETs through ``AiohttpFetcher.fetch`` with ``--concurrency`` in flight on one
event loop (``per_host`` as large: every file is on one host), as the service polls.
Per round it prints wall time, CPU time of this process (``time.process_time``: all
threads, user + system) and both per request; then the best round. Then the same
rounds through the synchronous face (``sources.fetch.fetch`` from ``--concurrency``
worker threads over one ``BlockingFetch``), as today's thread-per-source poll round
drives it; ``--profile`` prints a cProfile of one async round. It also times a bare
``import syndicator.sources.http`` in a fresh interpreter.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import io
import os
import pstats
import shutil
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable, Coroutine
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from server import FeedServer

from syndicator.errors import SourceError
from syndicator.sources.fetch import fetch, make_session
from syndicator.sources.fetcher import BlockingFetch, FetchRequest, FetchResult, LoopThread
from syndicator.sources.http import AiohttpFetcher

T = TypeVar("T")
Validators = dict[str, tuple[str | None, str | None]]
Round = tuple[float, float, Counter[int], dict[str, FetchResult]]


class TlsFeedServer(FeedServer):
    """The same nginx listening with TLS, on a self-signed certificate for 127.0.0.1
    made with the openssl CLI (trusted by the client through REQUESTS_CA_BUNDLE)."""

    def __init__(self, workdir: str, farm: str, port: int) -> None:
        super().__init__(workdir, farm, port)
        self.cert = os.path.join(workdir, "cert.pem")
        key = os.path.join(workdir, "key.pem")
        command = "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes"
        command += " -days 2 -subj /CN=localhost -addext subjectAltName=IP:127.0.0.1"
        subprocess.run(
            [*command.split(), "-keyout", key, "-out", self.cert], check=True, capture_output=True
        )
        self.key = key

    def _write_conf(self) -> str:
        path = super()._write_conf()
        with open(path) as fh:
            conf = fh.read()
        listen = f"listen 127.0.0.1:{self.port};"
        assert listen in conf
        conf = conf.replace(
            listen,
            f"listen 127.0.0.1:{self.port} ssl; ssl_certificate {self.cert}; "
            f"ssl_certificate_key {self.key};",
        )
        with open(path, "w") as fh:
            fh.write(conf)
        return path


def write_files(farm: str, n: int) -> list[str]:
    """``n`` small distinct files with fixed mtimes (so their ETags are stable)."""
    folder = os.path.join(farm, "feeds")
    os.makedirs(folder, exist_ok=True)
    names = []
    for i in range(n):
        name = f"f{i:05d}.xml"
        path = os.path.join(folder, name)
        with open(path, "wb") as fh:
            fh.write(b"<rss><channel><title>feed %d</title></channel></rss>\n" % i)
        os.utime(path, (1_710_000_000 + i, 1_710_000_000 + i))
        names.append(name)
    return names


def _request(url: str, validators: Validators) -> FetchRequest:
    etag, modified = validators.get(url, (None, None))
    return FetchRequest(url, source=url, etag=etag, last_modified=modified)


def _count(
    results: list[FetchResult | BaseException], urls: list[str]
) -> tuple[Counter[int], dict[str, FetchResult]]:
    statuses: Counter[int] = Counter()
    kept: dict[str, FetchResult] = {}
    for url, result in zip(urls, results, strict=True):
        if isinstance(result, BaseException):
            statuses[-1] += 1
            print("error:", result, file=sys.stderr)
        else:
            statuses[result.status] += 1
            kept[url] = result
    return statuses, kept


async def async_round(fetcher: AiohttpFetcher, urls: list[str], validators: Validators) -> Round:
    """Every URL at once on this loop; the fetcher's caps keep ``concurrency`` in flight."""
    wall, cpu = time.perf_counter(), time.process_time()
    results = await asyncio.gather(
        *(fetcher.fetch(_request(url, validators)) for url in urls), return_exceptions=True
    )
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    return (wall, cpu, *_count(list(results), urls))


def thread_round(
    session: BlockingFetch, urls: list[str], validators: Validators, threads: int
) -> Round:
    """The synchronous face from worker threads, as a thread-per-source round drives it."""

    def one(url: str) -> FetchResult | BaseException:
        etag, modified = validators.get(url, (None, None))
        try:
            return fetch(session, url, etag=etag, last_modified=modified, source=url)
        except SourceError as exc:
            return exc

    wall, cpu = time.perf_counter(), time.process_time()
    with ThreadPoolExecutor(threads) as pool:
        results = list(pool.map(one, urls))
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    return (wall, cpu, *_count(results, urls))


def report(name: str, rounds: int, n: int, run: Callable[[Validators], Round]) -> Validators:
    """A warm-up round (validators learnt), then ``rounds`` conditional ones; the best."""
    wall, cpu, statuses, results = run({})
    print(f"{name} warm-up: {wall:.3f}s wall, {cpu:.3f}s CPU, statuses {dict(statuses)}")
    validators = {url: (r.etag, r.last_modified) for url, r in results.items()}
    best_wall = best_cpu = float("inf")
    for round_no in range(1, rounds + 1):
        wall, cpu, statuses, _ = run(validators)
        best_wall, best_cpu = min(best_wall, wall), min(best_cpu, cpu)
        print(
            f"{name} round {round_no}: {wall:.3f}s wall, {cpu:.3f}s CPU, "
            f"{wall / n * 1e6:.0f} us wall/req, {cpu / n * 1e6:.0f} us CPU/req, "
            f"statuses {dict(statuses)}"
        )
    print(
        f"{name} best: {best_wall:.3f}s wall, {best_cpu:.3f}s CPU, "
        f"{best_cpu / n * 1e6:.0f} us CPU per 304"
    )
    return validators


def import_time(runs: int = 5) -> float:
    """Best wall time of a fresh interpreter importing the fetcher, minus ``pass``."""

    def best(code: str) -> float:
        times = []
        for _ in range(runs):
            started = time.perf_counter()
            subprocess.run([sys.executable, "-c", code], check=True)
            times.append(time.perf_counter() - started)
        return min(times)

    return best("import syndicator.sources.http") - best("pass")


def async_rounds(args: argparse.Namespace, urls: list[str]) -> None:
    """The rounds on one event loop in its own thread (this one only waits)."""
    runner = LoopThread()
    fetcher = AiohttpFetcher(
        "syndicator-bench/0.1", concurrency=args.concurrency, per_host=args.concurrency
    )

    def on_loop(coroutine: Coroutine[object, None, T]) -> T:
        return asyncio.run_coroutine_threadsafe(coroutine, runner.loop).result()

    def run(validators: Validators) -> Round:
        return on_loop(async_round(fetcher, urls, validators))

    validators = report("async", args.rounds, args.n, run)
    if args.profile:
        profile = cProfile.Profile()

        async def profiled() -> None:
            profile.enable()  # in the loop's thread, where the work is
            await async_round(fetcher, urls, validators)
            profile.disable()

        on_loop(profiled())
        out = io.StringIO()
        pstats.Stats(profile, stream=out).sort_stats(args.sort).print_stats(25)
        print(out.getvalue())
    on_loop(fetcher.close())
    runner.close()


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--n", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--port", type=int, default=8944)
    parser.add_argument("--workdir", default="/tmp/syndicator-bench-http")
    parser.add_argument("--tls", action="store_true", help="HTTPS (self-signed) instead of HTTP")
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--sort", default="tottime")
    args = parser.parse_args()

    shutil.rmtree(args.workdir, ignore_errors=True)
    farm = os.path.join(args.workdir, "farm")
    names = write_files(farm, args.n)
    scheme = "https" if args.tls else "http"
    base = f"{scheme}://127.0.0.1:{args.port}/feeds/"
    urls = [base + name for name in names]
    server = (TlsFeedServer if args.tls else FeedServer)(args.workdir, farm, args.port)
    if isinstance(server, TlsFeedServer):
        os.environ["REQUESTS_CA_BUNDLE"] = server.cert
    print(f"N={args.n} conditional GETs per round, {args.concurrency} in flight, nginx on {base}")
    with server:
        async_rounds(args, urls)
        session = make_session(
            "syndicator-bench/0.1", pool_size=args.concurrency, per_host=args.concurrency
        )
        try:
            report(
                "threads",
                args.rounds,
                args.n,
                lambda validators: thread_round(session, urls, validators, args.concurrency),
            )
        finally:
            session.close()
    print(f"import syndicator.sources.http: {import_time() * 1000:.0f} ms over a bare interpreter")


if __name__ == "__main__":
    main()
