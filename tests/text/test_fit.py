"""fit: link, title, hashtags, summary — in that priority — within the platform's count."""

from __future__ import annotations

import pytest

from syndicator.text import (
    bluesky_facets,
    clean_text,
    extract_urls,
    fit,
    fits,
    format_hashtags,
    limit,
    measure,
    template_placeholders,
)

from .conftest import SEED

TEMPLATE = "【{title}】{summary} {url} {hashtags}"
TITLE = "The International Exchange of Postgraduates of BIT Hits a Record High in 2019"
URL = "https://english.bit.edu.cn/content/2020-02/09/content_527466.htm"
FURNITURE = ("release date", "ViewCount", "Editor:", "Sina Microblog", "Share:", "close window")


def seed_text() -> str:
    return clean_text(SEED.read_text(encoding="utf-8"))


@pytest.mark.parametrize(
    ("rule", "style"), [("x", "hash"), ("mastodon", "hash"), ("bluesky", "hash"), ("weibo", "none")]
)
def test_seed_article_post_for_each_platform(rule: str, style: str) -> None:
    tags = format_hashtags(["BIT", "Graduate School"], style)
    post = fit(TEMPLATE, title=TITLE, url=URL, summary=seed_text(), hashtags=tags, rule=rule)
    assert post.text.startswith("【" + TITLE[:20])
    assert URL in post.text
    assert not any(f in post.text for f in FURNITURE)
    assert post.length == measure(post.text, rule) <= post.limit
    assert fits(post.text, rule)
    assert "  " not in post.text
    assert post.summary_cut  # the whole article never fits these platforms


@pytest.mark.parametrize("rule", ["threads", "linkedin", "instagram", "facebook"])
def test_seed_article_post_for_meta_and_linkedin(rule: str) -> None:
    tags = format_hashtags(["BIT", "Graduate School"], "hash")
    post = fit(TEMPLATE, title=TITLE, url=URL, summary=seed_text(), hashtags=tags, rule=rule)
    assert post.text.startswith("【" + TITLE[:20]) and URL in post.text
    assert not any(f in post.text for f in FURNITURE)
    assert post.length == measure(post.text, rule) <= post.limit == limit(rule)
    assert fits(post.text, rule)


def test_instagram_drops_hashtags_past_30_whatever_the_room() -> None:
    tags = [f"#tag{i}" for i in range(45)]
    post = fit("{title} {hashtags}", title="Short", url="", hashtags=tags, rule="instagram")
    assert post.text.count("#") == 30 and len(post.dropped_hashtags) == 15


def test_seed_x_post_counts_the_link_as_23() -> None:
    post = fit(TEMPLATE, title=TITLE, url=URL, summary=seed_text(), rule="x")
    assert [u.url for u in extract_urls(post.text)] == [URL]
    assert post.length > 250  # the space the short link leaves is used for the summary


def test_seed_bluesky_post_links_the_url_with_a_facet() -> None:
    post = fit(
        TEMPLATE, title=TITLE, url=URL, summary=seed_text(), rule="bluesky", hashtags=["#BIT"]
    )
    facets = bluesky_facets(post.text)
    data = post.text.encode()
    link = [f for f in facets if f["features"][0]["$type"].endswith("#link")]
    assert [data[f["index"]["byteStart"] : f["index"]["byteEnd"]].decode() for f in link] == [URL]


def test_hashtags_are_dropped_lowest_priority_first() -> None:
    tags = ["#one", "#two", "#three", "#four"]
    post = fit(
        "{title} {url} {hashtags}",
        title="T" * 20,
        url="https://example.com/a",
        hashtags=tags,
        rule="x",
        limit=20 + 1 + 23 + 1 + 4 + 1 + 4,
    )
    assert post.text.endswith("#one #two")
    assert post.dropped_hashtags == ("#three", "#four")


def test_title_is_shortened_only_when_link_and_title_do_not_fit() -> None:
    title = "A very long headline about graduate exchanges that goes on and on and on"
    post = fit("{title} {url}", title=title, url="https://example.com/x", rule="x", limit=50)
    assert post.text.endswith(" https://example.com/x")
    assert post.text.split(" https://")[0].endswith("…")
    assert post.length <= 50


def test_empty_placeholders_collapse_cleanly() -> None:
    post = fit(
        "【{title}】{summary} {url} {hashtags}",
        title="",
        url="https://example.com/",
        rule="mastodon",
    )
    assert post.text == "https://example.com/"
    post = fit(
        "{title} — {source} {date} {url}",
        title="Hi",
        url="https://e.com/",
        rule="plain",
        extra={"source": "", "date": ""},
    )
    assert "  " not in post.text


def test_extra_placeholders_are_filled() -> None:
    post = fit(
        "{title} ({author}) {url}",
        title="Hi",
        url="https://e.com/",
        rule="plain",
        extra={"author": "News Agency"},
    )
    assert post.text == "Hi (News Agency) https://e.com/"


def test_unknown_placeholder_is_an_error_naming_it() -> None:
    with pytest.raises(ValueError, match=r"\{titel\}"):
        fit("{titel} {url}", title="x", url="https://e.com/", rule="x")


def test_template_placeholders_lists_names_and_rejects_format_specs() -> None:
    assert template_placeholders(TEMPLATE) == {"title", "summary", "url", "hashtags"}
    assert template_placeholders("{{literal}} {url}") == {"url"}
    with pytest.raises(ValueError, match="summary"):
        template_placeholders("{summary:.100}")


def test_a_link_that_alone_exceeds_the_limit_is_an_error() -> None:
    with pytest.raises(ValueError, match="link alone"):
        fit("{url}", title="t", url="https://example.com/" + "a" * 400, rule="weibo")


def test_chinese_post_for_weibo_uses_weibo_units() -> None:
    text = "北京理工大学2024年新年音乐会于12月30日晚在中关村校区举行。" * 10
    post = fit(
        TEMPLATE,
        title="北理工举行新年音乐会",
        url="https://www.bit.edu.cn/xww/1.htm",
        summary=text,
        hashtags=format_hashtags(["北理工"], "weibo"),
        rule="weibo",
    )
    assert post.text.startswith("【北理工举行新年音乐会】北京理工大学")
    assert post.length <= 140 and post.text.endswith("#北理工#")


def test_a_summary_starting_with_an_emoji_modifier_does_not_fuse_with_the_template() -> None:
    post = fit("【{title}】{summary} {url}", title="", summary="🏻 news", url=URL, rule="bluesky")
    assert post.text == f"news {URL}"


SCOTLAND = "🏴\U000e0067\U000e0062\U000e0073\U000e0063\U000e0074\U000e007f"


@pytest.mark.parametrize(
    "title",
    [
        f"Highland games {SCOTLAND}",  # ends in tag characters (format characters)
        "അവന്\u200d",  # Malayalam chillu: the joiner is part of the word
        "שלום\u200f",  # a trailing right-to-left mark belongs to the text
    ],
)
def test_fitting_keeps_a_title_that_ends_in_a_whole_cluster(title: str) -> None:
    post = fit("{title} {url}", title=title, url=URL, rule="bluesky")
    assert post.text == f"{title} {URL}"


def test_fitting_drops_a_joiner_that_would_fuse_the_title_with_the_template() -> None:
    post = fit("{title}🔗{url}", title="Launch 🚀\u200d", url=URL, rule="bluesky")
    assert post.text == f"Launch 🚀🔗{URL}"


def test_fitting_removes_noncharacters_x_refuses() -> None:
    post = fit("{title} {url}", title="Bad\ufffe bytes\uffff", url=URL, rule="x")
    assert post.text == f"Bad bytes {URL}"
    assert fits(post.text, "x")
    assert not fits("Bad\ufffe bytes", "x")
