"""clean_html / clean_text: from page furniture and markup to the text a reader saw."""

from __future__ import annotations

from pathlib import Path

from syndicator.text import clean_html, clean_text

SEED = Path(__file__).parent.parent / "data" / "seed" / "bit-news-article.txt"


def test_seed_article_keeps_body_and_drops_page_furniture() -> None:
    cleaned = clean_text(SEED.read_text(encoding="utf-8"))
    assert cleaned.startswith("The International Exchange of Postgraduates of BIT")
    assert "Beijing Institute of Technology, Feb 7th, 2020: In 2019" in cleaned
    assert cleaned.rstrip().endswith("“Double First-Class” of BIT.")
    for furniture in (
        "Your present position",
        "release date",
        "close window",
        "ViewCount",
        "Editor:",
        "Translation:",
        "Sina Microblog",
        "Tencent Microblog",
        "Share:",
        "Remark",
    ):
        assert furniture not in cleaned, furniture


def test_seed_paragraphs_are_separated_by_exactly_one_blank_line() -> None:
    cleaned = clean_text(SEED.read_text(encoding="utf-8"))
    paragraphs = cleaned.split("\n\n")
    assert len(paragraphs) == 5  # the title line and four body paragraphs
    assert "\n\n\n" not in cleaned
    assert all(p == p.strip() and "  " not in p for p in paragraphs)


def test_entities_are_unescaped_once_tags_are_gone() -> None:
    assert (
        clean_html("<p>Tom &amp; Jerry &#8211; a&nbsp;b &lt;i&gt;</p>") == "Tom & Jerry – a b <i>"
    )


def test_double_escaped_feed_entities_do_not_leak() -> None:
    assert clean_text("R&amp;D &amp;#8211; news") == "R&D – news"


def test_block_elements_become_paragraphs_and_br_a_line_break() -> None:
    markup = "<div><h1>Title</h1><p>First<br>line two</p><ul><li>a</li><li>b</li></ul></div>"
    assert clean_html(markup) == "Title\n\nFirst\nline two\n\na\n\nb"


def test_inline_markup_and_source_newlines_collapse_to_single_spaces() -> None:
    assert clean_html("<p>one <b>bold</b>\n   <a href='x'>link</a>\ttext</p>") == (
        "one bold link text"
    )


def test_full_width_spaces_and_zero_width_characters_are_normalised() -> None:
    assert clean_text("北京\u3000理工大学\u200b 新闻\ufeff") == "北京理工大学新闻"
    assert clean_text("a\u3000\u00a0b") == "a b"


def test_script_style_comments_and_cdata_are_never_kept() -> None:
    markup = (
        "<html><head><title>T</title><script>alert('x')</script></head><body>"
        "<style>p{color:red}</style><!-- secret --><p>visible</p><![CDATA[raw]]>"
        "<script src=x></script><noscript>nojs</noscript><p>end</p></body></html>"
    )
    assert clean_html(markup) == "visible\n\nend"


def test_unclosed_script_swallows_nothing_but_itself() -> None:
    assert clean_html("<p>kept</p><script>document.write('<p>x</p>')") == "kept"


def test_hugely_nested_markup_is_handled_without_recursion() -> None:
    depth = 200_000
    assert clean_html("<div><span>" * depth + "deep" + "</span></div>" * depth) == "deep"


def test_chinese_boilerplate_lines_are_dropped() -> None:
    text = (
        "当前位置：首页 > 新闻\n发布时间：2024-01-02  浏览次数：35\n"
        "北京理工大学举行新年音乐会。\n（责任编辑：张三）\n分享到：新浪微博 微信"
    )
    assert clean_text(text) == "北京理工大学举行新年音乐会。"


def test_sentence_mentioning_an_editor_is_not_boilerplate() -> None:
    text = "The editor: a profile of the woman who runs the campus paper, and why she stays."
    assert clean_text(text) == text


def test_cdata_is_dropped_whole_even_with_markup_inside() -> None:
    markup = "<p>before</p><![CDATA[<p>hidden</p> & more]]><p>after</p>"
    assert clean_html(markup) == "before\n\nafter"


def test_unterminated_cdata_swallows_the_rest_not_the_page_before_it() -> None:
    assert clean_html("<p>kept</p><![CDATA[<p>never shown</p>") == "kept"


def test_pre_keeps_its_line_breaks_and_table_cells_stay_apart() -> None:
    markup = "<pre>line one\nline two</pre><table><tr><td>a</td><td>b</td></tr></table>"
    assert clean_html(markup) == "line one\nline two\n\na b"


def test_a_page_with_an_xml_declaration_is_read() -> None:
    markup = '<?xml version="1.0" encoding="gbk"?><html><body><p>中文 text</p></body></html>'
    assert clean_html(markup) == "中文 text"


def test_nul_characters_in_markup_cannot_forge_paragraph_breaks() -> None:
    assert clean_html("<p>a\x00P\x00b</p>") == "aPb"


def test_legacy_numeric_references_read_as_browsers_read_them() -> None:
    # &#150; is windows-1252's en dash in old pages; HTML5 and html.unescape agree.
    assert clean_html("<p>2019&#150;2020 &copy; BIT</p>") == "2019–2020 © BIT"


def test_tabs_and_form_feeds_in_plain_text_read_as_spaces() -> None:
    assert clean_text("Name:\tvalue\x0cend") == "Name: value end"


def test_spaces_between_chinese_characters_go_but_not_beside_latin() -> None:
    assert clean_text("北京 理工 大学 BIT 新闻 2024") == "北京理工大学 BIT 新闻 2024"


def test_furniture_joined_by_bars_or_brackets_is_dropped_but_mixed_lines_are_kept() -> None:
    text = (
        "release date : 2020-02-09 | [ close window ]ViewCount: 12\n"
        "The campus reopens on Monday | Editor: Li\n"
        "【字号 大 中 小】【打印】【关闭】"
    )
    assert clean_text(text) == "The campus reopens on Monday | Editor: Li"


def test_malformed_nesting_keeps_every_word() -> None:
    markup = "<p>one <b>two <p>three</b> four</p><li>five<table>six<tr><td>seven"
    cleaned = clean_html(markup)
    for word in ("one", "two", "three", "four", "five", "six", "seven"):
        assert word in cleaned


def test_too_deep_for_a_tree_is_read_as_a_stream_with_the_same_rules() -> None:
    inner = (
        "<p>a<br>b</p><script>x()</script><pre>l1\nl2</pre>"
        "<table><tr><td>c</td><td>d</td></tr></table>"
    )
    shallow = clean_html("<div>" * 3 + inner + "</div>" * 3)
    assert shallow == "a\nb\n\nl1\nl2\n\nc d"
    assert clean_html("<div>" * 5000 + inner + "</div>" * 5000) == shallow


def test_a_lone_surrogate_becomes_one_replacement_character() -> None:
    assert clean_html("<p>x\ud800y</p><p>after</p>") == "x\ufffdy\n\nafter"


def test_noncharacters_are_dropped() -> None:
    assert clean_text("a\ufffeb\uffffc\ufdd0d") == "abcd"
