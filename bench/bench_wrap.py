"""How long one ``wrap_units`` call takes: ours against uniseg's full UAX #14.

    .venv/bin/python bench/bench_wrap.py [--runs 200]

Prints the median microseconds per call for a Chinese title, an English title and a
300-character mixed summary (the three texts a WeChat card breaks per new article).
uniseg is slow (about half a millisecond per character), so it gets fewer runs.
Needs the test extra (uniseg) for the comparison column.
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable

TEXTS = {
    "CJK title": "北京理工大学研究生国际交流人数创历史新高，全年超过一千人次，“双一流”建设迈出新步伐",
    "English title": (
        "University researchers announce a comprehensive internationalisation programme "
        "with partner institutions"
    ),
    "mixed summary": (
        "北理工与University of Cambridge签署合作协议：AI与量子计算（Quantum Computing）"
        "联合实验室揭牌，首批20名研究生入选。学校2023年科研经费突破50亿元，同比增长26.1%，"
        "来自30多个国家和地区的1,000余名学生参加了活动。The well-known programme attracted "
        "students from Europe, Asia and Africa; see https://english.bit.edu.cn/2023-06/28/"
        "c_123456.htm for details. 研究成果发表于IEEE Transactions on Robotics，引起广泛关注"
        "……校长指出：“要把论文写在祖国大地上！”"
    )[:300],
}


def median_us(call: Callable[[str], object], text: str, runs: int) -> float:
    call(text)  # warm: compiled patterns, imports
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        call(text)
        samples.append(time.perf_counter() - start)
    return statistics.median(samples) * 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=200)
    args = parser.parse_args()

    from syndicator.text import wrap_units

    try:
        from uniseg.linebreak import line_break_units
    except ImportError:  # uniseg is a test-only dependency
        line_break_units = None

    print(f"{'text':<15}{'chars':>6}{'ours µs':>11}{'uniseg µs':>12}{'speed-up':>10}")
    for name, text in TEXTS.items():
        ours = median_us(wrap_units, text, args.runs)
        if line_break_units is None:
            print(f"{name:<15}{len(text):>6}{ours:>11.1f}{'-':>12}{'-':>10}")
            continue
        theirs = median_us(lambda t: list(line_break_units(t)), text, max(args.runs // 20, 3))
        print(f"{name:<15}{len(text):>6}{ours:>11.1f}{theirs:>12.0f}{theirs / ours:>9.0f}x")


if __name__ == "__main__":
    main()
