"""How long ``fit`` takes for one post of the seed article, per platform rule.

``fit`` measures every candidate post whole with the platform's own counter, so
its cost is (number of candidates) x (cost of one measurement). This prints the
median time per call for the seed article (English) and a Chinese article.

    .venv/bin/python bench/bench_fit.py [--repeat 30]
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

from syndicator.text import clean_text, fit

SEED = Path(__file__).parent.parent / "tests" / "data" / "seed" / "bit-news-article.txt"
URL = "https://english.bit.edu.cn/content/2020-02/09/content_527466.htm"
ZH = (
    "北京理工大学举行2024年新年音乐会。1月3日晚，学校2024年新年音乐会在中关村校区礼堂举行，"
    "校领导与千余名师生共同观看演出。音乐会由学校艺术团交响乐团、合唱团和民乐团联合呈现，"
    "曲目涵盖古典、民族和现代作品。此外，多位校友也专程返校参加演出。"
) * 4
CASES = [
    ("x", "{title} {summary} {url} {hashtags}"),
    ("mastodon", "{title}\n\n{summary}\n\n{url} {hashtags}"),
    ("bluesky", "{title} {summary} {url}"),
    ("weibo", "【{title}】{summary} {url} {hashtags}"),
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=30)
    args = parser.parse_args()
    body = clean_text(SEED.read_text(encoding="utf-8"))
    title, _, text = body.partition("\n\n")
    articles = [("seed (en)", title, text), ("zh", "北京理工大学举行新年音乐会", ZH)]
    for label, title, text in articles:
        for rule, template in CASES:
            kwargs = dict(title=title, url=URL, summary=text, hashtags=["BIT", "北理工"])
            fit(template, rule=rule, **kwargs)  # first use compiles what is compiled lazily
            times = []
            for _ in range(args.repeat):
                started = time.perf_counter()
                fit(template, rule=rule, **kwargs)
                times.append(time.perf_counter() - started)
            print(f"{label:<10} {rule:<9} median {statistics.median(times) * 1e3:6.2f} ms")


if __name__ == "__main__":
    main()
