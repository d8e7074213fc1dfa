"""Boundary-aware cutting: the opposite of ``text[:499]``.

A cut ends at a sentence boundary, else at a word boundary (in CJK between two
characters, but never inside a Latin word or a number), and never inside a URL, a
hashtag, a grapheme cluster or a surrogate pair. A cut text ends with the
ellipsis; a trailing full stop gives way to it ("…" rather than ".…").
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Callable

from syndicator.text.graphemes import graphemes
from syndicator.text.measure import measure
from syndicator.text.sentences import sentence_spans
from syndicator.text.urls import extract_urls

__all__ = ["cut_points", "truncate", "truncate_to"]

_HASHTAG = re.compile(r"[#＃][^\s#＃]+[#＃]?")
_LATIN_RUN = re.compile(r"[0-9A-Za-z\u00c0-\u024f\u0370-\u03ff\u0400-\u04ff'’_\-.,:/%]+")
_TRAILING = " \t\n,;:、，；：-—–"
_STOPS = (".", "。")


def _is_cjk(ch: str) -> bool:
    """CJK ideographs, kana, Hangul, CJK punctuation and full-width forms: a cut may
    fall on either side of one. Comparisons, not a regex: no compile at import."""
    return (
        "\u2e80" <= ch <= "\u9fff"
        or "\uac00" <= ch <= "\ud7af"
        or "\uf900" <= ch <= "\ufaff"
        or "\uff00" <= ch <= "\uffef"
    )


def _protected(text: str) -> list[tuple[int, int]]:
    spans = [(u.start, u.end) for u in extract_urls(text)]
    spans += [(m.start(), m.end()) for m in _HASHTAG.finditer(text)]
    return spans


def cut_points(text: str) -> tuple[list[int], list[int]]:
    """(sentence_ends, word_ends): offsets where ``text[:offset]`` may end, sorted."""
    if text.isascii():
        cluster_ok = None
    else:
        cluster_ok = set()
        pos = 0
        for cluster in graphemes(text):
            pos += len(cluster)
            cluster_ok.add(pos)
    blocked = bytearray(len(text) + 1)
    for start, end in _protected(text):
        for i in range(start + 1, end):
            blocked[i] = 1
    for m in _LATIN_RUN.finditer(text):
        # Inside a Latin word or number; a run's own punctuation (", ") splits it
        # at the spaces anyway, since the run stops at whitespace.
        for i in range(m.start() + 1, m.end()):
            if text[i - 1].isalnum() and text[i].isalnum():
                blocked[i] = 1
    words: list[int] = []
    for i in range(1, len(text) + 1):
        if blocked[i] or (cluster_ok is not None and i not in cluster_ok):
            continue
        prev, nxt = text[i - 1], text[i] if i < len(text) else " "
        if (
            nxt.isspace()
            or prev.isspace()
            or _is_cjk(prev)
            or _is_cjk(nxt)
            or (not prev.isalnum() and not nxt.isalnum())
        ):
            words.append(i)
    sentences = [end for _, end in sentence_spans(text) if not blocked[end]]
    return sentences, words


_PAIRS = {
    "（": "）",
    "(": ")",
    "《": "》",
    "「": "」",
    "『": "』",
    "【": "】",
    "“": "”",
    "〔": "〕",
}
_DANGLING_NUMBER = re.compile(r"(?<=[\u3400-\u9fff])[0-9０-９][0-9０-９.,．，]*%?$")


def _unclosed_from(kept: str) -> int | None:
    """Where the last bracket or quote that the cut left open starts, if any."""
    open_at: list[int] = []
    closers = {closer: opener for opener, closer in _PAIRS.items()}
    for i, ch in enumerate(kept):
        if ch in _PAIRS and not (ch == "“" and open_at and kept[open_at[-1]] == "“"):
            open_at.append(i)
        elif ch in closers and open_at and kept[open_at[-1]] == closers[ch]:
            open_at.pop()
    return open_at[-1] if open_at else None


def _tidy_cjk_tail(kept: str) -> str:
    """A cut Chinese text never ends inside brackets ("出国（境…") or on a number torn
    from its measure word ("突破1000…" of "突破1000人次"): the cut moves back before them."""
    while kept:
        start = _unclosed_from(kept)
        if start is not None and start > 0:
            kept = kept[:start].rstrip(_TRAILING)
            continue
        number = _DANGLING_NUMBER.search(kept)
        if number and number.start() > 0:
            kept = kept[: number.start()].rstrip(_TRAILING)
            continue
        return kept
    return kept


def _finish(text: str, end: int, ellipsis: str) -> str:
    kept = text[:end].rstrip(_TRAILING)
    if end < len(text) and kept and (_is_cjk(kept[-1]) or _DANGLING_NUMBER.search(kept)):
        kept = _tidy_cjk_tail(kept)
    if kept.endswith(_STOPS) and not kept.endswith(".."):
        kept = kept[:-1]
    return kept + ellipsis if kept else ""


def _best(points: list[int], text: str, ok: Callable[[str], bool], ellipsis: str) -> int:
    """The largest point whose cut is accepted (cuts are accepted monotonically)."""
    lo, hi, best = 0, len(points) - 1, -1
    while lo <= hi:
        mid = (lo + hi) // 2
        candidate = _finish(text, points[mid], ellipsis)
        if candidate and ok(candidate):
            best, lo = mid, mid + 1
        else:
            hi = mid - 1
    return points[best] if best >= 0 else 0


def truncate_to(text: str, ok: Callable[[str], bool], *, ellipsis: str = "…") -> str:
    """The longest boundary-respecting cut of ``text`` that ``ok`` accepts; the
    text itself when it is accepted whole; "" when no cut is."""
    if ok(text):
        return text
    sentences, words = cut_points(text)
    word_end = _best(words, text, ok, ellipsis)
    usable = sentences[: bisect_right(sentences, word_end)]
    sentence_end = _best(usable, text, ok, ellipsis) if usable else 0
    # Prefer a whole sentence unless it throws away more than half of what fits.
    end = sentence_end if sentence_end and sentence_end * 2 >= word_end else word_end
    return _finish(text, end, ellipsis) if end else ""


def truncate(text: str, budget: int, rule: str = "plain", *, ellipsis: str = "…") -> str:
    """Cut ``text`` to at most ``budget`` units of ``rule`` (see ``truncate_to``)."""
    return truncate_to(text, lambda s: measure(s, rule) <= budget, ellipsis=ellipsis)
