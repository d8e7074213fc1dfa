"""How fast ``clean_html`` turns feed item HTML into text.

The polling benchmark parses ~35,000 items (43 MB) per cold round on two shared
cores, so cleaning has to cost microseconds per KB. This prints the median time
per item and the throughput on a deterministic set of feed-like items (paragraphs,
links, bold, images, entities; English and Chinese), plus the plain-text path.

    .venv/bin/python bench/bench_clean.py [--items 200] [--repeat 5]
"""

from __future__ import annotations

import argparse
import random
import statistics
import time

from syndicator.text import clean_html, clean_text

_EN = (
    "The university announced a new research programme on battery materials today. "
    "Professor Li said the team had spent three years on the project, and that results "
    "would be published in Nature &amp; Science next spring. Students from 12 countries "
    "took part in the summer school &#8211; a record number. "
)
_ZH = (
    "北京理工大学今日宣布启动新能源材料研究计划。李教授表示，团队在该项目上已经投入了三年时间，"
    "研究成果将于明年春季发表。来自十二个国家的学生参加了暑期学校，人数创历史新高。"
)


def _paragraph(rng: random.Random) -> str:
    text = _EN if rng.random() < 0.6 else _ZH
    words = text.split(" ") if text is _EN else list(text)
    joiner = " " if text is _EN else ""
    cut = rng.randint(len(words) // 2, len(words))
    body = joiner.join(words[:cut])
    link = f'<a href="https://news.example.edu/{rng.randint(1, 99999)}">more&nbsp;here</a>'
    strong = "<strong>Key point:</strong> " if rng.random() < 0.3 else ""
    return f"<p>{strong}{body} {link}</p>\n"


def make_items(count: int, target_bytes: int = 4600, seed: int = 7) -> list[str]:
    """Deterministic feed item bodies of about ``target_bytes`` UTF-8 bytes each."""
    rng = random.Random(seed)
    items = []
    for n in range(count):
        parts = [f'<p><img src="https://news.example.edu/img/{n}.jpg" alt="photo {n}"></p>\n']
        while sum(len(p.encode()) for p in parts) < target_bytes:
            parts.append(_paragraph(rng))
            if rng.random() < 0.1:
                parts.append("<p>Editor: Zhang San</p>\n")
        items.append("".join(parts))
    return items


def _time_each(func, items: list[str], repeat: int) -> list[float]:  # type: ignore[no-untyped-def]
    per_item: list[float] = []
    for _ in range(repeat):
        for item in items:
            started = time.perf_counter()
            func(item)
            per_item.append(time.perf_counter() - started)
    return per_item


def _report(label: str, times: list[float], items: list[str]) -> None:
    median = statistics.median(times)
    mean_bytes = sum(len(i.encode()) for i in items) / len(items)
    print(
        f"{label:<22} median {median * 1e6:8.1f} us/item  "
        f"{mean_bytes / median / 1e6:7.1f} MB/s  ({mean_bytes / 1024:.1f} KB/item)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=200)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    items = make_items(args.items)
    clean_html(items[0])  # first use compiles what is compiled lazily
    _report("clean_html (feed HTML)", _time_each(clean_html, items, args.repeat), items)
    plain = [clean_html(i) for i in items]
    _report("clean_text (plain)", _time_each(clean_text, plain, args.repeat), plain)
    titles = [p.split("\n", 1)[0][:80] for p in plain]
    _report("clean_html (title)", _time_each(clean_html, titles, args.repeat), titles)


if __name__ == "__main__":
    main()
