"""truncate: sentence, then word boundaries; never inside URLs, hashtags or graphemes."""

from __future__ import annotations

from syndicator.text import graphemes, measure, truncate


def test_text_that_fits_is_returned_unchanged() -> None:
    assert truncate("Short text.", 100) == "Short text."


def test_cut_prefers_a_sentence_boundary_and_the_ellipsis_replaces_its_full_stop() -> None:
    text = "The first sentence is here. The second sentence is a good deal longer than that."
    assert truncate(text, 45) == "The first sentence is here…"


def test_cut_falls_back_to_a_word_boundary() -> None:
    text = "Beijing Institute of Technology announced a record number of exchanges"
    out = truncate(text, 30)
    assert out == "Beijing Institute of…"
    assert len(out) <= 30


def test_cjk_cut_is_between_characters_but_never_inside_a_latin_word_or_number() -> None:
    text = "北京理工大学举行新年音乐会BIT2024年度总结大会在北京召开"
    out = truncate(text, 16)
    assert out == "北京理工大学举行新年音乐会…"  # "BIT2024" would not fit whole
    assert truncate(text, 21) == "北京理工大学举行新年音乐会BIT2024…"


def test_cut_never_enters_a_url_or_hashtag() -> None:
    text = "Read more at https://example.com/a/very/long/path/to/an/article #BIT #GraduateSchool"
    for budget in range(5, len(text)):
        out = truncate(text, budget)
        assert len(out) <= budget
        assert "https://" not in out or "https://example.com/a/very/long/path/to/an/article" in out
        for word in out.rstrip("…").split():
            if word.startswith("#"):
                assert word in ("#BIT", "#GraduateSchool")


def test_cut_respects_the_rule_units() -> None:
    text = "北京理工大学举行新年音乐会，校领导与师生共同观看了演出。"
    out = truncate(text, 20, "x")
    assert measure(out, "x") <= 20
    assert out.endswith("…")


def test_cut_never_splits_a_grapheme_cluster() -> None:
    family = "👨‍👩‍👧‍👦"
    text = "Hi " + family * 5 + " there"
    for budget in range(2, len(text)):
        out = truncate(text, budget)
        body = out.removesuffix("…")
        assert all(g == family or len(g) == 1 for g in graphemes(body)), out


def test_a_cut_chinese_text_never_ends_in_open_brackets_or_on_a_torn_number() -> None:
    import re

    text = (
        "2019年，研究生国际交流人数首次突破1000人次，较2018年的781人次增长28%。"
        "近700名学生出国（境）参加学术交流活动，其中《自然》刊发论文13篇（含合作论文）。"
    )
    for budget in range(8, len(text)):
        cut = truncate(text, budget, "plain")
        assert cut.endswith("…") and measure(cut, "plain") <= budget, cut
        kept = cut.removesuffix("…")
        assert kept.count("（") == kept.count("）") and kept.count("《") == kept.count("》"), cut
        torn = re.search(r"[0-9]%?$", kept) and "\u4e00" <= text[len(kept)] <= "\u9fff"
        assert not torn, cut  # "突破1000…" of "突破1000人次"
