"""Shared paths for the text tests: the copied conformance data and the seed article."""

from __future__ import annotations

from pathlib import Path

DATA = Path(__file__).parent.parent / "data"
CONFORMANCE = DATA / "conformance"
SEED = DATA / "seed" / "bit-news-article.txt"
