"""Shared paths for the text tests: the seed article."""

from __future__ import annotations

from pathlib import Path

DATA = Path(__file__).parent.parent / "data"
SEED = DATA / "seed" / "bit-news-article.txt"
