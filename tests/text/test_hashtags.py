"""Hashtags: platform syntax, cleaning, case-insensitive de-duplication."""

from __future__ import annotations

import pytest

from syndicator.text import format_hashtags


def test_hash_style_cleans_and_deduplicates_case_insensitively() -> None:
    tags = ["BIT", "Graduate School", "bit", "#北理工", "Double First-Class", "2024", "  "]
    assert format_hashtags(tags) == ["#BIT", "#GraduateSchool", "#北理工", "#DoubleFirstClass"]


def test_weibo_style_closes_the_topic() -> None:
    assert format_hashtags(["北理工", "研究生 教育"], "weibo") == ["#北理工#", "#研究生教育#"]


def test_none_style_renders_nothing() -> None:
    assert format_hashtags(["北理工"], "none") == []


def test_unknown_style_is_an_error() -> None:
    with pytest.raises(ValueError, match="unknown hashtag style 'hashes'"):
        format_hashtags(["a"], "hashes")
