#!/usr/bin/env python3
"""What one conditional GET answered 304 costs syndicator's fetch, in-process.

    .venv/bin/python bench/bench_http.py [--n 1000] [--rounds 5] [--concurrency 64]
        [--per-host 64] [--port 8944] [--tls] [--profile]

Why: an unchanged poll round is nothing but 304s, so its cost is the client's
per-request overhead (request building, header parsing, pooling, threads). This
serves ``--n`` distinct small files with nginx on 127.0.0.1 (``bench/server.py``:
ETag and Last-Modified on, keep-alive; ``--tls``: HTTPS on a self-signed
certificate), runs one warm-up round to learn every
file's validators, then ``--rounds`` rounds of conditional GETs through
``syndicator.sources.fetch.fetch`` driven by ``syndicator.hostpool.run_per_host``
exactly as a poll round drives them. Per round it prints wall time, CPU time of
this process (``time.process_time``: all threads, user + system) and both per
request; then the best round. Then one sequential round in this thread (fetch's own cost, no threads);
``--profile`` prints a cProfile of another such round.
It also times a bare ``import syndicator.sources.poll`` in a fresh interpreter,
the part of a poll process's start-up this module owns.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import shutil
import subprocess
import sys
import time
from collections import Counter

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from server import FeedServer

from syndicator.hostpool import host_of, run_per_host
from syndicator.sources.fetch import FetchResult, fetch, make_session


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


def run_round(
    session: object,
    urls: list[str],
    validators: dict[str, tuple[str | None, str | None]],
    concurrency: int,
    per_host: int,
) -> tuple[float, float, Counter[int], dict[str, FetchResult]]:
    def one(url: str) -> FetchResult:
        etag, modified = validators.get(url, (None, None))
        return fetch(session, url, etag=etag, last_modified=modified, source=url)  # type: ignore[arg-type]

    statuses: Counter[int] = Counter()
    results: dict[str, FetchResult] = {}
    wall, cpu = time.perf_counter(), time.process_time()
    for outcome in run_per_host(
        one, urls, host=host_of, concurrency=concurrency, per_host=per_host
    ):
        if outcome.error is not None:
            statuses[-1] += 1
            print("error:", outcome.error, file=sys.stderr)
            continue
        assert outcome.value is not None
        statuses[outcome.value.status] += 1
        results[outcome.item] = outcome.value
    return time.perf_counter() - wall, time.process_time() - cpu, statuses, results


def import_time(runs: int = 5) -> float:
    """Best wall time of a fresh interpreter importing the poll module, minus ``pass``."""

    def best(code: str) -> float:
        times = []
        for _ in range(runs):
            started = time.perf_counter()
            subprocess.run([sys.executable, "-c", code], check=True)
            times.append(time.perf_counter() - started)
        return min(times)

    return best("import syndicator.sources.poll") - best("pass")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--n", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--concurrency", type=int, default=64)
    parser.add_argument("--per-host", type=int, default=64)
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
    session = make_session("syndicator-bench/0.1", pool_size=args.concurrency)
    print(
        f"N={args.n} conditional GETs per round, concurrency={args.concurrency}, "
        f"per_host={args.per_host}, nginx on {base}"
    )
    with server:
        wall, cpu, statuses, results = run_round(session, urls, {}, args.concurrency, args.per_host)
        print(f"warm-up: {wall:.3f}s wall, {cpu:.3f}s CPU, statuses {dict(statuses)}")
        validators = {url: (r.etag, r.last_modified) for url, r in results.items()}
        best_wall = best_cpu = float("inf")
        for round_no in range(1, args.rounds + 1):
            wall, cpu, statuses, _ = run_round(
                session, urls, validators, args.concurrency, args.per_host
            )
            best_wall, best_cpu = min(best_wall, wall), min(best_cpu, cpu)
            print(
                f"round {round_no}: {wall:.3f}s wall, {cpu:.3f}s CPU, "
                f"{wall / args.n * 1e6:.0f} us wall/req, {cpu / args.n * 1e6:.0f} us CPU/req, "
                f"statuses {dict(statuses)}"
            )
        print(
            f"best: {best_wall:.3f}s wall, {best_cpu:.3f}s CPU, "
            f"{best_cpu / args.n * 1e6:.0f} us CPU per 304"
        )
        wall, cpu = time.perf_counter(), time.process_time()
        for url in urls:  # fetch's own cost, without threads
            fetch(session, url, etag=validators[url][0], last_modified=validators[url][1])  # type: ignore[arg-type]
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        print(
            f"sequential, one thread: {wall:.3f}s wall, {cpu:.3f}s CPU, "
            f"{cpu / args.n * 1e6:.0f} us CPU per 304"
        )
        if args.profile:
            profile = cProfile.Profile()
            profile.enable()
            for url in urls:
                fetch(session, url, etag=validators[url][0], last_modified=validators[url][1])  # type: ignore[arg-type]
            profile.disable()
            out = io.StringIO()
            pstats.Stats(profile, stream=out).sort_stats(args.sort).print_stats(25)
            print(out.getvalue())
    session.close()
    print(f"import syndicator.sources.poll: {import_time() * 1000:.0f} ms over a bare interpreter")


if __name__ == "__main__":
    main()
