"""The site's name as the page says it: og:site_name, else the <title> beside the headline."""

from __future__ import annotations

import pytest

from syndicator.sources.extract import extract_article
from syndicator.sources.meta import site_from_title


@pytest.mark.parametrize(
    ("title", "heading", "site"),
    [
        ("Lab opens | BIT News", "Lab opens", "BIT News"),
        ("Lab opens - BIT News", None, "BIT News"),
        ("BIT News – Lab opens", "Lab opens", "BIT News"),
        ("实验室揭牌-北京理工大学新闻网", "实验室揭牌", "北京理工大学新闻网"),
        ("研究生国际交流人数创新高_示例大学新闻网", None, "示例大学新闻网"),
        ("学校召开工作会议｜新闻网", None, "新闻网"),
    ],
)
def test_site_name_is_the_title_piece_beside_the_headline(title, heading, site) -> None:
    assert site_from_title(title, heading) == site


@pytest.mark.parametrize(
    "title",
    [
        "COVID-19 update for students",  # a hyphen inside a word is no separator
        "Just a headline",
        "Lab opens | " + "A very long sub-headline that is no site name at all, surely",
    ],
)
def test_no_site_name_when_the_title_has_none(title) -> None:
    assert site_from_title(title, "Lab opens") is None


def test_page_without_og_site_name_takes_it_from_the_title() -> None:
    page = b"""<html><head><title>Lab opens | BIT News</title></head><body>
    <h1>Lab opens</h1><p>The new laboratory opened on Monday with forty places.</p>
    </body></html>"""
    article = extract_article(page, url="https://news.example.edu/a.html", source="bit-list")
    assert article.site_name == "BIT News" and article.title == "Lab opens"


def test_og_site_name_wins_over_the_title() -> None:
    page = b"""<html><head><title>Lab opens | Home</title>
    <meta property="og:site_name" content="BIT News"></head><body>
    <h1>Lab opens</h1><p>The new laboratory opened on Monday.</p></body></html>"""
    article = extract_article(page, url="https://news.example.edu/a.html", source="bit-list")
    assert article.site_name == "BIT News"
