"""Per-target filters: which articles a target wants.

Keyword checks are case-insensitive substring tests (after Unicode NFKC folding, so a
full-width "ＡＩ" matches "AI"). Regular expressions from a config run on RE2, whose
matching time is linear in the input: neither a config nor a hostile feed can stall a
poll (no ReDoS), and patterns RE2 cannot run in linear time (backreferences,
look-around) are refused when the config is loaded.

Order: exclusions first (source, keyword, pattern, category), then the inclusions, so
the recorded reason names the rule that decided.
"""

from __future__ import annotations

import unicodedata
from typing import Any

from syndicator.config import FiltersConfig
from syndicator.models import Article


def _compiled(pattern: str) -> Any:
    from syndicator.patterns import compile_re2

    return compile_re2(pattern)


def _fold(text: str) -> str:
    return unicodedata.normalize("NFKC", text).casefold()


def filter_reason(article: Article, filters: FiltersConfig) -> str | None:
    """``None`` when the target wants the article, else the rule that excluded it."""
    if article.source and article.source in filters.exclude_sources:
        return f"filtered: source {article.source!r} is in exclude_sources"
    haystack = f"{article.title}\n{article.summary}\n{article.text}"
    folded = _fold(haystack)
    categories = {_fold(c) for c in article.categories}
    for word in filters.exclude:
        if _fold(word) in folded:
            return f"filtered: contains excluded keyword {word!r}"
    for pattern in filters.exclude_regex:
        if _compiled(pattern).search(haystack):
            return f"filtered: matches excluded pattern {pattern!r}"
    for category in filters.exclude_categories:
        if _fold(category) in categories:
            return f"filtered: in excluded category {category!r}"
    if filters.include and not any(_fold(word) in folded for word in filters.include):
        return f"filtered: contains none of the keywords {filters.include!r}"
    if filters.include_regex and not any(
        _compiled(p).search(haystack) for p in filters.include_regex
    ):
        return f"filtered: matches none of the patterns {filters.include_regex!r}"
    if filters.categories and not categories & {_fold(c) for c in filters.categories}:
        return f"filtered: in none of the categories {filters.categories!r}"
    return None
