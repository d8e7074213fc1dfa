"""Shared fixtures: the seed article, a Chinese article, generated pictures, real fonts."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from syndicator_adapters.wechat.card import CardOptions, WeChatCardAdapter
from syndicator_adapters.wechat.fonts import FontFace, FontSet, find_fonts

from syndicator.adapter import Target
from syndicator.errors import RenderError
from syndicator.models import Article

DATA = Path(__file__).parent / "data"
SEED_URL = "https://english.bit.edu.cn/2020-02/09/c_123456.htm"
ZH_URL = "https://www.bit.edu.cn/xww/zhxw/2020-02/09/c_654321.htm"
DEJAVU = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")


def _read(name: str) -> tuple[str, str]:
    title, _, body = (DATA / name).read_text(encoding="utf-8").partition("\n\n")
    return title.strip(), body.strip()


@pytest.fixture(scope="session")
def fonts() -> FontSet:
    try:
        return find_fonts()
    except RenderError as exc:
        pytest.fail(f"{exc} (./dev setup installs fonts-noto-cjk)")


@pytest.fixture(scope="session")
def latin_font() -> FontSet:
    if not DEJAVU.is_file():
        pytest.fail(f"{DEJAVU} is missing: apt-get install fonts-dejavu-core")
    return FontSet(FontFace(DEJAVU), FontFace(DEJAVU))


@pytest.fixture
def seed_article() -> Article:
    title, body = _read("bit-news-article.txt")
    return Article(
        key=SEED_URL,
        url=SEED_URL,
        title=title,
        text=body,
        site_name="BIT News",
        published=datetime(2020, 2, 8, 20, 7, tzinfo=UTC),  # 04:07 in Beijing, 9 Feb
        language="en",
    )


@pytest.fixture
def zh_article() -> Article:
    title, body = _read("zh-article.txt")
    return Article(
        key=ZH_URL,
        url=ZH_URL,
        title=title,
        text=body,
        site_name="北京理工大学新闻网",
        published=datetime(2020, 2, 9, 4, 7, tzinfo=UTC),
        language="zh-CN",
    )


def make_photo(path: Path, size: tuple[int, int] = (1600, 1000)) -> Path:
    """A photo-like JPEG: a sky gradient, a detailed subject right of centre."""
    from PIL import Image, ImageDraw

    width, height = size
    image = Image.new("RGB", size)
    pen = ImageDraw.Draw(image)
    for y in range(height):
        shade = 120 + 100 * y // height
        pen.line([(0, y), (width, y)], fill=(shade // 2, shade, 200))
    left = int(width * 0.55)
    for i in range(0, 300, 12):
        pen.rectangle(
            (left + i, height // 3 + i // 2, left + i + 8, height - 40), fill=(90, 40 + i // 3, 30)
        )
    pen.ellipse((left - 120, 80, left + 60, 260), fill=(250, 210, 80))
    image.save(path, "JPEG", quality=88)
    return path


@pytest.fixture
def photo(tmp_path: Path) -> Path:
    return make_photo(tmp_path / "lead.jpg")


@pytest.fixture
def card_adapter(tmp_path: Path) -> Callable[..., WeChatCardAdapter]:
    def build(**options: Any) -> WeChatCardAdapter:
        target = Target(
            name="wechat-poster",
            adapter="wechat_card",
            options=CardOptions(**options),
            base_dir=tmp_path,
            timezone="Asia/Shanghai",
        )
        return WeChatCardAdapter(target)

    return build
