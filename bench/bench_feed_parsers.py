"""The fast lxml feed path beside feedparser, on the feeds the fast path takes.

Two sets: feedparser's own test feeds (``../shared/conformance/feedparser``, each
file the fast path accepts; small, so this is mostly per-document overhead) and
the farm's realistic feeds (``farm.py``: 20-50 items with HTML bodies, English and
Chinese). Both parsers get bytes and return their entries; syndicator's figure is
``parse_entries`` (the poll path's parse, before HTML cleaning), and
``parse_feed`` (entries cleaned into Articles) is printed beside it. Goal: the
fast path at least 10x faster than ``feedparser.parse``.

    .venv/bin/python bench/bench_feed_parsers.py [--farm 40] [--repeat 7]
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

CORPUS = ROOT.parent / "shared" / "conformance" / "feedparser" / "wellformed"


def _fast_feeds() -> list[tuple[str, bytes]]:
    from syndicator.sources.feed_xml import NotFast, parse_xml_fast

    taken = []
    for path in sorted(p for p in CORPUS.rglob("*") if p.is_file()):
        body = path.read_bytes()
        url = "http://127.0.0.1:8097/tests/wellformed/" + path.relative_to(CORPUS).as_posix()
        try:
            parse_xml_fast(body, url=url)
        except NotFast:
            continue
        taken.append((url, body))
    return taken


def _farm_feeds(count: int) -> list[tuple[str, bytes]]:
    import farm

    feeds = []
    for number in range(count):
        plan = farm.feed_plan(7, number)
        feeds.append(
            (
                f"http://127.0.0.1:8932/feeds/n{number:05d}.xml",
                farm.render(7, plan, "127.0.0.1:8932"),
            )
        )
    return feeds


def _best_times(
    repeat: int, feeds: list[tuple[str, bytes]], parsers: dict[str, Callable[[bytes, str], object]]
) -> dict[str, float]:
    """The best total time of each parser over ``feeds``; the parsers take turns in
    every repetition, so a change in the machine's load (2 shared cores) falls on
    all of them alike."""
    best = dict.fromkeys(parsers, float("inf"))
    for _ in range(repeat):
        for name, parse in parsers.items():
            start = time.perf_counter()
            for url, body in feeds:
                parse(body, url)
            best[name] = min(best[name], time.perf_counter() - start)
    return best


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--farm", type=int, default=40, help="farm feeds to generate")
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()

    import feedparser

    from syndicator.sources.feeds import parse_entries, parse_feed

    sets = []
    if CORPUS.is_dir():
        sets.append(("feedparser's test feeds the fast path takes", _fast_feeds()))
    else:
        print(f"(feedparser's corpus not found at {CORPUS}: skipped)")
    sets.append((f"farm feeds ({args.farm})", _farm_feeds(args.farm)))
    parsers: dict[str, Callable[[bytes, str], object]] = {
        "feedparser.parse": lambda body, url: feedparser.parse(
            body, response_headers={"content-location": url, "content-type": "application/xml"}
        ),
        "syndicator parse_entries (fast path)": lambda body, url: parse_entries(
            body, url=url, source="b"
        ),
        "syndicator parse_feed (fast path + cleaning)": lambda body, url: parse_feed(
            body, url=url, source="b"
        ),
    }
    for title, feeds in sets:
        size = sum(len(b) for _, b in feeds)
        print(f"\n{title}: {len(feeds)} documents, {size / 1e6:.2f} MB, best of {args.repeat}")
        timings = _best_times(args.repeat, feeds, parsers)
        reference = timings["feedparser.parse"]
        print("| parser | total s | ms per document | feedparser / this |")
        print("|---|---|---|---|")
        for name, seconds in timings.items():
            print(
                f"| {name} | {seconds:.3f} | {1000 * seconds / len(feeds):.3f} | {reference / seconds:.1f}x |"
            )


if __name__ == "__main__":
    main()
