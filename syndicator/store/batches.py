"""Long ``IN (...)`` lists in pieces both SQLite and PostgreSQL accept."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import TypeVar

T = TypeVar("T")

# Values per IN (...) list: well under SQLite's bound-parameter limit (32,766 since
# 3.32) and PostgreSQL's (65,535), and small enough that a statement stays cheap.
CHUNK = 500


def chunks(values: Sequence[T], size: int = CHUNK) -> Iterator[Sequence[T]]:
    """``values`` in consecutive slices of at most ``size``."""
    for start in range(0, len(values), size):
        yield values[start : start + size]
