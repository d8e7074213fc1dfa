"""Extractive summaries for English, Chinese and mixed news text.

A news editor's summary is mostly the lead: the first sentence says who, what,
when. So sentences are scored by TextRank centrality (overlap of English content
words and Chinese character bigrams) blended with a strong lead prior, picked
greedily by score while they fit, and printed in their original order.
``rank`` is separate from ``select`` so that ``fit`` can try many budgets with
one ranking.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, replace
from functools import cache

from syndicator.text.boilerplate import is_boilerplate
from syndicator.text.measure import measure
from syndicator.text.sentences import detect_language, sentence_spans
from syndicator.text.truncate import truncate_to

__all__ = ["Ranked", "rank", "repeats_title", "select", "summarize", "without_dateline"]

_STOPWORDS = frozenset(
    [
        "a",
        "an",
        "the",
        "and",
        "or",
        "but",
        "if",
        "of",
        "to",
        "in",
        "on",
        "at",
        "by",
        "for",
        "with",
        "from",
        "as",
        "is",
        "are",
        "was",
        "were",
        "be",
        "been",
        "being",
        "it",
        "its",
        "this",
        "that",
        "these",
        "those",
        "which",
        "who",
        "whom",
        "whose",
        "what",
        "when",
        "where",
        "why",
        "how",
        "has",
        "have",
        "had",
        "do",
        "does",
        "did",
        "will",
        "would",
        "shall",
        "should",
        "can",
        "could",
        "may",
        "might",
        "must",
        "not",
        "no",
        "than",
        "then",
        "so",
        "such",
        "into",
        "over",
        "under",
        "about",
        "after",
        "before",
        "between",
        "through",
        "during",
        "their",
        "there",
        "they",
        "them",
        "he",
        "she",
        "his",
        "her",
        "we",
        "our",
        "you",
        "your",
        "i",
        "me",
        "my",
        "also",
        "more",
        "most",
        "other",
        "some",
        "any",
        "all",
        "each",
        "both",
        "few",
        "many",
        "much",
        "very",
        "own",
        "same",
        "just",
        "only",
        "said",
        "says",
    ]
)
_WORD = re.compile(r"[A-Za-z\u00c0-\u024f][A-Za-z\u00c0-\u024f'’-]*|\d+(?:[.,]\d+)*%?")
_LEAD_WEIGHT = 0.85  # share of the score that comes from position alone (bench/bench_summary.py)
_MIN_SHARE = 0.35  # sentences scoring under this share of the best are never filler
# Openers that lean on the sentence before: out of context they read as non sequiturs.
_CONNECTIVE = re.compile(
    r"^(?:in addition|additionally|also|besides|moreover|furthermore|however|meanwhile"
    r"|therefore|thus|but|and|so|then|among them|of which|此外|另外|同时|但是?|而且|并且|因此|其中)\b",
    re.IGNORECASE,
)
_TERMINAL = tuple(".!?。！？；…”’\"')）")
#: A sentence whose features are this much the title's says nothing the title does not.
_TITLE_OVERLAP = 0.8


@dataclass(frozen=True)
class Ranked:
    """Sentences in original order with their scores, and the joiner between them."""

    sentences: tuple[str, ...]
    scores: tuple[float, ...]
    joiner: str
    #: The title no chosen text may repeat, not even once cut short.
    avoid: str = ""


@cache
def _han_run() -> re.Pattern[str]:
    # Compiled on first use: a class over the CJK blocks costs milliseconds to build.
    return re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")


def _features(sentence: str) -> set[str]:
    feats = {
        w.lower().rstrip("'’s") for w in _WORD.findall(sentence) if w.lower() not in _STOPWORDS
    }
    for run in _han_run().findall(sentence):
        if len(run) == 1:
            feats.add(run)
        feats.update(run[i : i + 2] for i in range(len(run) - 1))
    feats.discard("")
    return feats


def _textrank(features: list[set[str]], iterations: int = 30) -> list[float]:
    n = len(features)
    if n == 1:
        return [1.0]
    weights = [[0.0] * n for _ in range(n)]
    for i in range(n):
        for j in range(i + 1, n):
            common = len(features[i] & features[j])
            if common:
                denom = math.log(len(features[i]) + 1) + math.log(len(features[j]) + 1)
                weights[i][j] = weights[j][i] = common / denom
    out_sum = [sum(row) or 1.0 for row in weights]
    score = [1.0 / n] * n
    # weights is symmetric, so row i is column i. Only the non-zero terms are kept:
    # the same products, summed in the same order, so the scores are bit-identical.
    columns = [[(j, w, out_sum[j]) for j, w in enumerate(row) if w] for row in weights]
    for _ in range(iterations):
        score = [
            0.15 / n + 0.85 * sum(w * score[j] / o for j, w, o in column) for column in columns
        ]
    top = max(score) or 1.0
    return [s / top for s in score]


_MONTH = r"(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)[a-z]*\.?"
_DATELINE = re.compile(
    rf"^[A-Z][\w.&'’ -]{{1,60}},\s+(?:{_MONTH}\s+\d{{1,2}}(?:st|nd|rd|th)?|\d{{1,2}}(?:st|nd|rd|th)?\s+{_MONTH})"
    r"(?:,?\s+\d{4})?(?:\s*\([^()]{1,30}\))?\s*(?::|--|—|–)\s+(?=[A-Z0-9\"“])"
)


def without_dateline(ranked: Ranked) -> Ranked:
    """The ranking with the lead's dateline taken off ("Beijing Institute of Technology,
    Feb 7th, 2020: In 2019, …" reads "In 2019, …"): where the date is shown beside the
    summary, as on a card, the dateline only spends the reader's first words."""
    if not ranked.sentences:
        return ranked
    first = _DATELINE.sub("", ranked.sentences[0], count=1)
    return replace(ranked, sentences=(first, *ranked.sentences[1:]))


def _fold(text: str) -> str:
    """Text compared for sameness: compatibility forms, case and punctuation folded
    ("ＢＩＴ Hits…" and "bit hits" are the same words)."""
    return re.sub(r"\W+", "", unicodedata.normalize("NFKC", text)).casefold()


def repeats_title(sentence: str, title: str) -> bool:
    """Whether ``sentence`` only says the headline again: the title itself (folded),
    the title with a prefix or suffix ("Title - BIT News"), a piece of the title, or a
    sentence whose content words and CJK bigrams are nearly all the title's."""
    folded, folded_title = _fold(sentence), _fold(title)
    if not folded or not folded_title:
        return False
    if folded in folded_title:
        return True
    if folded_title in folded and len(folded) <= 2 * len(folded_title):
        return True
    features, title_features = _features(sentence), _features(title)
    if not features:
        return False
    return len(features & title_features) / len(features) >= _TITLE_OVERLAP


def rank(text: str, *, language: str | None = None, avoid: str = "") -> Ranked:
    """Score every sentence of ``text``. Left out: sentences that repeat ``avoid`` (the
    title, which pages repeat as the first line and TextRank would favour, since it
    shares the most words with the rest), page furniture ("release date: …", "Editor:
    …"), and fragments without a letter."""
    language = language or detect_language(text)
    sentences = []
    for start, end in sentence_spans(text):
        s = text[start:end]
        if not any(c.isalpha() for c in s) or is_boilerplate(s):
            continue
        if avoid and repeats_title(s, avoid):
            continue
        sentences.append(s)
    sentences = sentences[:200]  # the lead matters; a huge text is not ranked whole
    if not sentences:
        return Ranked((), (), " ", avoid)
    feats = [_features(s) for s in sentences]
    central = _textrank(feats)
    scores = []
    for i, (s, c) in enumerate(zip(sentences, central, strict=True)):
        lead = 1.0 / math.sqrt(1 + i)
        factor = 0.5 if len(feats[i]) < 4 else 1.0  # datelines and fragments
        if not s.endswith(_TERMINAL):  # a headline or subhead, not a sentence
            factor *= 0.25
        if _CONNECTIVE.match(s):
            factor *= 0.6
        scores.append(((1 - _LEAD_WEIGHT) * c + _LEAD_WEIGHT * lead) * factor)
    joiner = "" if language == "zh" else " "
    return Ranked(tuple(sentences), tuple(scores), joiner, avoid)


def _join(ranked: Ranked, chosen: list[int]) -> str:
    out = ""
    for i in sorted(chosen):
        s = ranked.sentences[i]
        if out and (ranked.joiner or (out[-1].isascii() and s[0].isascii())):
            out += " "
        out += s
    return out


def select(ranked: Ranked, ok: Callable[[str], bool], *, ellipsis: str = "…") -> tuple[str, bool]:
    """The best summary that ``ok`` accepts, and whether anything was left out.
    Sentences are taken by score while they fit; when the best one does not fit
    whole, it is cut at a boundary."""
    if not ranked.sentences:
        return "", False
    order = sorted(range(len(ranked.sentences)), key=lambda i: -ranked.scores[i])
    whole = _join(ranked, list(range(len(ranked.sentences))))
    if ok(whole):
        return whole, False
    best = order[0]
    if not ok(ranked.sentences[best]):
        # An editor cuts the lead rather than swap in a weaker sentence that fits,
        # unless what is left of it only says the title again.
        for i in order[:3]:
            cut = truncate_to(ranked.sentences[i], ok, ellipsis=ellipsis)
            if not ranked.avoid or not repeats_title(cut.removesuffix(ellipsis), ranked.avoid):
                return cut, True
        return "", True
    chosen: list[int] = []
    floor = ranked.scores[order[0]] * _MIN_SHARE
    for i in order:
        if ranked.scores[i] < floor:
            break
        if ok(_join(ranked, [*chosen, i])):
            chosen.append(i)
    return _join(ranked, chosen), True


def summarize(
    text: str, budget: int, rule: str = "plain", *, language: str | None = None, title: str = ""
) -> str:
    """The best extractive summary of ``text`` within ``budget`` units of ``rule``,
    sentences in original order, none of them a repeat of ``title``."""
    ranked = rank(text, language=language, avoid=title)
    summary, _ = select(ranked, lambda s: measure(s, rule) <= budget)
    return summary
