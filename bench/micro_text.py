#!/usr/bin/env python3
"""Micro-benchmarks: summarising an article and fitting a post, per platform rule.

    .venv/bin/python bench/micro_text.py [--articles 200] [--repeat 3]

Articles come from the benchmark farm's generator (half English, half Chinese,
~0.3-3 KB bodies, plus the long "large feed" kind), so the figures are
reproducible. For each rule the script times ``syndicator.text.summarize`` (the
summary for the rule's budget) and ``syndicator.text.fit`` (title + summary +
link + hashtags into the template), and prints microseconds per call (best of
``--repeat`` runs) next to ``textwrap.shorten``, the naive character cut a
simple bot would use (which counts neither weighted characters nor URLs).
"""

from __future__ import annotations

import argparse
import html
import os
import re
import sys
import textwrap
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import farm

RULES = ("x", "mastodon", "bluesky", "weibo", "telegram")
TEMPLATE = "{title}\n\n{summary}\n\n{url} {hashtags}"


def articles(n: int) -> list[tuple[str, str, str]]:
    out = []
    for i in range(n):
        per_item = 18_000 if i % 10 == 0 else 900
        it = farm.item(7, i % 97, i, per_item, "news.example.edu")
        body = re.sub(r"<[^>]+>", " ", str(it["html"]).replace("</p>", "\n\n"))
        text = "\n\n".join(
            " ".join(p.split()) for p in html.unescape(body).split("\n\n") if p.strip()
        )
        out.append((str(it["title"]), str(it["link"]), text))
    return out


def best(fn, repeat: int) -> float:  # type: ignore[no-untyped-def]
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--articles", type=int, default=200)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    from syndicator.text.rules import get_rule

    items = articles(args.articles)
    chars = sum(len(t) for _, _, t in items) / len(items)
    print(f"{len(items)} articles, mean body {chars:.0f} characters, best of {args.repeat}\n")
    print("| rule | limit | summarize µs/article | fit µs/post | textwrap.shorten µs |")
    print("|---|---:|---:|---:|---:|")
    for rule in RULES:
        s, f, n = measure(rule, items, args.repeat)
        print(f"| {rule} | {get_rule(rule).limit} | {s:.0f} | {f:.0f} | {n:.0f} |")


def measure(
    rule: str, items: list[tuple[str, str, str]], repeat: int
) -> tuple[float, float, float]:
    """Microseconds per article: summarize, fit, and the naive cut."""
    from syndicator.text import fit, summarize
    from syndicator.text.rules import get_rule

    budget = min(get_rule(rule).limit, 600)
    summaries: list[str] = []

    def run_summaries() -> None:
        summaries[:] = [summarize(text, budget, rule) for _, _, text in items]

    def run_fit() -> None:
        for (title, url, _), summary in zip(items, summaries, strict=True):
            fit(
                TEMPLATE,
                title=title,
                url=url,
                summary=summary,
                hashtags=("校园新闻", "News"),
                rule=rule,
            )

    def run_naive() -> None:
        for title, url, text in items:
            textwrap.shorten(f"{title} {text}", width=max(20, budget - 24)) + " " + url

    per = 1e6 / len(items)
    return (
        best(run_summaries, repeat) * per,
        best(run_fit, repeat) * per,
        best(run_naive, repeat) * per,
    )


if __name__ == "__main__":
    main()
