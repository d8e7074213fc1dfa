"""News list pages (sites without a feed) into article links."""

from __future__ import annotations

from pathlib import Path

import pytest

from syndicator.sources.listpage import ListedLink, parse_list_page

PAGES = Path(__file__).resolve().parent.parent / "data" / "pages"
LIST_URL = "https://english.bit.edu.cn/News/BITNews/index.htm"
SEED_PATTERN = r"/\d{4}-\d{2}/\d{2}/c_\d+\.htm$"


def _links(items: str | None, pattern: str | None) -> list[ListedLink]:
    body = (PAGES / "bit-news-list.html").read_bytes()
    return parse_list_page(body, url=LIST_URL, items=items, link_pattern=pattern)


def test_selector_picks_article_links_in_page_order_resolved_and_deduplicated() -> None:
    assert _links("ul.news-list li a", None) == [
        ListedLink(
            "https://english.bit.edu.cn/News/BITNews/2020-02/09/c_123456.htm",
            "The International Exchange of Postgraduates of BIT Hits a Record High in 2019",
        ),
        ListedLink(
            "https://english.bit.edu.cn/News/BITNews/2020-01/15/c_123400.htm",
            'BIT Team Wins Gold at the "Challenge Cup"',
        ),
        ListedLink(
            "https://english.bit.edu.cn/News/BITNews/2020-01/08/c_123380.htm",
            "New Year Concert Held at Zhongguancun Campus",
        ),
    ]


def test_link_pattern_alone_matches_article_urls_anywhere_on_the_page() -> None:
    links = _links(None, SEED_PATTERN)
    urls = [link.url for link in links]
    assert urls == [
        "https://english.bit.edu.cn/About/2019-05/10/c_100001.htm",
        "https://english.bit.edu.cn/News/BITNews/2020-02/09/c_123456.htm",
        "https://english.bit.edu.cn/News/BITNews/2020-01/15/c_123400.htm",
        "https://english.bit.edu.cn/News/BITNews/2020-01/08/c_123380.htm",
        "https://english.bit.edu.cn/Contact/2018-01/01/c_100000.htm",
    ]
    # The focus image links the first article without text; its titled twin supplies it.
    assert links[1].title.startswith("The International Exchange")


def test_selector_and_pattern_together_narrow_the_selection() -> None:
    urls = [link.url for link in _links("ul.news-list li", r"/2020-01/")]
    assert urls == [
        "https://english.bit.edu.cn/News/BITNews/2020-01/15/c_123400.htm",
        "https://english.bit.edu.cn/News/BITNews/2020-01/08/c_123380.htm",
    ]


def test_gbk_list_page_titles_decode() -> None:
    page = '<html><head><meta charset="gbk"></head><body><ul class="list">'
    page += (
        '<li><a href="/2024/0104/c1a2.html">研究生国际交流人数创新高</a></li></ul></body></html>'
    )
    (link,) = parse_list_page(
        page.encode("gbk"), url="https://news.example.edu.cn/", items=".list a", link_pattern=None
    )
    assert link == ListedLink(
        "https://news.example.edu.cn/2024/0104/c1a2.html", "研究生国际交流人数创新高"
    )


def test_pattern_re2_cannot_compile_is_a_clear_error() -> None:
    with pytest.raises(
        ValueError, match=r"invalid link pattern '\(a\)\\\\1': .*invalid escape sequence"
    ):
        _links(None, r"(a)\1")


def test_invalid_selector_is_a_clear_error() -> None:
    with pytest.raises(ValueError, match=r"invalid CSS selector 'ul\.\.x'"):
        _links("ul..x", None)
