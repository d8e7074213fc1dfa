#!/usr/bin/env python3
"""syndicator behind the peer-bench tool interface (one poll round per process).

    python bench/peer_bench_tool.py --urls URLS --state DIR [--per-host 64] [--concurrency 64]

For harnesses that pass only a URL list and a state directory (the shared
peer-bench's ``--tool 'syndicator=python .../peer_bench_tool.py --urls {urls}
--state {state}'``): the first call writes ``DIR/syndicator.toml`` (one feed
source per URL, no targets, per_host raised because the farm is one host),
then every call replaces itself (exec) with ``syndicator poll --all
--print-new``, so what is measured is syndicator alone.
"""

from __future__ import annotations

import argparse
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from tools import REPO, syndicator_config


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--urls", required=True)
    parser.add_argument("--state", required=True)
    parser.add_argument("--concurrency", type=int, default=64)
    parser.add_argument("--per-host", type=int, default=64)
    parser.add_argument("--syndicator", default=os.path.join(REPO, ".venv", "bin", "syndicator"))
    args = parser.parse_args()
    config = os.path.join(args.state, "syndicator.toml")
    if not os.path.exists(config):
        syndicator_config(
            args.state, args.urls, concurrency=args.concurrency, per_host=args.per_host
        )
    os.execv(args.syndicator, [args.syndicator, "poll", "-q", "-c", config, "--all", "--print-new"])


if __name__ == "__main__":
    main()
