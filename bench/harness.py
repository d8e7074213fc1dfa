#!/usr/bin/env python3
"""Side-by-side polling benchmark: syndicator and its peers on one feed farm.

    python bench/harness.py --n 1000 --latency-ms 0
    python bench/harness.py --n 200 --latency-ms 50 --tools syndicator,feedparser-8thr-cond

For each tool: regenerate the farm (same bytes, same validators), start from an
empty state directory, and run three rounds, each a separate process:
  1 cold       every item is new
  2 unchanged  nothing changed (a polite poller gets 304s only)
  3 changed    ``--fraction`` of the feeds got 1-3 new items just before
Measured per round: wall, CPU (user+sys incl. waited-for children), peak RSS,
requests / 200 / 304 / bytes from nginx's access log, and new items reported
against the exact number published. Tools run strictly one at a time. The
table prints a comparison; nothing here passes or fails.
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
import shutil
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import farm
from measure import run_round
from server import FeedServer
from tools import HERE, REPO, Tool, peers, syndicator_tool

DEFAULT_TOOLS = "syndicator,feedparser-seq,feedparser-seq-cond,feedparser-8thr-cond"


def machine_load() -> str:
    one, five, fifteen = os.getloadavg()
    return f"load average {one:.2f} {five:.2f} {fifteen:.2f} on {os.cpu_count()} CPUs"


def choose_tools(args: argparse.Namespace) -> list[Tool]:
    available = peers(args.peer_python)
    available["syndicator"] = syndicator_tool(
        args.syndicator, concurrency=args.concurrency, per_host=args.per_host
    )
    chosen = [available[name] for name in args.tools.split(",") if name]
    for spec in args.tool:
        name, command = spec.split("=", 1)
        chosen.append(Tool(name, command))
    return chosen


def run_tool(tool: Tool, args: argparse.Namespace, server: FeedServer, farm_dir: str) -> list[dict]:
    shutil.rmtree(farm_dir, ignore_errors=True)
    info = farm.generate(farm_dir, args.n, args.seed, f"127.0.0.1:{args.port}")
    state = os.path.join(args.workdir, "state", tool.name)
    shutil.rmtree(state, ignore_errors=True)
    os.makedirs(state)
    urls = os.path.join(farm_dir, "urls.txt")
    if tool.setup:
        tool.setup(state, urls)
    command = tool.command.format(
        urls=shlex.quote(urls), state=shlex.quote(state), bench=shlex.quote(HERE)
    )
    rows = []
    for round_no, label in ((1, "cold"), (2, "unchanged"), (3, f"{args.fraction:.0%} changed")):
        expected = 0
        if round_no == 3:
            expected = farm.publish(farm_dir, 3, args.fraction)["new_items"]
        elif round_no == 1:
            expected = info["items"]
        mark = server.mark()
        run = run_round(command, state, f"round-{round_no}", args.timeout, tool.env)
        traffic = server.traffic_since(mark)
        row = {
            "tool": tool.name,
            "round": round_no,
            "label": label,
            "expected": expected,
            "reported": tool.count(state, f"round-{round_no}"),
            **vars(run),
            **vars(traffic),
            "load": os.getloadavg()[0],
        }
        rows.append(row)
        print(one_line(row), flush=True)
    rows[0]["farm"] = info
    return rows


def one_line(r: dict) -> str:
    return (
        f"{r['tool']:<22} r{r['round']} wall={r['wall_s']:.2f}s cpu={r['cpu_s']:.2f}s "
        f"rss={r['rss_mb']:.0f}MB req={r['requests']} 200={r['ok']} 304={r['not_modified']} "
        f"other={r['other']} MB={r['bytes_sent'] / 1e6:.2f} new={r['reported']}/{r['expected']} "
        f"rc={r['returncode']}{' TIMEOUT' if r['timed_out'] else ''} load={r['load']:.1f}"
    )


def table(rows: list[dict], args: argparse.Namespace) -> str:
    info = rows[0]["farm"]
    head = (
        f"N={args.n} feeds, latency {args.latency_ms} ms, farm {info['items']} items / "
        f"{info['bytes'] / 1e6:.1f} MB ({info['large']} large, {info['atom']} Atom)\n\n"
        "| tool | round | wall s | CPU s | peak RSS MB | requests | 200 | 304 | MB sent "
        "| new reported / expected | ok | load |\n"
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---|---:|\n"
    )
    body = []
    for r in rows:
        ok = r["reported"] == r["expected"] and r["returncode"] == 0 and not r["timed_out"]
        verdict = "yes" if ok else "NO rc=" + str(r["returncode"])
        body.append(
            f"| {r['tool']} | {r['round']} {r['label']} | {r['wall_s']:.2f} | {r['cpu_s']:.2f} "
            f"| {r['rss_mb']:.0f} | {r['requests']} | {r['ok']} | {r['not_modified']} "
            f"| {r['bytes_sent'] / 1e6:.2f} | {r['reported']} / {r['expected']} "
            f"| {verdict} | {r['load']:.1f} |"
        )
    return head + "\n".join(body)


def ratios(rows: list[dict]) -> str:
    """syndicator's wall time as a fraction of each peer's, round by round."""
    wall = {(r["tool"], r["round"]): r["wall_s"] for r in rows}
    if not any(tool == "syndicator" for tool, _ in wall):
        return ""
    lines = ["", "syndicator wall time / peer wall time (lower is better):", ""]
    lines.append("| peer | cold | unchanged | changed |")
    lines.append("|---|---:|---:|---:|")
    for tool in dict.fromkeys(t for t, _ in wall):
        if tool == "syndicator":
            continue
        cells = [f"{wall[('syndicator', n)] / wall[(tool, n)]:.2f}" for n in (1, 2, 3)]
        lines.append(f"| {tool} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def farm_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--n", type=int, default=1000)
    parser.add_argument("--latency-ms", type=int, default=0)
    parser.add_argument("--fraction", type=float, default=0.05)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--port", type=int, default=8932)


def tool_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--peer-python", default=sys.executable, help="python of the venv with the peers"
    )
    parser.add_argument("--syndicator", default=os.path.join(REPO, ".venv", "bin", "syndicator"))
    parser.add_argument(
        "--concurrency", type=int, default=64, help="syndicator [fetch] concurrency"
    )
    parser.add_argument(
        "--per-host", type=int, default=64, help="syndicator [fetch] per_host (one host here)"
    )
    parser.add_argument("--timeout", type=float, default=600)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    farm_arguments(parser)
    parser.add_argument("--workdir", default="/tmp/syndicator-bench")
    parser.add_argument(
        "--tools",
        default=DEFAULT_TOOLS,
        help="comma list; also feed2exec-seq, feed2exec-par, feed2toot-populate",
    )
    parser.add_argument(
        "--tool",
        action="append",
        default=[],
        metavar="NAME=CMD",
        help="extra tool: CMD with {urls}, {state}, {bench}; one stdout line per new item",
    )
    tool_arguments(parser)
    parser.add_argument("--json-out")
    parser.add_argument("--md-out")
    args = parser.parse_args()
    os.makedirs(args.workdir, exist_ok=True)
    farm_dir = os.path.join(args.workdir, "farm")
    os.makedirs(farm_dir, exist_ok=True)
    started, load_before = time.monotonic(), machine_load()
    rows: list[dict] = []
    with FeedServer(args.workdir, farm_dir, args.port, args.latency_ms) as server:
        for tool in choose_tools(args):
            rows += run_tool(tool, args, server, farm_dir)
    report = (
        table(rows, args)
        + "\n"
        + ratios(rows)
        + f"\n\nwhole run {time.monotonic() - started:.0f} s; before: {load_before}; "
        f"after: {machine_load()}\n"
    )
    print("\n" + report)
    if args.md_out:
        with open(args.md_out, "w") as fh:
            fh.write(report)
    if args.json_out:
        with open(args.json_out, "w") as fh:
            json.dump({"args": vars(args), "rows": rows}, fh, indent=1, default=str)


if __name__ == "__main__":
    main()
