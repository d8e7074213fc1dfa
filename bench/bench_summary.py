"""ROUGE of syndicator's summarizer against the lead-3 baseline, on articles whose
editor-written lead is the reference.

    .venv/bin/pip install -e '.[bench]'       # rouge-score, rouge-chinese
    .venv/bin/python bench/bench_summary.py [--out bench/results/summary-rouge.txt]

The corpus is bench/corpus/leads-en.toml and leads-zh.toml: 33 university news
articles (17 English, 16 Chinese) written for this project, plus the bundled demo
site's four articles and the seed article, read from the repo, each with the lead an
editor wrote for it. Every method gets the same input, the article text as extraction
delivers it (some bodies start with the headline again or hold a photo caption or an
editor line, as real pages do). Methods:

* ``summarizer @card``: ``summarize(text, budget, title=title)`` with the budget a
  poster's summary box holds (250 characters in English, 110 in Chinese);
* ``summarizer @lead-3 length``: the same with the budget set to lead-3's own length,
  so the two are compared at equal length;
* ``lead-3``: the first three sentences, the usual baseline;
* ``lead-3, clean``: the first three sentences after dropping lines that repeat the
  title and page furniture (what our filters do), a stronger baseline.

ROUGE-1/2/L F1 (x100): ``rouge-score`` with the Porter stemmer for English,
``rouge-chinese`` on jieba-segmented words for Chinese.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tomllib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from syndicator.text import clean_text, split_sentences, summarize  # noqa: E402
from syndicator.text.boilerplate import is_boilerplate  # noqa: E402
from syndicator.text.summarize import repeats_title  # noqa: E402

CORPUS = ROOT / "bench" / "corpus"
BUDGET = {"en": 250, "zh": 110}


@dataclass(frozen=True)
class Item:
    id: str
    language: str
    title: str
    text: str
    lead: str


def _from_origin(origin: str) -> tuple[str, str]:
    """(title, text) of an article the repo already holds."""
    if origin.startswith("syndicator.demo.site:"):
        from syndicator.demo.site import ARTICLES, NEW_ARTICLE

        number = int(origin.rsplit(":", 1)[1])
        article = next(a for a in (*ARTICLES, NEW_ARTICLE) if a.number == number)
        return article.title, "\n\n".join(article.paragraphs)
    raw = (ROOT / origin).read_text(encoding="utf-8")
    title = next(line.strip() for line in raw.splitlines()[1:] if line.strip())
    return title, clean_text(raw)


def load_corpus() -> list[Item]:
    items = []
    for language in ("en", "zh"):
        data = tomllib.loads((CORPUS / f"leads-{language}.toml").read_text(encoding="utf-8"))
        for entry in data["article"]:
            if "origin" in entry:
                title, text = _from_origin(entry["origin"])
            else:
                title, text = entry["title"], entry["text"].strip()
            items.append(Item(entry["id"], language, title, text, entry["lead"]))
    return items


def _joined(sentences: list[str], language: str) -> str:
    return ("" if language == "zh" else " ").join(sentences)


def lead3(item: Item) -> str:
    return _joined(split_sentences(item.text)[:3], item.language)


def lead3_clean(item: Item) -> str:
    kept = [
        s
        for s in split_sentences(item.text)
        if not is_boilerplate(s) and not repeats_title(s, item.title)
    ]
    return _joined(kept[:3], item.language)


def ours_card(item: Item) -> str:
    return summarize(item.text, BUDGET[item.language], "plain", title=item.title)


def ours_equal(item: Item) -> str:
    return summarize(item.text, len(lead3(item)), "plain", title=item.title)


METHODS: dict[str, Callable[[Item], str]] = {
    "summarizer @card": ours_card,
    "summarizer @lead-3 length": ours_equal,
    "lead-3": lead3,
    "lead-3, clean": lead3_clean,
}


def scorers() -> dict[str, Callable[[str, str], tuple[float, float, float]]]:
    import logging

    import jieba
    from rouge_chinese import Rouge
    from rouge_score import rouge_scorer

    jieba.setLogLevel(logging.WARNING)
    english = rouge_scorer.RougeScorer(["rouge1", "rouge2", "rougeL"], use_stemmer=True)
    chinese = Rouge()

    def en(summary: str, reference: str) -> tuple[float, float, float]:
        score = english.score(reference, summary)
        return tuple(score[k].fmeasure for k in ("rouge1", "rouge2", "rougeL"))  # type: ignore[return-value]

    def zh(summary: str, reference: str) -> tuple[float, float, float]:
        words = " ".join(w for w in jieba.cut(summary) if w.strip())
        if not words:
            return 0.0, 0.0, 0.0
        ref = " ".join(w for w in jieba.cut(reference) if w.strip())
        [score] = chinese.get_scores(words, ref)
        return tuple(score[k]["f"] for k in ("rouge-1", "rouge-2", "rouge-l"))  # type: ignore[return-value]

    return {"en": en, "zh": zh}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, help="also write the table to this file")
    args = parser.parse_args()
    items = load_corpus()
    score = scorers()
    lines = [
        f"ROUGE F1 x100 against editor-written leads ({len(items)} articles)",
        "",
        f"{'lang':4}  {'method':27} {'n':>3} {'ROUGE-1':>8} {'ROUGE-2':>8} {'ROUGE-L':>8} {'chars':>6}",
    ]
    for language in ("en", "zh", "all"):
        chosen = [i for i in items if language in ("all", i.language)]
        for name, method in METHODS.items():
            rows, lengths = [], []
            for item in chosen:
                summary = method(item)
                rows.append(score[item.language](summary, item.lead))
                lengths.append(len(summary))
            r1, r2, rl = (100 * statistics.mean(r[k] for r in rows) for k in range(3))
            lines.append(
                f"{language:4}  {name:27} {len(chosen):>3} {r1:8.1f} {r2:8.1f} {rl:8.1f} "
                f"{statistics.mean(lengths):6.0f}"
            )
        lines.append("")
    text = "\n".join(lines)
    print(text)
    if args.out:
        args.out.write_text(text + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
