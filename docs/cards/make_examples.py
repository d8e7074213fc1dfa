"""Regenerate the example cards in this folder.

    .venv/bin/python docs/cards/make_examples.py

The English cards are the seed article (tests/data/seed: the text as copied from the
page, breadcrumb, release date and share buttons included), the Chinese ones the test
article in tests/wechat/data; each with and without a lead image (a generated picture,
to show the smart crop). The site's name is what the page would say (og:site_name).
"""

from __future__ import annotations

import sys
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from syndicator_adapters.wechat.card import CardOptions, WeChatCardAdapter  # noqa: E402

from syndicator.adapter import Target  # noqa: E402
from syndicator.models import Article  # noqa: E402
from tests.wechat.conftest import DATA, SEED_URL, ZH_URL, make_photo  # noqa: E402

HERE = Path(__file__).parent
SEED = ROOT / "tests" / "data" / "seed" / "bit-news-article.txt"


def seed_article() -> Article:
    raw = SEED.read_text(encoding="utf-8")
    title = next(line.strip() for line in raw.splitlines()[1:] if line.strip())
    return Article(
        key=SEED_URL,
        url=SEED_URL,
        title=title,
        text=raw,
        source="bit-list",  # the config's key: never shown
        site_name="BIT News",
        published=datetime(2020, 2, 8, 20, 7, tzinfo=UTC),
        language="en",
    )


def chinese_article() -> Article:
    title, _, body = (DATA / "zh-article.txt").read_text(encoding="utf-8").partition("\n\n")
    return Article(
        key=ZH_URL,
        url=ZH_URL,
        title=title.strip(),
        text=body.strip(),
        source="bit-zh",
        site_name="北京理工大学新闻网",
        published=datetime(2020, 2, 8, 20, 7, tzinfo=UTC),
        language="zh",
    )


def render(article: Article, layout: str) -> tuple[bytes, bytes, str]:
    target = Target(
        name="example",
        adapter="wechat_card",
        timezone="Asia/Shanghai",
        options=CardOptions(layout=layout, utm={"source": "wechat", "medium": "poster"}),
    )
    post = WeChatCardAdapter(target).render(article)
    return post.media[0].data, post.media[2].data, post.media[0].filename


def main() -> None:
    picture = make_photo(Path("/tmp/syndicator-example-lead.jpg"))
    seed, chinese = seed_article(), chinese_article()
    examples = [
        ("seed-poster", seed, "poster", None),
        ("seed-poster-photo", seed, "poster", picture),
        ("zh-poster", chinese, "poster", None),
        ("zh-poster-photo", chinese, "poster", picture),
        ("seed-square", seed, "square", None),
        ("zh-story-photo", chinese, "story", picture),
    ]
    for name, article, layout, image in examples:
        png, cover, filename = render(article.with_changes(image_path=image), layout)
        (HERE / f"{name}.png").write_bytes(png)
        if layout == "poster":
            (HERE / f"{name.replace('poster', 'cover')}.jpg").write_bytes(cover)
        print(f"{name}.png  {len(png) // 1024} KB  (the adapter names it {filename})")


if __name__ == "__main__":
    main()
