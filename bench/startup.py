#!/usr/bin/env python3
"""How fast ``syndicator --help`` starts (heavy imports must wait until used).

    .venv/bin/python bench/startup.py [--runs 10]

Prints min / median wall time of ``syndicator --help`` over ``--runs`` runs,
next to a bare ``python -c pass`` for the interpreter's own share, and the
modules ``-X importtime`` shows as the slowest.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)


def timed(command: list[str], runs: int) -> list[float]:
    out = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run(command, check=True, stdout=subprocess.DEVNULL)
        out.append(time.perf_counter() - started)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=10)
    args = parser.parse_args()
    python = os.path.join(REPO, ".venv", "bin", "python")
    exe = os.path.join(REPO, ".venv", "bin", "syndicator")
    bare = timed([python, "-c", "pass"], args.runs)
    helps = timed([exe, "--help"], args.runs)
    for label, values in (("python -c pass", bare), ("syndicator --help", helps)):
        print(f"{label:<20} min {min(values):.3f} s, median {statistics.median(values):.3f} s")
    trace = subprocess.run(
        [python, "-X", "importtime", "-m", "syndicator", "--help"], capture_output=True, text=True
    ).stderr.splitlines()
    rows = [line.split("|") for line in trace if line.startswith("import time:") and "|" in line]
    rows = [(int(r[1]), r[2].rstrip()) for r in rows if r[1].strip().isdigit()]
    print("slowest imports (cumulative µs):")
    for micros, name in sorted(rows, reverse=True)[:8]:
        print(f"  {micros:>8} {name}")


if __name__ == "__main__":
    sys.exit(main())
