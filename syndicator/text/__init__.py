"""Platform-exact text tools: clean text, summaries, length models, fitting, hashtags.

Adapters use these names only; every counting rule lives in ``rules.RULES``.
"""

from syndicator.text.clean import clean_html, clean_text
from syndicator.text.facets import bluesky_facets, detect_facets
from syndicator.text.graphemes import graphemes
from syndicator.text.measure import fits, limit, measure
from syndicator.text.rules import RULES, Rule

__all__ = [
    "RULES",
    "Rule",
    "bluesky_facets",
    "clean_html",
    "clean_text",
    "detect_facets",
    "fits",
    "graphemes",
    "limit",
    "measure",
]
