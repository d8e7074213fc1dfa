"""Per-target filters: keywords, categories, sources and RE2 patterns, each refusal
naming the rule that decided, and no pattern (from a config) or text (from a feed)
able to stall matching."""

from __future__ import annotations

from pathlib import Path

import pytest

from syndicator.config import FiltersConfig, parse_config
from syndicator.errors import ConfigError
from syndicator.filters import filter_reason
from syndicator.models import Article


def _article(**fields: object) -> Article:
    values: dict[str, object] = {
        "key": "url:https://news.example.edu/c_1.htm",
        "url": "https://news.example.edu/c_1.htm",
        "title": "Students Build a Solar Car",
        "source": "news",
        "summary": "A team drove 1,200 km across the Gobi.",
        "categories": ("Campus",),
    }
    values.update(fields)
    return Article(**values)  # type: ignore[arg-type]


def test_no_filter_takes_every_article() -> None:
    assert filter_reason(_article(), FiltersConfig()) is None


def test_an_excluded_keyword_is_named_and_matches_regardless_of_case_and_width() -> None:
    filters = FiltersConfig(exclude=["gobi"])
    assert filter_reason(_article(), filters) == "filtered: contains excluded keyword 'gobi'"
    fullwidth = _article(title="ＳＯＬＡＲ car", summary="")
    assert filter_reason(fullwidth, FiltersConfig(include=["solar"])) is None


def test_include_keywords_need_one_of_them_in_title_or_text() -> None:
    filters = FiltersConfig(include=["招生", "admission"])
    assert filter_reason(_article(), filters) == (
        "filtered: contains none of the keywords ['招生', 'admission']"
    )
    assert filter_reason(_article(text="2027年本科招生简章发布"), filters) is None


def test_categories_include_and_exclude() -> None:
    assert filter_reason(_article(), FiltersConfig(categories=["campus"])) is None
    assert filter_reason(_article(), FiltersConfig(categories=["科学研究"])) == (
        "filtered: in none of the categories ['科学研究']"
    )
    assert filter_reason(_article(), FiltersConfig(exclude_categories=["CAMPUS"])) == (
        "filtered: in excluded category 'CAMPUS'"
    )


def test_an_excluded_source_is_named() -> None:
    filters = FiltersConfig(exclude_sources=["news"])
    assert filter_reason(_article(), filters) == "filtered: source 'news' is in exclude_sources"
    assert filter_reason(_article(source="other"), filters) is None


def test_exclusions_win_over_inclusions() -> None:
    filters = FiltersConfig(include=["solar"], exclude=["gobi"])
    assert filter_reason(_article(), filters) == "filtered: contains excluded keyword 'gobi'"


def test_patterns_run_on_re2() -> None:
    filters = FiltersConfig(include_regex=[r"\b\d{1,3}(,\d{3})+ km\b"])
    assert filter_reason(_article(), filters) is None
    assert filter_reason(_article(), FiltersConfig(exclude_regex=[r"(?i)solar\s+car"])) == (
        "filtered: matches excluded pattern '(?i)solar\\\\s+car'"
    )


def test_a_catastrophic_pattern_on_a_hostile_text_finishes_with_the_right_answer() -> None:
    # (a+)+$ against "aaaa…!" takes exponential time on a backtracking engine; RE2 is
    # linear. pytest-timeout fails this test if matching ever hangs.
    hostile = _article(title="a" * 100_000 + "!", summary="", text="")
    assert filter_reason(hostile, FiltersConfig(exclude_regex=[r"(a+)+$"])) is None
    assert filter_reason(hostile, FiltersConfig(include_regex=[r"(a+)+!"])) is None


@pytest.mark.parametrize("pattern", [r"(a)\1", r"(?=news)n", r"[unclosed"])
def test_a_pattern_re2_cannot_run_safely_is_a_config_error_naming_its_key(
    pattern: str, tmp_path: Path
) -> None:
    raw = {
        "targets": [
            {"name": "t", "adapter": "outbox", "filters": {"exclude_regex": ["ok", pattern]}}
        ]
    }
    with pytest.raises(ConfigError) as caught:
        parse_config(raw, path=tmp_path / "syndicator.toml")
    assert "targets[0].filters.exclude_regex" in str(caught.value)
    assert "RE2" in str(caught.value)


def test_an_unknown_excluded_source_is_a_config_error(tmp_path: Path) -> None:
    raw = {
        "sources": [{"name": "news", "url": "https://example.edu/feed.xml"}],
        "targets": [{"name": "t", "adapter": "outbox", "filters": {"exclude_sources": ["nwes"]}}],
    }
    with pytest.raises(ConfigError, match=r"targets\[0\]\.filters\.exclude_sources\[0\]"):
        parse_config(raw, path=tmp_path / "syndicator.toml")
