"""Sentence splitting (CJK punctuation, English abbreviations) and language detection."""

from __future__ import annotations

from syndicator.text import detect_language, split_sentences


def test_english_abbreviations_and_dates_do_not_end_sentences() -> None:
    text = "Dr. Li met the U.S. team on Feb. 7th in Beijing. They agreed. Mr. J. Smith left."
    assert split_sentences(text) == [
        "Dr. Li met the U.S. team on Feb. 7th in Beijing.",
        "They agreed.",
        "Mr. J. Smith left.",
    ]


def test_chinese_sentences_end_at_cjk_punctuation_without_spaces() -> None:
    text = "北京理工大学举行会议。会议讨论了合作；双方签署协议！是否继续？"
    assert split_sentences(text) == [
        "北京理工大学举行会议。",
        "会议讨论了合作；",
        "双方签署协议！",
        "是否继续？",
    ]


def test_mixed_text_and_closing_quotes_stay_with_their_sentence() -> None:
    text = "学校发布“Double 100%”计划。The plan is “ambitious.” It starts in 2018."
    assert split_sentences(text) == [
        "学校发布“Double 100%”计划。",
        "The plan is “ambitious.”",
        "It starts in 2018.",
    ]


def test_decimals_and_lowercase_continuations_are_not_boundaries() -> None:
    assert split_sentences("Growth was 3.5 per cent. e.g. not a break") == [
        "Growth was 3.5 per cent. e.g. not a break"
    ]


def test_line_breaks_end_a_sentence() -> None:
    assert split_sentences("Headline\n\nBody text.") == ["Headline", "Body text."]


def test_language_is_detected_by_script_share() -> None:
    assert detect_language("北京理工大学举行新年音乐会") == "zh"
    assert detect_language("The university held a concert.") == "en"
    assert detect_language("北京理工大学 (BIT) 举行 concert") == "zh"
    assert detect_language("2024 — 12") == "und"


def test_splitting_a_long_text_takes_linear_work() -> None:
    """A 400,000-character body once took minutes (the text before and after every
    full stop was rescanned) and ran into the suite's timeout; now it is one pass."""
    unit = "长文。Long text here. Dr. Smith met J. Doe in the U.S. today. "
    sentences = split_sentences(unit * 7000)
    assert len(sentences) == 7000 * 3
    assert sentences[2] == "Dr. Smith met J. Doe in the U.S. today."
