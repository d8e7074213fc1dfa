#!/usr/bin/env python3
"""The baseline poller every feed tool is built on: requests + feedparser.

    fp_loop.py --urls URLS --state DIR [--conditional] [--threads K]

One poll round over the URL list: GET each feed (with If-None-Match /
If-Modified-Since when ``--conditional``), parse it with feedparser, print
``NEW <feed> <id>`` for every entry id not seen before, and keep seen ids and
validators in ``DIR/seen.json``. ``--threads K`` fetches and parses in a thread
pool (what a naive "make it concurrent" change does).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from concurrent.futures import ThreadPoolExecutor

import feedparser
import requests


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--urls", required=True)
    parser.add_argument("--state", required=True)
    parser.add_argument("--conditional", action="store_true")
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args()
    path = os.path.join(args.state, "seen.json")
    memory: dict[str, dict] = {}
    if os.path.exists(path):
        with open(path) as fh:
            memory = json.load(fh)
    with open(args.urls) as fh:
        urls = [line.strip() for line in fh if line.strip()]
    session = requests.Session()
    pool_size = max(10, args.threads)
    session.mount(
        "http://", requests.adapters.HTTPAdapter(pool_connections=pool_size, pool_maxsize=pool_size)
    )

    def get(url: str):  # type: ignore[no-untyped-def]
        known = memory.get(url, {})
        headers = {}
        if args.conditional and known.get("etag"):
            headers["If-None-Match"] = known["etag"]
        if args.conditional and known.get("modified"):
            headers["If-Modified-Since"] = known["modified"]
        response = session.get(url, headers=headers, timeout=30)
        if response.status_code == 304:
            return url, None, response.headers
        response.raise_for_status()
        return url, feedparser.parse(response.content), response.headers

    def handle(url: str, parsed, headers) -> None:  # type: ignore[no-untyped-def]
        entry = memory.setdefault(url, {"ids": []})
        if args.conditional:
            entry["etag"] = headers.get("ETag")
            entry["modified"] = headers.get("Last-Modified")
        if parsed is None:
            return
        seen = set(entry["ids"])
        lines = []
        for item in parsed.entries:
            ident = item.get("id") or item.get("link") or item.get("title")
            if ident not in seen:
                seen.add(ident)
                lines.append(f"NEW {url} {ident}\n")
        entry["ids"] = list(seen)
        sys.stdout.write("".join(lines))

    failures = 0
    if args.threads <= 1:
        results = (_safe(get, u) for u in urls)
    else:
        pool = ThreadPoolExecutor(args.threads)
        futures = [pool.submit(_safe, get, u) for u in urls]
        results = (f.result() for f in futures)
    for url, outcome in zip(urls, results, strict=True):
        if isinstance(outcome, Exception):
            failures += 1
            print(f"{url}: {outcome}", file=sys.stderr)
        else:
            handle(*outcome)
    with open(path + ".tmp", "w") as fh:
        json.dump(memory, fh)
    os.replace(path + ".tmp", path)
    return 1 if failures == len(urls) and urls else 0


def _safe(fn, url):  # type: ignore[no-untyped-def]
    try:
        return fn(url)
    except Exception as exc:  # one broken feed must not end the round
        return exc


if __name__ == "__main__":
    sys.exit(main())
