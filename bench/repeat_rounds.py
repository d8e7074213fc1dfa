#!/usr/bin/env python3
"""The unchanged and changed rounds again and again, tools interleaved: medians.

    python bench/repeat_rounds.py --n 1000 --repeat 7 --tools syndicator,feedparser-seq-cond

Why: on a small shared VM one round's wall time swings by a third from minute to
minute, so a single side-by-side run (harness.py) can put a ratio either side
of a goal. Here every tool runs its cold round once on the same farm; then, in
each repetition, every tool in turn starts again from its own state as the cold
round left it and runs the unchanged round, then the changed round on a freshly
published farm (the same new items every time: ``farm.publish`` is
deterministic). Tools alternate within a repetition, so a slow minute costs
all of them. Printed: each repetition's walls and ratios, then the median wall
per tool and round and the median of the per-repetition ratios to each peer.
Nothing passes or fails.
"""

from __future__ import annotations

import argparse
import os
import shlex
import shutil
import statistics
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import farm
from harness import choose_tools, farm_arguments, machine_load, tool_arguments
from measure import run_round
from server import FeedServer
from tools import HERE, Tool


def _copy(source: str, destination: str) -> None:
    shutil.rmtree(destination, ignore_errors=True)
    shutil.copytree(source, destination)  # copy2 keeps mtimes, so nginx's validators stay
    # Written back now: else the first fsync of a copied database (SQLite's checkpoint
    # at close) would pay for writing the whole copy, which no real round does.
    os.sync()


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    farm_arguments(parser)
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--workdir", default="/tmp/syndicator-repeat")
    parser.add_argument("--tools", default="syndicator,feedparser-seq-cond")
    tool_arguments(parser)
    args = parser.parse_args()
    args.tool = []
    os.makedirs(args.workdir, exist_ok=True)
    farm_dir = os.path.join(args.workdir, "farm")
    pristine = os.path.join(args.workdir, "farm-pristine")
    shutil.rmtree(farm_dir, ignore_errors=True)
    farm.generate(farm_dir, args.n, args.seed, f"127.0.0.1:{args.port}")
    _copy(farm_dir, pristine)
    urls = os.path.join(farm_dir, "urls.txt")
    tools: list[Tool] = choose_tools(args)
    walls: dict[tuple[str, int], list[float]] = {}
    print(f"before: {machine_load()}", flush=True)
    with FeedServer(args.workdir, farm_dir, args.port, args.latency_ms) as server:
        commands = {}
        for tool in tools:
            state = os.path.join(args.workdir, "state", tool.name)
            shutil.rmtree(state, ignore_errors=True)
            os.makedirs(state)
            if tool.setup:
                tool.setup(state, urls)
            commands[tool.name] = tool.command.format(
                urls=shlex.quote(urls), state=shlex.quote(state), bench=shlex.quote(HERE)
            )
            run = run_round(commands[tool.name], state, "round-1", args.timeout, tool.env)
            print(f"{tool.name:<22} cold wall={run.wall_s:.2f}s", flush=True)
            _copy(state, state + ".after-cold")
        for repetition in range(1, args.repeat + 1):
            published = farm.publish(farm_dir, 3, args.fraction)
            _copy(pristine, farm_dir)  # unchanged round first: back to the cold farm
            for round_no in (2, 3):
                if round_no == 3:
                    farm.publish(farm_dir, 3, args.fraction)
                for tool in tools:
                    state = os.path.join(args.workdir, "state", tool.name)
                    if round_no == 2:
                        _copy(state + ".after-cold", state)
                    mark = server.mark()
                    label = f"repeat-{repetition}-round-{round_no}"
                    run = run_round(commands[tool.name], state, label, args.timeout, tool.env)
                    traffic = server.traffic_since(mark)
                    reported = tool.count(state, label)
                    expected = published["new_items"] if round_no == 3 else 0
                    walls.setdefault((tool.name, round_no), []).append(run.wall_s)
                    flag = "" if reported == expected and run.returncode == 0 else " WRONG"
                    print(
                        f"rep {repetition} r{round_no} {tool.name:<22} wall={run.wall_s:.2f}s "
                        f"cpu={run.cpu_s:.2f}s req={traffic.requests} 304={traffic.not_modified} "
                        f"new={reported}/{expected}{flag}",
                        flush=True,
                    )
            _copy(pristine, farm_dir)
    print(f"\nafter: {machine_load()}\n")
    print("| tool | unchanged median s | changed median s |")
    print("|---|---:|---:|")
    for tool in tools:
        cells = [f"{statistics.median(walls[(tool.name, n)]):.2f}" for n in (2, 3)]
        print(f"| {tool.name} | " + " | ".join(cells) + " |")
    if "syndicator" in commands:
        print("\nmedian of per-repetition ratios, syndicator / peer (lower is better):\n")
        print("| peer | unchanged | changed |")
        print("|---|---:|---:|")
        for tool in tools:
            if tool.name == "syndicator":
                continue
            cells = []
            for n in (2, 3):
                pairs = zip(walls[("syndicator", n)], walls[(tool.name, n)], strict=True)
                cells.append(f"{statistics.median(s / p for s, p in pairs):.2f}")
            print(f"| {tool.name} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
