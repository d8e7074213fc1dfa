"""Platform-exact text tools: clean text, summaries, length models, fitting, hashtags.

Adapters use these names only; every counting rule lives in ``rules.RULES``.
Importing this package loads nothing: each name is imported from its module on
first access (PEP 562), so ``syndicator --help`` and a poll that only cleans text
never pay for summarising, URL grammars or ``regex``/``lxml``.
"""

from __future__ import annotations

import sys
from importlib import import_module
from types import ModuleType
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from syndicator.text.clean import clean_html, clean_text
    from syndicator.text.facets import bluesky_facets, detect_facets
    from syndicator.text.fit import Fitted, fit, render_template, template_placeholders
    from syndicator.text.graphemes import grapheme_count, graphemes
    from syndicator.text.hashtags import clean_tag, format_hashtags
    from syndicator.text.measure import fits, limit, measure
    from syndicator.text.rules import RULES, Rule
    from syndicator.text.sentences import detect_language, split_sentences
    from syndicator.text.summarize import summarize
    from syndicator.text.truncate import truncate
    from syndicator.text.urls import extract_urls
    from syndicator.text.wrap import word_units, wrap_units

_WHERE = {
    "RULES": "rules",
    "Fitted": "fit",
    "Rule": "rules",
    "bluesky_facets": "facets",
    "clean_html": "clean",
    "clean_tag": "hashtags",
    "clean_text": "clean",
    "detect_facets": "facets",
    "detect_language": "sentences",
    "extract_urls": "urls",
    "fit": "fit",
    "fits": "measure",
    "format_hashtags": "hashtags",
    "grapheme_count": "graphemes",
    "graphemes": "graphemes",
    "limit": "measure",
    "measure": "measure",
    "render_template": "fit",
    "split_sentences": "sentences",
    "summarize": "summarize",
    "template_placeholders": "fit",
    "truncate": "truncate",
    "word_units": "wrap",
    "wrap_units": "wrap",
}

__all__ = [
    "RULES",
    "Fitted",
    "Rule",
    "bluesky_facets",
    "clean_html",
    "clean_tag",
    "clean_text",
    "detect_facets",
    "detect_language",
    "extract_urls",
    "fit",
    "fits",
    "format_hashtags",
    "grapheme_count",
    "graphemes",
    "limit",
    "measure",
    "render_template",
    "split_sentences",
    "summarize",
    "template_placeholders",
    "truncate",
    "word_units",
    "wrap_units",
]


def __getattr__(name: str) -> Any:
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module 'syndicator.text' has no attribute {name!r}")
    value = getattr(import_module(f"syndicator.text.{module}"), name)
    globals()[name] = value  # later look-ups skip this function
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_WHERE))


class _Package(ModuleType):
    """Importing ``syndicator.text.fit`` makes Python set the package attribute
    ``fit`` to that submodule, which would hide the function ``fit`` (likewise
    ``measure``, ``summarize``, ``truncate``, ``graphemes``). The exported name wins."""

    def __setattr__(self, name: str, value: Any) -> None:
        if name in _WHERE and isinstance(value, ModuleType):
            return
        super().__setattr__(name, value)


sys.modules[__name__].__class__ = _Package
