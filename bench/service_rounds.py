#!/usr/bin/env python3
"""Poll rounds measured inside a running ``syndicator run``, beside the peer.

    .venv/bin/python bench/service_rounds.py --n 1000 [--rounds 3] [--json-out FILE]

Why in the service: a news office runs ``syndicator run`` for months, so what counts
is what one more round costs the long-lived process, not a process per round (that
is harness.py). The farm (farm.py) is served by nginx (server.py); the service polls
N feed sources (``every = "1m"``, ``[service] jitter = "0s"``, no targets) on one
loop. Rounds are found in nginx's access log, tailed every 10 ms: N ``/feeds/``
lines per round. A round has ended when the service's CPU (utime + stime from
/proc/PID/stat, sampled every 100 ms with VmRSS) has stopped growing after its
last request. Per round: CPU between two round ends (round 1: from the process's
start), wall from the first request to the end, new items (articles in the store,
and the log's "polled ... new article(s)" lines) against farm.py's exact counts.
Round 1 is cold, then unchanged and 5 %-changed rounds alternate (``farm.py
publish`` just after an unchanged round). During the cold round a thread asks
``/healthz`` every ~20 ms; it stops with the round, so its requests cost no other
round. After the last round, the service idles (nothing due) for ``--idle`` s.
Then the peer ``feedparser-seq-cond`` runs the same rounds, one process each, on a
freshly generated farm, as harness.py runs it. Prints one table; nothing here
passes or fails.
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import farm
from harness import machine_load
from measure import run_round
from server import FeedServer
from service_probes import HealthProbe, Sampler
from tools import HERE, REPO, _compile_syndicator, peers, syndicator_config

PEER = "feedparser-seq-cond"
GOALS = {"unchanged": 1 / 5, "changed": 1 / 4}  # syndicator CPU / peer CPU, per round


def labels(rounds: int) -> list[str]:
    """Round 1 cold, then unchanged and changed in turn."""
    return ["cold"] + ["unchanged" if k % 2 == 0 else "changed" for k in range(2, rounds + 1)]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def service_config(state: str, urls: str, http_port: int) -> str:
    path = syndicator_config(state, urls, concurrency=64, per_host=64, every="1m")
    with open(path, "a") as fh:  # [service] after the [[sources]]: a table of its own
        fh.write(f'\n[service]\njitter = "0s"\nhttp = "127.0.0.1:{http_port}"\n')
    return path


def articles(database: str) -> int:
    if not os.path.exists(database):
        return 0
    with sqlite3.connect(f"file:{database}?mode=ro", uri=True, timeout=30) as connection:
        return int(connection.execute("select count(*) from articles").fetchone()[0])


def logged_new(log: str, mark: int) -> tuple[int, list[str], int]:
    """New articles the service's log reported after ``mark``; its odd lines; the end."""
    with open(log, "rb") as fh:
        fh.seek(mark)
        data = fh.read()
    new, odd = 0, []
    for line in data.decode("utf-8", "replace").splitlines():
        if " polled " in line and " new article(s)" in line:
            new += int(line.split(" source(s): ")[1].split(" new article")[0])
        if " WARNING " in line or " ERROR " in line or "Traceback" in line:
            odd.append(line[:300])
    return new, odd, mark + len(data)


def wait_round(sampler: Sampler, n: int, round_no: int, timeout: float) -> dict:
    """Wait for the round's N requests, then for the service's CPU to settle."""
    deadline = time.monotonic() + timeout
    while len(sampler.requests) < n * round_no:
        if time.monotonic() > deadline or sampler.gone:
            got = len(sampler.requests) - n * (round_no - 1)
            raise SystemExit(f"round {round_no}: {got} of {n} requests (service gone or stalled)")
        time.sleep(0.05)
    mine = sampler.requests[n * (round_no - 1) : n * round_no]
    # 20 ms of CPU in 0.5 s is idle; during the cold round /healthz is asked 25 times
    # in 0.5 s, which costs more than that in a slow (e.g. asyncio debug) service.
    most = 0.1 if round_no == 1 else 0.02
    end, cpu, settled = sampler.settle(mine[-1][0] + 0.3, deadline, n * round_no, most)
    start_cpu = sampler.cpu_before(mine[0][0])
    statuses = [status for _, status in mine]
    return {
        "first_request": mine[0][0],
        "last_request": mine[-1][0],
        "end": end,
        "cpu_end": cpu,
        "cpu_at_start": start_cpu,
        "settled": settled,  # False: the next round began before the CPU settled
        "ok": statuses.count("200"),
        "not_modified": statuses.count("304"),
        "other": len(statuses) - statuses.count("200") - statuses.count("304"),
    }


def run_service(args: argparse.Namespace, farm_dir: str, info: dict) -> tuple[list[dict], dict]:
    state = os.path.join(args.workdir, "state", "syndicator")
    os.makedirs(state)
    http_port = free_port()
    config = service_config(state, os.path.join(farm_dir, "urls.txt"), http_port)
    _compile_syndicator(args.syndicator)
    log = os.path.join(state, "run.log")
    with FeedServer(args.workdir, farm_dir, args.port) as server, open(log, "wb") as out:
        sampler = Sampler(server.log, os.path.getsize(server.log))
        started = time.monotonic()
        service = subprocess.Popen(
            [args.syndicator, "run", "-c", config],
            cwd=state,
            env=dict(os.environ, HOME=state),
            stdout=out,
            stderr=out,
            start_new_session=True,
        )
        sampler.start(service.pid)
        probe = HealthProbe("127.0.0.1", http_port)
        probe.start()
        try:
            rows = rounds_in_service(args, sampler, probe, farm_dir, info, state, started)
            extra = idle_after(args, sampler, rows[-1]["end"])
            extra["health"] = probe.summary(rows[0]["first_request"], rows[0]["end"])
        finally:
            probe.stop()
            stop(service)
            sampler.stop()
    extra["start_to_first_request_s"] = rows[0]["first_request"] - started
    return rows, extra


def rounds_in_service(
    args: argparse.Namespace,
    sampler: Sampler,
    probe: HealthProbe,
    farm_dir: str,
    info: dict,
    state: str,
    started: float,
) -> list[dict]:
    database, log = os.path.join(state, "syndicator.db"), os.path.join(state, "run.log")
    rows: list[dict] = []
    expected, count, mark, cpu = info["items"], 0, 0, 0.0
    for round_no, label in enumerate(labels(args.rounds), start=1):
        found = wait_round(sampler, args.n, round_no, args.timeout)
        if round_no == 1:
            probe.stop()
            found["rss_max_mb"] = sampler.rss_max(started, found["end"]) / 1024
            found["hwm_mb"] = sampler.hwm_kb() / 1024
            found["rss_started_mb"] = sampler.rss_at(found["first_request"]) / 1024
        total = articles(database)
        new_logged, odd, mark = logged_new(log, mark)
        previous_end = rows[-1]["end"] if rows else started
        found["rss_end_mb"] = sampler.rss_at(found["end"]) / 1024
        row = {
            "round": round_no,
            "label": label,
            "cpu_s": found["cpu_end"] - cpu,
            "idle_before_s": found["cpu_at_start"] - cpu,
            "wall_s": found["end"] - found["first_request"],
            "fetch_s": found["last_request"] - found["first_request"],
            "since_previous_start_s": found["first_request"]
            - (rows[-1]["first_request"] if rows else started),
            "new_store": total - count,
            "new_logged": new_logged,
            "expected": expected,
            "odd_log_lines": odd,
            "between_ends_s": found["end"] - previous_end,
            **found,
        }
        rows.append(row)
        print(f"service  {one_line(row)}", flush=True)
        count, cpu = total, found["cpu_end"]
        expected = 0
        if round_no < args.rounds and labels(args.rounds)[round_no] == "changed":
            expected = farm.publish(farm_dir, round_no + 1, args.fraction)["new_items"]
    return rows


def one_line(row: dict) -> str:
    return (
        f"r{row['round']} {row['label']:<9} cpu={row['cpu_s']:.2f}s "
        f"wall={row.get('wall_s', 0):.2f}s 200={row.get('ok', '-')} "
        f"304={row.get('not_modified', '-')} new={row.get('new_store', '-')}/{row['expected']}"
        + (f" rss={row['rss_end_mb']:.1f}MB" if "rss_end_mb" in row else "")
    )


def idle_after(args: argparse.Namespace, sampler: Sampler, since: float) -> dict:
    """The service with nothing due: its RSS and CPU over ``--idle`` seconds."""
    time.sleep(max(0.0, since + args.idle - time.monotonic()))
    cpu_start, cpu_end = sampler.cpu_before(since), sampler.cpu_before(time.monotonic())
    return {
        "idle_s": args.idle,
        "idle_rss_mb": sampler.rss_last() / 1024,
        "idle_cpu_s": cpu_end - cpu_start,
        "hwm_end_mb": sampler.hwm_kb() / 1024,
        "threads_max": sampler.threads_max,
    }


def stop(service: subprocess.Popen[bytes]) -> None:
    if service.poll() is None:
        service.send_signal(signal.SIGTERM)
    try:
        service.wait(30)
    except subprocess.TimeoutExpired:
        os.killpg(service.pid, signal.SIGKILL)  # the service's own process group only
        service.wait()


def run_peer(args: argparse.Namespace, farm_dir: str) -> list[dict]:
    """The peer's rounds, one process each, on a fresh farm: as harness.py runs them."""
    shutil.rmtree(farm_dir, ignore_errors=True)
    info = farm.generate(farm_dir, args.n, args.seed, f"127.0.0.1:{args.port}")
    tool = peers(args.peer_python)[PEER]
    state = os.path.join(args.workdir, "state", PEER)
    os.makedirs(state)
    urls = os.path.join(farm_dir, "urls.txt")
    command = tool.command.format(
        urls=shlex.quote(urls), state=shlex.quote(state), bench=shlex.quote(HERE)
    )
    rows, expected = [], info["items"]
    with FeedServer(args.workdir, farm_dir, args.port):
        for round_no, label in enumerate(labels(args.rounds), start=1):
            if label == "changed":
                expected = farm.publish(farm_dir, round_no, args.fraction)["new_items"]
            run = run_round(command, state, f"round-{round_no}", args.timeout, tool.env)
            reported = tool.count(state, f"round-{round_no}")
            row = {"round": round_no, "label": label, "expected": expected, **vars(run)}
            row["new_store"] = reported
            rows.append(row)
            print(f"{PEER}  {one_line(row)}", flush=True)
            expected = 0
    return rows


def report(args: argparse.Namespace, ours: list[dict], extra: dict, peer: list[dict]) -> str:
    lines = [
        f"N={args.n} feed sources, one `syndicator run` (every = 1m, jitter 0 s, "
        f"concurrency 64, per_host 64) against {PEER}, one process per round",
        "",
        "| round | syndicator CPU s | of which idle before | peer CPU s | ratio | goal "
        "| wall s | 200 / 304 | new items (store / log / expected) | exact |",
        "|---|---:|---:|---:|---:|---|---:|---|---|---|",
    ]
    for row, theirs in zip(ours, peer, strict=True):
        ratio = row["cpu_s"] / theirs["cpu_s"] if theirs["cpu_s"] else float("inf")
        goal = GOALS.get(row["label"])
        verdict = "-" if goal is None else f"<= {goal:.2f} {'met' if ratio <= goal else 'MISSED'}"
        verdict += "" if row["settled"] else " (never settled)"
        logged = "-" if row["label"] == "unchanged" else row["new_logged"]
        exact = row["new_store"] == row["expected"] and theirs["new_store"] == row["expected"]
        exact = exact and (row["label"] == "unchanged" or row["new_logged"] == row["expected"])
        lines.append(
            f"| {row['round']} {row['label']} | {row['cpu_s']:.2f} | {row['idle_before_s']:.2f} "
            f"| {theirs['cpu_s']:.2f} | {ratio:.3f} | {verdict} | {row['wall_s']:.2f} "
            f"| {row['ok']} / {row['not_modified']} | {row['new_store']} / {logged} / "
            f"{row['expected']} (peer {theirs['new_store']}) | {'yes' if exact else 'NO'} |"
        )
    lines += ["", *details(ours, extra)]
    return "\n".join(lines)


def details(ours: list[dict], extra: dict) -> list[str]:
    health, cold = extra["health"], ours[0]

    def met(ok: bool) -> str:
        return "met" if ok else "MISSED"

    gaps = ", ".join(f"{r['since_previous_start_s']:.1f}" for r in ours[1:])
    odd = [line for r in ours for line in r["odd_log_lines"]]
    lines = [
        f"/healthz during the cold round ({health['count']} asked, statuses {health['statuses']}): "
        f"p50 {health['p50_ms']:.1f} ms, p99 {health['p99_ms']:.1f} ms "
        f"({met(health['p99_ms'] < 100)}: < 100), max {health['max_ms']:.1f} ms "
        f"({met(health['max_ms'] < 250)}: < 250)",
        f"RSS: cold round max {cold['rss_max_mb']:.1f} MB ({met(cold['rss_max_mb'] < 150)}: "
        f"< 150; VmHWM {cold['hwm_mb']:.1f}; {cold['rss_started_mb']:.1f} at its first "
        f"request), idle {extra['idle_rss_mb']:.1f} MB after "
        f"{extra['idle_s']:.0f} s with nothing due ({met(extra['idle_rss_mb'] < 100)}: < 100)",
        f"idle CPU: {extra['idle_cpu_s']:.2f} s over {extra['idle_s']:.0f} s; start-up to the "
        f"first request {extra['start_to_first_request_s']:.2f} s; between round starts "
        f"(every = 1m): {gaps} s; threads at most {extra['threads_max']}",
        f"service log: {len(odd)} warning/error line(s)" + "".join(f"\n  {x}" for x in odd[:5]),
    ]
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--n", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--fraction", type=float, default=0.05)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--port", type=int, default=8936, help="nginx's port")
    parser.add_argument("--idle", type=float, default=20, help="seconds idle after the rounds")
    parser.add_argument("--timeout", type=float, default=300, help="seconds per round at most")
    parser.add_argument("--syndicator", default=os.path.join(REPO, ".venv", "bin", "syndicator"))
    parser.add_argument("--peer-python", default=sys.executable)
    parser.add_argument("--workdir", default="/tmp/syndicator-service-rounds")
    parser.add_argument("--json-out")
    args = parser.parse_args()
    shutil.rmtree(args.workdir, ignore_errors=True)
    farm_dir = os.path.join(args.workdir, "farm")
    info = farm.generate(farm_dir, args.n, args.seed, f"127.0.0.1:{args.port}")
    load_before = machine_load()
    ours, extra = run_service(args, farm_dir, info)
    peer = run_peer(args, farm_dir)
    text = report(args, ours, extra, peer)
    print(f"\n{text}\n\nbefore: {load_before}; after: {machine_load()}")
    if args.json_out:
        with open(args.json_out, "w") as fh:
            payload = {"args": vars(args), "service": ours, "extra": extra, "peer": peer}
            json.dump(payload, fh, indent=1, default=str)


if __name__ == "__main__":
    main()
