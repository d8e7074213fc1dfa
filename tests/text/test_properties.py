"""Property: whatever the text, a fitted post fits every rule, keeps the URL whole and
never splits a grapheme cluster."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from syndicator.text import RULES, fit, fits, graphemes

WORDS = st.sampled_from(
    [
        "news",
        "BIT",
        "2024",
        "研究生",
        "北京理工大学",
        "。",
        "，",
        ". ",
        "! ",
        "Dr.",
        "U.S.",
        "👨‍👩‍👧‍👦",
        "🏳️‍⚧️",
        "é",
        "e\u0301",
        "😀",
        "#tag",
        "example.com",
        "x" * 30,
        "ñ",
        "🇨🇳",
        "\u200d",
        "한국어",
        "—",
        "“quoted”",
    ]
)
TEXT = st.lists(st.one_of(WORDS, st.text(max_size=6)), max_size=60).map(" ".join)
URLS = st.sampled_from(
    [
        "https://english.bit.edu.cn/content/2020-02/09/content_527466.htm",
        "https://example.com/",
        "http://192.168.1.10/news?id=1",
        "https://例子.中国/新闻",
        "https://news.example.org/a/b_(c)?q=1&r=2#frag",
    ]
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    title=TEXT,
    summary=TEXT,
    url=URLS,
    rule=st.sampled_from(sorted(RULES)),
    tags=st.lists(st.sampled_from(["#BIT", "#北理工", "#news", "#a_b"]), max_size=4),
    small=st.booleans(),
)
def test_fitted_post_fits_keeps_url_and_graphemes(
    title: str, summary: str, url: str, rule: str, tags: list[str], small: bool
) -> None:
    limit = 140 if small and RULES[rule].limit > 140 else None
    post = fit(
        "【{title}】{summary} {url} {hashtags}",
        title=title,
        url=url,
        summary=summary,
        hashtags=tags,
        rule=rule,
        limit=limit,
    )
    assert fits(post.text, rule, post.limit)
    assert post.length <= post.limit
    assert url in post.text
    source_clusters = set(graphemes(title + " " + summary + " " + url + " " + " ".join(tags)))
    source_clusters |= set("【】 …#")
    for cluster in graphemes(post.text):
        assert cluster in source_clusters, (cluster, post.text)
