"""Lines an editor would publish: Chinese broken between words, no scraps, no
punctuation in the wrong place, a headline that shrinks before it is cut.

Checked on the layouts the renderer computed for 50 headlines (tests/wechat/data/
headlines.txt), with and without a lead image, in every portrait layout."""

from __future__ import annotations

import pytest
from PIL import Image
from syndicator_adapters.wechat.fonts import FontSet
from syndicator_adapters.wechat.layout import CardContent, Layout, compute_layout
from syndicator_adapters.wechat.templates import load_template
from syndicator_adapters.wechat.wrap import NO_LINE_START, is_short_line

from syndicator.text.wrap import OPENING
from tests.wechat.conftest import DATA

HEADLINES = [
    line.strip()
    for line in (DATA / "headlines.txt").read_text(encoding="utf-8").splitlines()
    if line.strip() and not line.startswith("#")
]
ZH_SUMMARY = (DATA / "zh-article.txt").read_text(encoding="utf-8").partition("\n\n")[2]
EN_SUMMARY = (DATA / "bit-news-article.txt").read_text(encoding="utf-8").partition("\n\n")[2]
COVER = Image.new("RGB", (1600, 1000), (90, 120, 160))


def card(title: str, layout: str, fonts: FontSet, *, cover: bool) -> Layout:
    chinese = any("\u4e00" <= c <= "\u9fff" for c in title)
    content = CardContent(
        title=title,
        url="https://www.bit.edu.cn/xww/zhxw/2020-02/09/c_654321.htm",
        summary=ZH_SUMMARY if chinese else EN_SUMMARY,
        source="北京理工大学新闻网" if chinese else "BIT News",
        date="2020年2月9日" if chinese else "9 February 2020",
        cta="长按识别二维码 阅读全文" if chinese else "Scan to read the full story",
        language="zh" if chinese else "en",
        cover=COVER if cover else None,
    )
    return compute_layout(load_template(layout), content, fonts)


def headline(layout: Layout) -> tuple[str, ...]:
    name = "title" if layout.has("title") else "band_title"
    return layout.box(name).text.lines


def test_the_corpus_has_50_headlines_in_both_languages() -> None:
    chinese = [h for h in HEADLINES if any("\u4e00" <= c <= "\u9fff" for c in h)]
    assert len(HEADLINES) == 50 and len(chinese) == 25


@pytest.mark.parametrize("cover", [True, False], ids=["lead-image", "no-lead-image"])
@pytest.mark.parametrize("layout", ["poster", "square", "story"])
def test_no_card_line_starts_with_closing_punctuation_or_is_a_scrap(fonts, layout, cover) -> None:
    problems = []
    for title in HEADLINES:
        drawn = card(title, layout, fonts, cover=cover)
        for box in drawn.boxes:
            if box.text is None:
                continue
            lines = box.text.lines
            for number, line in enumerate(lines):
                if number and line[0] in NO_LINE_START:
                    problems.append(f"{box.name} line starts with closing punctuation: {line!r}")
                if number < len(lines) - 1 and line.rstrip()[-1] in OPENING:
                    problems.append(f"{box.name} line ends with opening punctuation: {line!r}")
                if len(lines) > 1 and len("".join(line.split())) <= 2:
                    problems.append(f"{box.name} line of one or two characters: {line!r}")
                if len(lines) > 1 and number == len(lines) - 1 and is_short_line(line):
                    problems.append(f"{box.name} ends on a scrap: {line!r}")
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("layout", ["poster", "square", "story"])
def test_chinese_headlines_break_between_words(fonts, layout) -> None:
    """Where a headline breaks, the segmenter sees a word end (never "国 / 际化")."""
    from syndicator.text.segment import han_word_ends

    for title in HEADLINES:
        lines = headline(card(title, layout, fonts, cover=True))
        joined = "".join(lines).removesuffix("…")
        ends = han_word_ends(joined)
        offset = 0
        for line in lines[:-1]:
            offset += len(line)
            assert offset in ends or not ("\u4e00" <= joined[offset - 1] <= "\u9fff"), lines


def test_the_words_the_issue_saw_split_stay_whole(fonts) -> None:
    for title in ("北理工研究生教育国际化迈上新台阶", "我校钙钛矿太阳能电池效率突破26.1%"):
        for layout in ("poster", "square", "story"):
            lines = headline(card(title, layout, fonts, cover=True))
            for word in ("国际化", "钙钛矿", "太阳能", "26.1%"):
                if word in title and len(lines) > 1:
                    assert any(word in line for line in lines), lines


@pytest.mark.parametrize("layout", ["poster", "square", "story"])
@pytest.mark.parametrize("cover", [True, False], ids=["lead-image", "no-lead-image"])
def test_headline_is_at_most_three_lines_and_shrinks_before_it_is_cut(fonts, layout, cover) -> None:
    template = load_template(layout)
    name = "title" if cover else "band_title"
    declared = next(b for b in template.boxes if b.name == name)
    # Four lines at the full size, three at a smaller one: shrunk, not cut.
    longer = "University Researchers Announce a Comprehensive Internationalisation Programme with Partner Institutions on Four Continents"
    chosen = None
    for words in range(6, len(longer.split()) + 1):
        title = " ".join(longer.split()[:words])
        box = card(title, layout, fonts, cover=cover).box(name).text
        assert len(box.lines) <= 3
        if box.font_size < declared.font_size:
            chosen = (title, box)
            break
    assert chosen is not None, "no headline needed a smaller font"
    title, box = chosen
    assert not box.truncated and " ".join(box.lines) == title
    # Far too long even at the smallest size: cut, at the smallest size, with "…".
    cut = card(longer * 3, layout, fonts, cover=cover).box(name).text
    assert cut.truncated and cut.lines[-1].endswith("…") and len(cut.lines) == 3
    assert cut.font_size == declared.min_font_size
