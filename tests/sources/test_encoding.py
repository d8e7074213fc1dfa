"""Chinese feeds and pages without a declared charset decode right.

The corpus is made here with Python's own codecs: the same news text encoded as
GBK, GB2312, GB18030, Big5 or UTF-8, declared nowhere (no HTTP charset, no XML
declaration, no ``<meta charset>``)."""

from __future__ import annotations

import pytest

from syndicator.sources.encoding import decode_body, decode_feed
from syndicator.sources.extract import extract_article
from syndicator.sources.feeds import parse_feed

SIMPLIFIED = "北京理工大学研究生国际交流人数创历史新高"
TRADITIONAL = "國立大學研究生國際交流人數創歷史新高"
TEXT = {
    "gbk": SIMPLIFIED + "，镕",  # 镕 is in GBK, not in GB2312
    "gb2312": SIMPLIFIED,
    "gb18030": SIMPLIFIED + "，䶮",  # 䶮 (CJK extension A) needs GB18030's four-byte form
    "big5": TRADITIONAL,
    "utf-8": SIMPLIFIED + "，國際",
}
BODY = (
    "学校高度重视研究生国际交流工作，通过顶层设计、提前动员、组织培训、专家指导等举措，"
    "积极动员和组织研究生申报国家公派项目。"
)
BODY_TRADITIONAL = "學校高度重視研究生國際交流工作，通過頂層設計、提前動員、組織培訓等舉措，積極動員研究生申報項目。"


def _feed(title: str) -> str:
    return (
        '<?xml version="1.0"?><rss version="2.0"><channel><title>News</title>'
        f"<item><title>{title}</title><guid>n1</guid></item></channel></rss>"
    )


def _page(title: str, body: str) -> str:
    return (
        f"<html><head><title>{title}</title></head><body><article><h1>{title}</h1>"
        f"<p>{body}</p><p>{body}</p></article></body></html>"
    )


@pytest.mark.parametrize("codec", sorted(TEXT))
def test_an_undeclared_chinese_feed_decodes_right(codec: str) -> None:
    body = _feed(TEXT[codec]).encode(codec)
    (item,) = parse_feed(body, url="https://news.example.edu.cn/rss.xml", source="t")
    assert item.title == TEXT[codec]


@pytest.mark.parametrize("codec", sorted(TEXT))
def test_a_feed_whose_charset_is_only_in_the_http_header_decodes_right(codec: str) -> None:
    body = _feed(TEXT[codec]).encode(codec)
    (item,) = parse_feed(
        body, url="https://x.example/rss", source="t", content_type=f"text/xml; charset={codec}"
    )
    assert item.title == TEXT[codec]


@pytest.mark.parametrize("codec", sorted(TEXT))
def test_an_undeclared_chinese_page_decodes_right(codec: str) -> None:
    body_text = BODY_TRADITIONAL if codec == "big5" else BODY
    page = _page(TEXT[codec], body_text).encode(codec)
    article = extract_article(page, url="https://news.example.edu.cn/a.html", source="t")
    assert article.title == TEXT[codec]
    assert body_text[:20] in article.text


def test_a_page_labelled_utf8_that_is_gbk_is_read_by_its_content() -> None:
    page = _page(SIMPLIFIED, BODY).encode("gbk")
    assert SIMPLIFIED in decode_body(page, "utf-8")


def test_a_declared_charset_wins_over_guessing() -> None:
    latin = "<p>Café résumé</p>".encode("cp1252")
    assert decode_body(latin, "iso-8859-1") == "<p>Café résumé</p>"
    assert decode_feed(b'<?xml version="1.0" encoding="gb2312"?><t>\xb1\xb1</t>').endswith(
        "<t>北</t>"
    )


def test_a_feed_labelled_gb2312_with_gbk_only_characters_decodes_right() -> None:
    title = TEXT["gbk"]  # 镕 is GBK, not GB2312: lxml refuses it, the forgiving path reads it
    body = (
        '<?xml version="1.0" encoding="gb2312"?>' + _feed(title)[len('<?xml version="1.0"?>') :]
    ).encode("gbk")
    (item,) = parse_feed(body, url="https://news.example.edu.cn/rss.xml", source="t")
    assert item.title == title


def test_a_utf8_page_with_one_stray_byte_stays_utf8() -> None:
    page = _page(SIMPLIFIED, BODY).encode("utf-8").replace(b"<p>", b"<p>\xa0", 1)
    for declared in (None, "utf-8"):
        text = decode_body(page, declared)
        assert SIMPLIFIED in text and BODY[:20] in text
