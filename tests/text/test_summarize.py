"""Extractive summaries: lead-biased, in original order, within a budget in rule units."""

from __future__ import annotations

from syndicator.text import clean_text, measure, split_sentences, summarize

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


TITLE_EN = "The International Exchange of Postgraduates of BIT Hits a Record High in 2019"
TITLE_ZH = "北京理工大学2024年新年音乐会举行"


def _title_variants(title: str) -> list[str]:
    """How pages repeat a headline: as it is, shouted, in full-width forms, with the
    site's name, or a piece of it as a subhead."""
    import unicodedata

    full_width = "".join(
        chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in unicodedata.normalize("NFC", title)
    )
    return [title, title.upper() + ".", full_width, f"{title} - BIT News", title[: len(title) // 2]]


def test_summaries_never_repeat_the_title_at_any_budget() -> None:
    from syndicator.text.summarize import repeats_title

    for title, body in ((TITLE_EN, seed_text()), (TITLE_ZH, ZH)):
        text = "\n".join(_title_variants(title)) + "\n" + body
        for budget in range(20, 400, 15):
            summary = summarize(text, budget, "plain", title=title)
            assert summary, budget
            for sentence in split_sentences(summary):
                assert not repeats_title(sentence.removesuffix("…"), title), (budget, sentence)


def test_a_lead_that_shares_words_with_the_title_is_kept() -> None:
    from syndicator.text.summarize import repeats_title

    lead = "In 2019, for the first time, the number of international exchanges among postgraduates of BIT surpassed 1000."
    assert not repeats_title(lead, TITLE_EN)
    assert not repeats_title(
        "2019年，北京理工大学研究生国际交流人数首次突破1000人次。",
        "北京理工大学研究生国际交流人数创历史新高",
    )


def test_summary_never_starts_with_page_furniture() -> None:
    from syndicator.text.boilerplate import is_boilerplate

    raw = SEED.read_text(encoding="utf-8")  # breadcrumb, release date, view counter, share buttons
    for budget in (60, 120, 250, 500):
        summary = summarize(raw, budget, "plain", title=TITLE_EN)
        first = split_sentences(summary)[0]
        assert not is_boilerplate(first) and "release date" not in summary, summary
        assert "present position" not in summary and "ViewCount" not in summary
        assert summary.startswith("Beijing Institute of Technology, Feb 7th, 2020: In 2019")


def test_a_lead_loses_its_dateline_only_where_asked() -> None:
    from syndicator.text.summarize import rank, without_dateline

    ranked = rank(seed_text(), avoid=TITLE_EN)
    assert ranked.sentences[0].startswith("Beijing Institute of Technology, Feb 7th, 2020: In")
    assert without_dateline(ranked).sentences[0].startswith("In 2019, for the first time")
    assert without_dateline(ranked).sentences[1:] == ranked.sentences[1:]
    kept = rank("Dr. Li, Feb 7: notes from the lab. The lab opened.")
    assert without_dateline(kept).sentences == kept.sentences
