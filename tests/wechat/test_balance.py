"""Headline breaks chosen together: even lines, phrases kept, hyphens avoided."""

from __future__ import annotations

import pytest
from syndicator_adapters.wechat.balance import balanced
from syndicator_adapters.wechat.fonts import load_font
from syndicator_adapters.wechat.wrap import Measure, is_short_line, wrap


@pytest.fixture
def measure(fonts) -> Measure:
    return Measure(load_font(fonts.face("bold"), 58), "zh-Hans")


def test_a_break_after_a_colon_is_preferred_to_one_inside_a_phrase(measure) -> None:
    title = "从实验室到市场：三家校友创业公司的故事"
    lines = balanced(title, measure, 952, 2, 3)
    assert lines == ["从实验室到市场：", "三家校友创业公司的故事"]


def test_a_headline_does_not_break_after_a_hyphen_when_another_line_avoids_it(measure) -> None:
    title = "From Lab to Market: Three Start-ups Founded by Our Graduates"
    greedy = wrap(title, measure, 952, 3)
    assert any(line.endswith("-") for line in greedy)  # what filling alone would do
    lines = balanced(title, measure, 952, len(greedy), 3)
    assert " ".join(lines) == title and not any(line.endswith("-") for line in lines)
    assert len(lines) <= 3


@pytest.mark.parametrize(
    "title",
    [
        "The International Exchange of Postgraduates of BIT Hits a Record High in 2019",
        "北京理工大学研究生国际交流人数创历史新高，全年超过一千人次",
    ],
)
def test_balanced_lines_are_evener_than_filled_ones_and_keep_every_word(measure, title) -> None:
    filled = wrap(title, measure, 952, 3)
    lines = balanced(title, measure, 952, len(filled), len(filled))
    joiner = " " if title.isascii() else ""
    assert joiner.join(lines) == title and len(lines) == len(filled)
    spread = [measure(line) for line in lines]
    assert max(spread) - min(spread) <= max(map(measure, filled)) - min(map(measure, filled))
    assert all(measure(line) <= 952 for line in lines)


def test_no_width_leaves_a_last_line_that_is_only_a_scrap(fonts) -> None:
    """Greedy filling at any width: the last line never holds only "（13）。" or "次。"."""
    measure = Measure(load_font(fonts.face("regular"), 34), "zh-Hans")
    text = "我校在第十三届全国大学生数学竞赛决赛中获一等奖三项，获奖数量创历年最好成绩（13）。"
    for width in range(260, 1400, 9):
        lines = wrap(text, measure, width)
        if len(lines) > 1:
            assert not is_short_line(lines[-1]), (width, lines)
            assert all(measure(line) <= width for line in lines), width
