#!/usr/bin/env python3
"""Where a poll round's time goes: cProfile of syndicator's cold and unchanged rounds.

    .venv/bin/python bench/profile_poll.py --n 1000 [--top 30] [--sort tottime]

Generates the farm, serves it with nginx, writes the same config the harness
uses, then profiles ``syndicator.poll.poll`` in this process (round 1 cold,
round 2 unchanged) and prints the top functions of each.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import shutil
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import farm
from server import FeedServer
from tools import syndicator_config


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--n", type=int, default=1000)
    parser.add_argument("--port", type=int, default=8933)
    parser.add_argument("--workdir", default="/tmp/syndicator-profile")
    parser.add_argument("--top", type=int, default=30)
    parser.add_argument("--sort", default="cumulative")
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    shutil.rmtree(args.workdir, ignore_errors=True)
    farm_dir, state = os.path.join(args.workdir, "farm"), os.path.join(args.workdir, "state")
    os.makedirs(state)
    farm.generate(farm_dir, args.n, 7, f"127.0.0.1:{args.port}")
    config_path = syndicator_config(
        state, os.path.join(farm_dir, "urls.txt"), concurrency=64, per_host=64
    )

    from syndicator.config import load_config
    from syndicator.engine import Engine
    from syndicator.poll import poll

    with FeedServer(args.workdir, farm_dir, args.port):
        for round_no in range(1, args.rounds + 1):
            engine = Engine.open(load_config(config_path))
            profile = cProfile.Profile()
            started = time.perf_counter()
            profile.enable()
            summary = poll(engine, force=True, on_new=lambda article: None)
            profile.disable()
            print(
                f"round {round_no}: {time.perf_counter() - started:.2f}s {summary.new_articles} new, "
                f"{summary.not_modified} unchanged, {summary.failed} failed"
            )
            engine.close()
            out = io.StringIO()
            pstats.Stats(profile, stream=out).sort_stats(args.sort).print_stats(args.top)
            print(out.getvalue())


if __name__ == "__main__":
    main()
