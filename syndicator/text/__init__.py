"""Platform-exact text tools: clean text, summaries, length models, fitting, hashtags."""

from syndicator.text.clean import clean_html, clean_text

__all__ = ["clean_html", "clean_text"]
