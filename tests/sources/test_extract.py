"""Article pages into articles, with the seed site's furniture removed by selectors.

``bit-news-article.html`` is built in the style of the seed page (see
tests/data/pages/README.md): a "release date :... | [ close window ]ViewCount:" line,
an "Editor:" line and share buttons around the body.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from syndicator.errors import ExtractionError
from syndicator.sources.extract import Selectors, extract_article

PAGES = Path(__file__).resolve().parent.parent / "data" / "pages"
SEED_URL = "https://english.bit.edu.cn/News/BITNews/2020-02/09/c_123456.htm?spm=list.1"
SEED_SELECTORS = Selectors(
    title="div.article-title",
    date="div.article-info",
    body="div.article-content",
    remove=("div.article-info", "p.editor", "p.related", "div.share"),
)


def _seed(selectors: Selectors | None):  # type: ignore[no-untyped-def]
    body = (PAGES / "bit-news-article.html").read_bytes()
    return extract_article(
        body, url=SEED_URL, source="bit-news", selectors=selectors, timezone="Asia/Shanghai"
    )


def test_seed_page_with_override_selectors_has_no_furniture_in_text() -> None:
    article = _seed(SEED_SELECTORS)
    assert article.title == (
        "The International Exchange of Postgraduates of BIT Hits a Record High in 2019"
    )
    assert article.published == datetime(2020, 2, 8, 20, 7, tzinfo=UTC)  # 04:07 in Beijing
    assert article.text.startswith("Beijing Institute of Technology, Feb 7th, 2020")
    assert "“Double First-Class” of BIT." in article.text
    furniture = ("Editor:", "Translation:", "release date", "close window", "Microblog", "Related")
    for piece in furniture:
        assert piece not in article.text
    assert article.text.count("\n\n") == 3  # four paragraphs
    assert article.image_url == "https://english.bit.edu.cn/images/2020-02/09/exchange.jpg"
    assert article.key == "url:https://english.bit.edu.cn/News/BITNews/2020-02/09/c_123456.htm"
    assert article.source == "bit-news"


def test_body_selector_without_remove_keeps_site_specific_furniture() -> None:
    """The counterpart of the test above: generic cleaning knows "Editor:" lines, but
    only the source's ``remove`` selectors know this site's "Related story" line."""
    article = _seed(Selectors(body="div.article-content"))
    assert "Related story: BIT signs a double-degree agreement" in article.text


def test_seed_page_without_selectors_still_finds_date_and_body() -> None:
    article = _seed(None)
    assert article.published == datetime(2020, 2, 8, 20, 7, tzinfo=UTC)  # from the label
    assert "international horizon" in article.text
    assert "release date" not in article.text and "Sina Microblog" not in article.text


def test_gbk_page_metadata_canonical_and_chinese_date() -> None:
    body = (PAGES / "cn-news-article-gbk.html").read_bytes()
    article = extract_article(
        body,
        url="http://news.example.edu.cn/2024/0104/c1a2.html?from=groupmessage",
        source="cn-news",
        timezone="Asia/Shanghai",
    )
    assert article.title == "研究生国际交流人数创新高"
    assert article.key == "url:https://news.example.edu.cn/2024/0104/c1a2.html"  # canonical wins
    assert article.url == "https://news.example.edu.cn/2024/0104/c1a2.html"
    assert article.published == datetime(2024, 1, 3, 16, 0, tzinfo=UTC)  # 发布时间：2024年01月04日
    assert article.image_url == "http://news.example.edu.cn/images/2024/0104/exchange.jpg"
    assert article.site_name == "示例大学新闻网" and article.language == "zh-CN"
    assert article.summary.startswith("2023年，研究生国际交流人数首次突破1000人次")
    assert "创历史新高" in article.text and "打印本页" not in article.text


def test_open_graph_and_json_ld_metadata() -> None:
    page = b"""<html><head>
    <meta property="og:title" content="Robotics lab opens">
    <script type="application/ld+json">{"@context": "https://schema.org", "@graph": [
      {"@type": "WebSite", "name": "Press"},
      {"@type": "NewsArticle", "headline": "Ignored: og:title wins",
       "datePublished": "2024-05-01T09:00:00+02:00", "image": [{"url": "/img/lab.jpg"}],
       "author": {"@type": "Person", "name": "Press Office"}}]}</script>
    </head><body><article><p>The robotics lab will host twelve school visits this term,
    the faculty announced on Wednesday after a year of preparation and fund-raising.</p>
    </article></body></html>"""
    article = extract_article(page, url="https://press.example.com/robotics", source="press")
    assert article.title == "Robotics lab opens"
    assert article.published == datetime(2024, 5, 1, 7, 0, tzinfo=UTC)
    assert article.image_url == "https://press.example.com/img/lab.jpg"
    assert article.author == "Press Office"
    assert "twelve school visits" in article.text


def test_page_without_title_or_text_raises_naming_the_url() -> None:
    with pytest.raises(ExtractionError, match=r"no article found at https://x\.org/empty"):
        extract_article(b"<html><body></body></html>", url="https://x.org/empty", source="x")
