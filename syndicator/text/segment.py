"""Chinese word boundaries, so that a card line breaks between words ("研究生 / 教育 /
国际化"), never inside one ("国 / 际化").

UAX #14 allows a break between any two ideographs, which is why Chinese typesetting
without a dictionary splits words. jieba (a well-kept dictionary segmenter with an HMM
for names it does not know) says where the words end; only the boundaries it reports
inside runs of Han characters are used, everything else is left to the UAX #14 rules
in ``wrap.py``. The dictionary loads once per process (about half a second, cached by
jieba in the temporary folder), and only when a text holds Han characters.
"""

from __future__ import annotations

import logging
import re
from functools import cache, lru_cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from jieba import Tokenizer

__all__ = ["han_word_ends", "has_han"]


@cache
def _han() -> re.Pattern[str]:
    return re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")


def has_han(text: str) -> bool:
    return _han().search(text) is not None


@cache
def _tokenizer() -> Tokenizer:
    import jieba

    jieba.setLogLevel(logging.WARNING)  # it announces loading its dictionary otherwise
    tokenizer = jieba.Tokenizer()
    tokenizer.initialize()
    return tokenizer


@lru_cache(maxsize=512)
def han_word_ends(text: str) -> frozenset[int]:
    """Offsets in ``text`` where a word ends, as the segmenter cuts it. A line may break
    between two Han characters only at one of these offsets."""
    if not has_han(text):
        return frozenset()
    ends: set[int] = set()
    offset = 0
    for word in _tokenizer().cut(text, HMM=True):
        offset += len(word)
        ends.add(offset)
    return frozenset(ends)
