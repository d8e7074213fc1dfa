"""Platform-exact text tools: clean text, summaries, length models, fitting, hashtags.

Adapters use these names only; every counting rule lives in ``rules.RULES``. Heavy
modules (``regex``, ``uniseg``) are imported on first use, so importing this
package stays cheap.
"""

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
from syndicator.text.wrap import wrap_units

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
    "wrap_units",
]
