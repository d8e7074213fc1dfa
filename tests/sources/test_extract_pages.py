"""Article pages without selectors (issue 17): the headline without the site's suffix,
a date wherever the page carries one, a body that starts with the article."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from syndicator.sources.extract import extract_article

BODY = (
    "<p>The robotics lab will host twelve school visits this term, the faculty announced on "
    "Wednesday after a year of preparation and fund-raising by the students themselves.</p>"
    "<p>Visitors will see the lab's walking robot and its new assembly line, and can try the "
    "controls themselves under supervision.</p>"
)


def _page(head: str, body: str = BODY, url: str = "https://news.example.org/a/1.html"):  # type: ignore[no-untyped-def]
    page = f"<html><head>{head}</head><body><div class='nav'><a href='/'>HOME</a></div>{body}</body></html>"
    return extract_article(page.encode(), url=url, source="t")


@pytest.mark.parametrize(
    ("head", "body", "url", "title"),
    [
        (  # the site's initials are its host: "Beijing Institute of Technology" on bit.edu.cn
            "<title>The International Exchange of Postgraduates of BIT Hits a Record High in "
            "2019-Beijing Institute of Technology</title>",
            f"<div class='content'>{BODY}</div>",
            "https://english.bit.edu.cn/News/c_1.htm",
            "The International Exchange of Postgraduates of BIT Hits a Record High in 2019",
        ),
        (  # the host's name and a date
            "<meta property='og:title' content='Robots take over the lab | DW | 19.01.2020'>",
            f"<article>{BODY}</article>",
            "https://www.dw.com/en/robots/a-1",
            "Robots take over the lab",
        ),
        (  # the page shows the headline as a heading; its own dash stays
            "<title>Beijing - Shanghai rail link opens | Example Times</title>",
            f"<article><h1>Beijing - Shanghai rail link opens</h1>{BODY}</article>",
            "https://www.times.example/a",
            "Beijing - Shanghai rail link opens",
        ),
        (  # the site's name as the seed site writes it, no og:site_name
            "<title>The Exchange Hits a Record High-BIT News</title>",
            f"<div class='article-title'>The Exchange Hits a Record High</div>{BODY}",
            "https://english.bit.edu.cn/a",
            "The Exchange Hits a Record High",
        ),
        (  # a Chinese site's "_新闻网" suffix
            "<title>研究生国际交流人数创新高_新闻网</title>",
            f"<article>{BODY}</article>",
            "https://news.example.edu.cn/a",
            "研究生国际交流人数创新高",
        ),
        (  # og:site_name
            "<title>Lab opens – Press Office</title><meta property='og:site_name' content='Press Office'>",
            f"<article>{BODY}</article>",
            "https://press.example.com/a",
            "Lab opens",
        ),
    ],
)
def test_the_title_loses_the_sites_suffix(head: str, body: str, url: str, title: str) -> None:
    assert _page(head, body, url).title == title


def test_a_headline_with_a_dash_and_no_sign_of_a_suffix_stays_whole() -> None:
    article = _page(
        "<title>Beijing - Shanghai rail link opens</title>", f"<article>{BODY}</article>"
    )
    assert article.title == "Beijing - Shanghai rail link opens"


@pytest.mark.parametrize(
    "markup",
    [
        "<span itemprop='dateCreated'>2020-01-19</span>",
        "<time itemprop='datePublished' datetime='2020-01-19T08:00:00+08:00'>19 Jan</time>",
        "<meta itemprop='datePublished' content='2020-01-19'>",
        "<abbr class='published' title='2020-01-19'>Sunday</abbr>",
        "<div class='date'>January 19, 2020</div>",  # found by htmldate
    ],
)
def test_a_date_in_the_pages_markup_is_found(markup: str) -> None:
    article = _page(
        "<title>Lab opens</title>", f"<article><h1>Lab opens</h1>{markup}{BODY}</article>"
    )
    assert article.published is not None
    assert article.published.date() in (datetime(2020, 1, 19).date(), datetime(2020, 1, 18).date())


def test_a_year_in_the_headline_is_not_taken_for_a_date() -> None:
    article = _page("<title>Record High in 2019</title>", f"<article>{BODY}</article>")
    assert article.published is None


def test_the_body_does_not_start_with_the_headline_or_a_date_line() -> None:
    body = f"<div class='article'><h1>Lab opens</h1><p>Lab opens</p><p>2020-01-19 10:00</p>{BODY}</div>"
    article = _page("<title>Lab opens - Example</title>", body)
    assert article.title == "Lab opens"
    assert article.text.startswith("The robotics lab will host")


def test_a_meta_description_loses_its_leading_furniture() -> None:
    head = (
        "<title>Lab opens</title><meta name='description' content='release date :2020-02-09 "
        "04:07:00 | [ close window ]ViewCount: The robotics lab will host twelve school visits'>"
    )
    article = _page(head, f"<article><h1>Lab opens</h1>{BODY}</article>")
    assert article.summary == "The robotics lab will host twelve school visits"


def test_a_meta_description_that_is_only_furniture_is_no_summary() -> None:
    head = "<title>Lab opens</title><meta name='description' content='release date :2020-02-09 | [ close window ]'>"
    assert _page(head, f"<article>{BODY}</article>").summary == ""


def test_the_seed_style_page_gets_its_date_from_the_label() -> None:
    body = f"<div>release date :2020-02-09 04:07:00 | [ close window ]</div><div>{BODY}</div>"
    article = _page("<title>Lab opens-BIT News</title>", body, "https://english.bit.edu.cn/a")
    assert article.published == datetime(2020, 2, 9, 4, 7, tzinfo=UTC)
    assert not article.text.startswith("release date")


def test_an_h1_that_is_the_sites_logo_is_not_the_headline() -> None:
    body = f"<h1><a href='/'>BIT News</a></h1><div class='content'>{BODY}</div>"
    article = _page("<title>Lab opens-BIT News</title>", body, "https://english.bit.edu.cn/a")
    assert article.title == "Lab opens"


def test_a_title_that_names_only_the_site_gives_way_to_the_h1() -> None:
    head = "<title>Press Office</title><meta property='og:site_name' content='Press Office'>"
    assert _page(head, f"<article><h1>Lab opens</h1>{BODY}</article>").title == "Lab opens"
