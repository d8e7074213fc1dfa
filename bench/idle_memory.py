#!/usr/bin/env python3
"""Resident memory of an idle ``syndicator run`` with many sources configured.

    .venv/bin/python bench/idle_memory.py [--n 1000] [--seconds 20]

Generates the farm, serves it with nginx, writes a config with one feed source
per URL (``every = "1h"``, no targets), baselines the store once with
``syndicator poll --all`` (as a running installation would have), then starts
``syndicator run`` and samples its VmRSS from /proc every half second. With
nothing due, the service is idle: the figure is what 1,000 configured sources
cost while waiting. Printed: RSS after start-up, at the end, and the peak
(VmHWM). The service is stopped with SIGTERM (by its pid).
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import farm
from server import FeedServer
from service_probes import status_kb
from tools import REPO, syndicator_config


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--n", type=int, default=1000)
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--port", type=int, default=8935)
    parser.add_argument("--workdir", default="/tmp/syndicator-idle")
    parser.add_argument("--syndicator", default=os.path.join(REPO, ".venv", "bin", "syndicator"))
    args = parser.parse_args()
    shutil.rmtree(args.workdir, ignore_errors=True)
    farm_dir, state = os.path.join(args.workdir, "farm"), os.path.join(args.workdir, "state")
    os.makedirs(state)
    farm.generate(farm_dir, args.n, 7, f"127.0.0.1:{args.port}")
    config = syndicator_config(
        state, os.path.join(farm_dir, "urls.txt"), concurrency=64, per_host=64, every="1h"
    )
    with FeedServer(args.workdir, farm_dir, args.port):
        subprocess.run(
            [args.syndicator, "poll", "-q", "-c", config, "--all"], check=True, cwd=state
        )
        service = subprocess.Popen(
            [args.syndicator, "run", "-q", "-c", config], cwd=state, stderr=subprocess.PIPE
        )
        samples = []
        try:
            started = time.monotonic()
            while time.monotonic() - started < args.seconds:
                time.sleep(0.5)
                if service.poll() is not None:
                    raise SystemExit("service exited: " + service.stderr.read().decode()[-2000:])  # type: ignore[union-attr]
                samples.append(status_kb(service.pid, "VmRSS"))
            peak = status_kb(service.pid, "VmHWM")
        finally:
            service.send_signal(signal.SIGTERM)
            try:
                service.wait(20)
            except subprocess.TimeoutExpired:
                service.kill()
                service.wait()
    print(
        f"syndicator run, {args.n} sources, idle {args.seconds:.0f} s: "
        f"RSS after 1 s {samples[1] / 1024:.1f} MB, at the end {samples[-1] / 1024:.1f} MB, "
        f"peak (VmHWM) {peak / 1024:.1f} MB"
    )


if __name__ == "__main__":
    main()
