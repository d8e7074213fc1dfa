"""Fonts: found on the machine or configured, and proven to cover the text."""

from __future__ import annotations

from pathlib import Path

import pytest
from syndicator_adapters.wechat.card import render_card
from syndicator_adapters.wechat.fonts import FontFace, find_fonts, missing_characters
from syndicator_adapters.wechat.layout import CardContent
from syndicator_adapters.wechat.templates import load_template

from syndicator.errors import ConfigError, RenderError

from .conftest import DEJAVU


def test_installed_cjk_font_is_the_simplified_chinese_face(fonts):
    from fontTools.ttLib import TTFont

    name = TTFont(str(fonts.regular.path), fontNumber=fonts.regular.index, lazy=True)["name"]
    family = name.getDebugName(1) or ""
    assert "SC" in family or "GB" in family or "Hei" in family, family
    assert not missing_characters(fonts.regular, "北京理工大学，新闻。Record High 2019“双一流”…")


def test_configured_collection_picks_its_sc_face(fonts):
    if fonts.regular.path.suffix != ".ttc":
        pytest.skip("the installed CJK font is not a collection")
    chosen = find_fonts(fonts.regular.path)
    assert chosen.regular == fonts.regular


def test_coverage_reads_the_cmap_of_a_latin_only_font():
    dejavu = FontFace(DEJAVU)
    assert missing_characters(dejavu, "Record High in 2019, naïve café") == []
    assert missing_characters(dejavu, "BIT 北京理工，2019") == ["北", "京", "理", "工", "，"]
    assert (
        missing_characters(dejavu, "a\u200bb\ufe0f\n\t c") == []
    )  # invisible characters draw nothing


def test_title_with_characters_missing_from_the_font_fails_clearly(latin_font):
    content = CardContent(
        title="北理工研究生国际交流创新高", url="https://example.org/a", language="zh"
    )
    with pytest.raises(RenderError) as raised:
        render_card(content, load_template("poster"), latin_font)
    message = str(raised.value)
    assert "title" in message and "'北' (U+5317)" in message and "DejaVuSans.ttf" in message
    assert "`font`" in message


def test_latin_only_font_draws_an_english_card(latin_font):
    content = CardContent(
        title="Record High in 2019", url="https://example.org/a", cta="Scan to read", source="BIT"
    )
    card = render_card(content, load_template("square"), latin_font)
    assert card.layout.box("band_title").text.lines == ("Record High in 2019",)


def test_configured_font_that_does_not_exist_is_a_config_error(tmp_path: Path):
    with pytest.raises(ConfigError, match=r"font.*does-not-exist\.ttf"):
        find_fonts(tmp_path / "does-not-exist.ttf")
