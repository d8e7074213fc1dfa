"""Golden rules of the card layout, checked on the layout the renderer drew."""

from __future__ import annotations

import pytest
from syndicator_adapters.wechat.card import render_card
from syndicator_adapters.wechat.layout import CardContent, Layout, compute_layout
from syndicator_adapters.wechat.templates import BUILTIN, load_template
from syndicator_adapters.wechat.wrap import NO_LINE_START

LONG_EN = (
    "University researchers announce an extraordinarily comprehensive internationalisation "
    "programme covering postgraduate exchange, double degrees, summer schools and joint "
    "supervision with partner institutions on four continents"
)
LONG_ZH = (
    "北京理工大学研究生国际交流人数创历史新高，全年超过一千人次，其中国家公派项目一百九十一人，"
    "联合培养五十人，暑期学校八十人，出国参加学术交流活动近七百人，“双一流”建设迈出新步伐。"
)
MIXED = "北理工与University of Cambridge签署合作协议：AI与量子计算（Quantum Computing）联合实验室揭牌，首批20名研究生入选。"
PUNCTUATION_HEAVY = (
    "一，二，三，四，五，六，七，八，九，十。甲、乙、丙、丁；戊：己！庚？辛）壬》癸」。" * 3
)


def content(title: str, summary: str = "", language: str = "en") -> CardContent:
    return CardContent(
        title=title,
        url="https://english.bit.edu.cn/2020-02/09/c_123456.htm?utm_source=wechat&utm_medium=poster",
        summary=summary,
        source="BIT News",
        date="9 February 2020",
        cta="Scan to read the full story",
        language=language,
    )


def headline_name(layout: Layout) -> str:
    """The box that shows the headline: under the lead image, or on the brand colour."""
    return next(n for n in ("title", "band_title", "cover_title") if layout.has(n))


def all_text_lines(layout: Layout) -> list[str]:
    return [line for box in layout.boxes if box.text for line in box.text.lines]


@pytest.mark.parametrize("layout_name", ["poster", "square", "story", "cover"])
@pytest.mark.parametrize("title", [LONG_EN, LONG_ZH, MIXED, PUNCTUATION_HEAVY])
def test_title_never_exceeds_max_lines_and_ends_in_ellipsis_when_cut(fonts, layout_name, title):
    template = load_template(layout_name)
    layout = compute_layout(template, content(title * 2, LONG_ZH * 3), fonts)
    name = headline_name(layout)
    box = layout.box(name)
    declared = next(b for b in template.boxes if b.name == name)
    assert 1 <= len(box.text.lines) <= declared.max_lines
    assert box.text.truncated and box.text.lines[-1].endswith("…")


@pytest.mark.parametrize("text", [LONG_ZH, MIXED, PUNCTUATION_HEAVY])
@pytest.mark.parametrize("layout_name", ["poster", "square", "story"])
def test_no_line_starts_with_closing_punctuation(fonts, text, layout_name):
    layout = compute_layout(load_template(layout_name), content(text, text * 4, "zh"), fonts)
    for line in all_text_lines(layout):
        assert line[0] not in NO_LINE_START, line


def test_latin_words_are_never_split_across_lines(fonts):
    layout = compute_layout(load_template("poster"), content(LONG_EN, LONG_EN), fonts)
    words = set(LONG_EN.split())
    for name in (headline_name(layout), "summary"):
        for line in layout.box(name).text.lines:
            for word in line.removesuffix("…").split():
                assert word in words, f"{word!r} is a piece of a word ({line!r})"


def test_every_line_fits_its_box(fonts):
    from syndicator_adapters.wechat.fonts import load_font

    layout = compute_layout(load_template("poster"), content(MIXED * 3, LONG_ZH * 3, "zh"), fonts)
    for box in layout.boxes:
        if box.text:
            font = load_font(fonts.face(box.text.weight), box.text.font_size)
            for line in box.text.lines:
                assert font.getlength(line) <= box.w, (box.name, line)


@pytest.mark.parametrize("layout_name", ["poster", "square", "story"])
def test_qr_code_has_quiet_zone_and_at_least_4px_modules_at_1080(fonts, layout_name):
    card = render_card(content(LONG_EN, LONG_EN), load_template(layout_name), fonts)
    assert card.layout.width == 1080
    qr = card.layout.box("qr").qr
    assert qr.module_px >= 4 and qr.quiet_zone >= 4
    assert qr.size == (qr.modules + 2 * qr.quiet_zone) * qr.module_px
    margin = qr.quiet_zone * qr.module_px
    grey = card.image.convert("L")
    for x in range(qr.x, qr.x + qr.size):
        for y in (*range(qr.y, qr.y + margin), *range(qr.y + qr.size - margin, qr.y + qr.size)):
            assert (
                grey.getpixel((x, y)) > 200
                and grey.getpixel((y - qr.y + qr.x, x - qr.x + qr.y)) > 200
            )
    # the finder pattern's corner module is dark, right inside the quiet zone
    assert grey.getpixel((qr.x + margin + 1, qr.y + margin + 1)) < 60


@pytest.mark.parametrize("layout_name", BUILTIN)
@pytest.mark.parametrize("title", [LONG_EN, LONG_ZH, "短标题"])
def test_boxes_never_overlap_unless_declared(fonts, layout_name, title):
    layout = compute_layout(load_template(layout_name), content(title * 2, LONG_EN * 3), fonts)
    boxes = layout.boxes
    for i, first in enumerate(boxes):
        assert first.bottom <= layout.height and first.x + first.w <= layout.width, first.name
        for second in boxes[i + 1 :]:
            if second.box.over == first.name or first.box.over == second.name:
                continue
            assert not first.overlaps(second), (first.name, second.name)


def test_poster_grows_with_its_content(fonts):
    short = compute_layout(load_template("poster"), content("Short"), fonts)
    long = compute_layout(load_template("poster"), content(LONG_EN, LONG_EN), fonts)
    assert long.height > short.height
    assert long.box("qr").y > short.box("qr").y


def test_long_url_gets_smaller_error_correction_before_failing(fonts):
    from syndicator.errors import RenderError

    template = load_template("square")
    medium = compute_layout(template, content("t"), fonts)
    assert medium.box("qr").qr.error_correction == "M"
    long_url = "https://english.bit.edu.cn/" + "x" * 150
    lowered = compute_layout(template, content("t").__class__(title="t", url=long_url), fonts)
    assert lowered.box("qr").qr.error_correction == "L"
    huge_url = "https://english.bit.edu.cn/" + "x" * 600
    with pytest.raises(RenderError, match="QR code"):
        compute_layout(template, content("t").__class__(title="t", url=huge_url), fonts)


def test_balanced_title_does_not_end_on_a_lone_character(fonts):
    title = "北京理工大学研究生国际交流人数创历史新高，全年超过一千人次"
    template = load_template("story")
    layout = compute_layout(template, content(title, language="zh"), fonts)
    lines = layout.box(headline_name(layout)).text.lines
    assert "".join(lines) == title and len(lines) == 3
    assert min(len(line) for line in lines) >= len(title) // 3 - 2, lines


def test_paragraph_breaks_between_chinese_sentences_leave_no_space() -> None:
    from syndicator_adapters.wechat.wrap import normalize

    assert (
        normalize("成果发表在国际期刊上。\n\n团队提出了新方法。")
        == "成果发表在国际期刊上。团队提出了新方法。"
    )
    assert normalize("It works.\n\nThen 我们 continue") == "It works. Then 我们 continue"
