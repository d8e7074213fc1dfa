"""Regenerate the example cards in this folder from the test articles.

    .venv/bin/python docs/cards/make_examples.py

The English card is the seed article (no lead image: the brand colour block); the
Chinese cards use a generated picture to show the smart crop.
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


def article(name: str, url: str, language: str, site: str, image: Path | None) -> Article:
    title, _, body = (DATA / name).read_text(encoding="utf-8").partition("\n\n")
    return Article(
        key=url,
        url=url,
        title=title.strip(),
        text=body.strip(),
        site_name=site,
        published=datetime(2020, 2, 8, 20, 7, tzinfo=UTC),
        language=language,
        image_path=image,
    )


def main() -> None:
    picture = make_photo(Path("/tmp/syndicator-example-lead.jpg"))
    seed = article("bit-news-article.txt", SEED_URL, "en", "BIT News", None)
    chinese = article("zh-article.txt", ZH_URL, "zh", "北京理工大学新闻网", picture)
    for name, item, layout in (
        ("seed-poster", seed, "poster"),
        ("seed-square", seed, "square"),
        ("zh-poster", chinese, "poster"),
        ("zh-story", chinese, "story"),
    ):
        target = Target(
            name="example",
            adapter="wechat_card",
            timezone="Asia/Shanghai",
            options=CardOptions(layout=layout, utm={"source": "wechat", "medium": "poster"}),
        )
        post = WeChatCardAdapter(target).render(item)
        (HERE / f"{name}.png").write_bytes(post.media[0].data)
        if name == "zh-poster":
            (HERE / "zh-cover.jpg").write_bytes(post.media[2].data)
        print(f"{name}.png  {len(post.media[0].data) // 1024} KB  {post.extra['size']}")


if __name__ == "__main__":
    main()
