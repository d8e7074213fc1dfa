"""Extractive summaries: lead-biased, in original order, within a budget in rule units."""

from __future__ import annotations

from syndicator.text import clean_text, measure, summarize

from .conftest import SEED

ZH = (
    "北京理工大学2024年新年音乐会于12月30日晚在中关村校区举行。校领导与三千余名师生共同观看了演出。"
    "音乐会由学校艺术团演出，曲目包括交响乐和民乐。观众反响热烈。"
    "学校表示，将继续推进美育工作，丰富校园文化生活。"
)


def seed_text() -> str:
    return clean_text(SEED.read_text(encoding="utf-8"))


def test_english_summary_starts_with_the_lead_sentence() -> None:
    out = summarize(seed_text(), 400, "mastodon")
    assert out.startswith("Beijing Institute of Technology, Feb 7th, 2020: In 2019")
    assert measure(out, "mastodon") <= 400


def test_headline_line_is_not_taken_for_the_lead() -> None:
    out = summarize(seed_text(), 250, "plain")
    assert not out.startswith("The International Exchange of Postgraduates")


def test_chinese_summary_keeps_original_order_and_fits_weibo_units() -> None:
    out = summarize(ZH, 60, "weibo")
    assert out.startswith("北京理工大学2024年新年音乐会")
    assert measure(out, "weibo") <= 60
    picked = [s for s in ZH.split("。") if s and s in out]
    assert picked == sorted(picked, key=ZH.index)


def test_a_lead_that_does_not_fit_is_cut_rather_than_replaced() -> None:
    out = summarize(seed_text(), 120, "x")
    assert out.startswith("Beijing Institute of Technology")
    assert out.endswith("…")
    assert measure(out, "x") <= 120


def test_text_that_fits_whole_is_kept_whole() -> None:
    assert summarize("One short line. Another.", 100) == "One short line. Another."


def test_empty_text_gives_an_empty_summary() -> None:
    assert summarize("", 100) == ""
