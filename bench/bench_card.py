"""How long a WeChat share card takes to render: median of a 1080 px poster, one core.

    .venv/bin/python bench/bench_card.py [--runs 30]

Prints the median (and the cold first render, which loads the fonts and reads the
CJK font's character map once per process) for the English seed article and a Chinese
article, with a lead image, in three stages: layout only, layout + drawing, and
drawing + PNG encoding. Line-break units of a text are cached per process (the
poster and the cover of one article share them), so "layout, cold text" clears that
cache before each run to show the cost of a new article. Aim: under 100 ms for a
drawn poster on one core.
"""

from __future__ import annotations

import argparse
import io
import os
import statistics
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "tests" / "wechat" / "data"


def photo() -> Path:
    """A photo-like 1600x1000 JPEG, written once to a temp file."""
    import tempfile

    from PIL import Image, ImageDraw

    image = Image.new("RGB", (1600, 1000))
    pen = ImageDraw.Draw(image)
    for y in range(1000):
        pen.line([(0, y), (1600, y)], fill=(60 + y // 10, 120 + y // 8, 200))
    for i in range(0, 300, 12):
        pen.rectangle((880 + i, 330 + i // 2, 888 + i, 960), fill=(90, 40 + i // 3, 30))
    path = Path(tempfile.mkdtemp()) / "lead.jpg"
    image.save(path, "JPEG", quality=88)
    return path


def articles(image: Path):
    from syndicator.models import Article

    for name, url, language in (
        ("bit-news-article.txt", "https://english.bit.edu.cn/2020-02/09/c_123456.htm", "en"),
        ("zh-article.txt", "https://www.bit.edu.cn/xww/2020-02/09/c_654321.htm", "zh"),
    ):
        title, _, body = (DATA / name).read_text(encoding="utf-8").partition("\n\n")
        yield Article(
            key=url,
            url=url,
            title=title.strip(),
            text=body.strip(),
            site_name="BIT News",
            published=datetime(2020, 2, 9, tzinfo=UTC),
            language=language,
            image_path=image,
        )


def timed(function, runs: int) -> tuple[float, float]:
    """(first call, median of the following ``runs``) in milliseconds."""
    start = time.perf_counter()
    function()
    first = (time.perf_counter() - start) * 1000
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        function()
        samples.append((time.perf_counter() - start) * 1000)
    return first, statistics.median(samples)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=30)
    args = parser.parse_args()
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})

    from syndicator_adapters.wechat.content import card_content
    from syndicator_adapters.wechat.draw import draw_layout, encode_png
    from syndicator_adapters.wechat.fonts import find_fonts
    from syndicator_adapters.wechat.layout import compute_layout
    from syndicator_adapters.wechat.templates import load_template
    from syndicator_adapters.wechat.wrap import units

    fonts = find_fonts()
    template = load_template("poster")
    print(
        f"poster 1080 px, font {fonts.regular.path.name}#{fonts.regular.index}, "
        f"{args.runs} runs, 1 core, Python {sys.version.split()[0]}"
    )
    print(f"{'article':<8} {'stage':<22} {'first ms':>9} {'median ms':>10}")
    for article in articles(photo()):
        content = card_content(article, timezone="Asia/Shanghai")
        stages = {
            "layout, cold text": lambda c=content: (
                units.cache_clear(),
                compute_layout(template, c, fonts),
            ),
            "layout": lambda c=content: compute_layout(template, c, fonts),
            "layout + draw": lambda c=content: draw_layout(
                compute_layout(template, c, fonts), c, fonts
            ),
            "layout + draw + PNG": lambda c=content: encode_png(
                draw_layout(compute_layout(template, c, fonts), c, fonts)
            ),
        }
        for stage, function in stages.items():
            first, median = timed(function, args.runs)
            print(f"{article.language:<8} {stage:<22} {first:>9.1f} {median:>10.1f}")
        image = draw_layout(compute_layout(template, content, fonts), content, fonts)
        buffer = io.BytesIO()
        image.save(buffer, "PNG")
        print(
            f"{'':<8} {'(PNG size)':<22} {buffer.tell() // 1024:>8} KB  {image.width}x{image.height}"
        )


if __name__ == "__main__":
    main()
