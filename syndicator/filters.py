"""Per-target filters: which articles a target wants.

Keyword checks are case-insensitive substring tests. Regular expressions from a config
run on RE2, whose matching time is linear in the input, so neither a config nor a
hostile feed can stall a poll (no ReDoS).
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from syndicator.config import FiltersConfig
from syndicator.models import Article


@lru_cache(maxsize=256)
def _compiled(pattern: str) -> Any:
    import re2

    return re2.compile(pattern)


def filter_reason(article: Article, filters: FiltersConfig) -> str | None:
    """``None`` when the target wants the article, else the rule that excluded it."""
    haystack = f"{article.title}\n{article.summary}\n{article.text}"
    folded = haystack.casefold()
    categories = {c.casefold() for c in article.categories}
    for word in filters.exclude:
        if word.casefold() in folded:
            return f"filtered: contains excluded keyword {word!r}"
    for pattern in filters.exclude_regex:
        if _compiled(pattern).search(haystack):
            return f"filtered: matches excluded pattern {pattern!r}"
    for category in filters.exclude_categories:
        if category.casefold() in categories:
            return f"filtered: in excluded category {category!r}"
    if filters.include and not any(word.casefold() in folded for word in filters.include):
        return f"filtered: contains none of the keywords {filters.include!r}"
    if filters.include_regex and not any(
        _compiled(p).search(haystack) for p in filters.include_regex
    ):
        return f"filtered: matches none of the patterns {filters.include_regex!r}"
    if filters.categories and not categories & {c.casefold() for c in filters.categories}:
        return f"filtered: in none of the categories {filters.categories!r}"
    return None
