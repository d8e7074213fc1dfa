"""Article keys: the same article gets the same key however its link is decorated."""

from __future__ import annotations

import pytest

from syndicator.sources.keys import article_key, canonical_url


@pytest.mark.parametrize(
    ("raw", "canonical"),
    [
        (
            "https://news.example.edu/a?id=7&utm_source=wechat&utm_medium=social&UTM_Campaign=x",
            "https://news.example.edu/a?id=7",
        ),
        ("HTTPS://News.Example.EDU:443/Path/A.htm#comments", "https://news.example.edu/Path/A.htm"),
        ("http://example.org:80", "http://example.org/"),
        ("http://example.org:8080/x", "http://example.org:8080/x"),
        (
            "https://m.example.cn/a.html?spm=a2c4g.11186623&from=timeline",
            "https://m.example.cn/a.html",
        ),
        ("https://x.org/p?fbclid=IwAR0&b=2&gclid=Cj0&a=1", "https://x.org/p?b=2&a=1"),
        ("https://x.org/search?q=a%20b&page=2", "https://x.org/search?q=a%20b&page=2"),
        ("  https://x.org/a?  ", "https://x.org/a"),
    ],
)
def test_canonical_url_removes_decoration_but_keeps_identity(raw: str, canonical: str) -> None:
    assert canonical_url(raw) == canonical


def test_key_prefers_guid_then_url_then_content() -> None:
    assert article_key(guid=" g-1 ", url="https://x.org/a", title="T", text="") == "guid:g-1"
    assert (
        article_key(guid=None, url="https://X.org/a?utm_source=rss", title="T", text="")
        == "url:https://x.org/a"
    )
    by_content = article_key(guid="", url="", title="Title", text="Body")
    assert by_content.startswith("hash:")
    assert by_content == article_key(guid=None, url=None, title="Title", text="Body")
    assert by_content != article_key(guid=None, url=None, title="Title", text="Body, edited")
