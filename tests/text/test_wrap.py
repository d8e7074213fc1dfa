"""wrap_units: UAX #14 break opportunities for the share-card renderer."""

from __future__ import annotations

from syndicator.text import wrap_units


def test_cjk_breaks_between_characters_but_punctuation_stays_attached() -> None:
    units = wrap_units("北京理工大学，举行音乐会。")
    assert "".join(units) == "北京理工大学，举行音乐会。"
    assert not any(u.startswith(("，", "。")) for u in units)
    assert "学，" in units


def test_latin_words_stay_whole() -> None:
    assert wrap_units("Beijing Institute 理工") == ["Beijing ", "Institute ", "理", "工"]


def test_empty_text_has_no_units() -> None:
    assert wrap_units("") == []
