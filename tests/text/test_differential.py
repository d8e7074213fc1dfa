"""Differential tests: our X length, Bluesky length and Bluesky facets against the
reference clients themselves, twitter-text 3.1.0 (with twemoji-parser 11) and
@atproto/api 0.21, run in Node (tests/text/oracle/, installed by ``./dev servers``).

The texts come from ``strategies.hard_text``: CJK and full-width punctuation, ZWJ
sequences old and new, skin tones, flags, keycaps, variation selectors, combining
marks, right-to-left text and directional marks, URLs with and without scheme, IDN
and IP hosts, trailing punctuation and brackets, hashtags, cashtags and mentions.

Figures (2026-12-04; before = main at 2dd9de1 on the same strategies):

    20,000 distinct texts   X length 100 % equal (before 86.2 %, 58.7 % with emoji)
                            Bluesky length 100 % equal (before 100 %)
                            Bluesky facets 100 % equal (before 93.2 %)
    2,000 fitted X posts    none over 280 by twitter-text, every length equal
                            (before: 226 over, up to 313)
    68,695 emoji strings    spans equal to twemoji-parser 11's
    100,000 distinct texts  (SYNDICATOR_FUZZ_TEXTS=100000) all three 100 % equal

Run: ``./dev servers && .venv/bin/pytest -q tests/text/test_differential.py``
(``SYNDICATOR_FUZZ_TEXTS=100000`` for a longer run). Without Node or the installed
references the tests skip (marker ``node``).
"""

from __future__ import annotations

import os
import unicodedata
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from syndicator.text import emoji11
from syndicator.text.emoji import emoji_spans
from syndicator.text.facets import detect_facets
from syndicator.text.fit import fit
from syndicator.text.measure import measure
from tests.servers import NotInstalled
from tests.text.oracle import Oracle
from tests.text.strategies import NEW_SEQUENCES, hard_text

pytestmark = pytest.mark.node

TEXTS = int(os.environ.get("SYNDICATOR_FUZZ_TEXTS", "20000"))
FITTED = 2000


@pytest.fixture(scope="module")
def oracle() -> Iterator[Oracle]:
    try:
        node = Oracle()
    except NotInstalled as exc:
        pytest.skip(str(exc))
    yield node
    node.close()


def _u16(text: str, i: int) -> int:
    return len(text[:i].encode("utf-16-le", "surrogatepass")) // 2


def _their_facets(answer: dict[str, Any]) -> list[dict[str, Any]]:
    return [{"index": f["index"], "features": f["features"]} for f in answer["facets"]]


def _differences(text: str, answer: dict[str, Any]) -> dict[str, tuple[object, object]]:
    """What we count differently from the reference clients: {what: (ours, theirs)}."""
    ours: dict[str, object] = {
        "x": measure(text, "x"),
        "bluesky": measure(text, "bluesky"),
        "facets": detect_facets(text, resolve_handle=lambda handle: handle),
    }
    theirs: dict[str, object] = {
        "x": answer["x"],
        "bluesky": answer["bsky"],
        "facets": _their_facets(answer),
    }
    return {k: (ours[k], theirs[k]) for k in ours if ours[k] != theirs[k]}


def test_x_and_bluesky_lengths_and_facets_equal_the_reference_clients(oracle: Oracle) -> None:
    seen: set[str] = set()

    @settings(
        max_examples=TEXTS + TEXTS // 20,  # a few repeats are expected
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(hard_text())
    def check(text: str) -> None:
        answer = oracle.one(text)
        diff = _differences(text, answer)
        assert not diff, (
            f"{text!r}: {diff} (twitter-text URLs {answer['urls']}, emoji {answer['emoji']})"
        )
        seen.add(text)

    check()
    assert len(seen) >= TEXTS, f"only {len(seen)} distinct texts were generated"


def test_fitted_x_posts_are_never_over_280_by_twitter_text(oracle: Oracle) -> None:
    fitted: list[tuple[str, int]] = []
    words = st.lists(hard_text(), min_size=1, max_size=6).map(" ".join)

    @settings(
        max_examples=FITTED, deadline=None, database=None, suppress_health_check=list(HealthCheck)
    )
    @given(
        title=words,
        summary=st.lists(words, min_size=1, max_size=5).map("。".join),
        hashtags=st.lists(
            st.sampled_from(["新闻", "BIT", "tag_1", "café", "2024年", "日本"]), max_size=4
        ),
        template=st.sampled_from(
            ["{title}\n\n{summary}\n\n{url}", "【{title}】{summary} {hashtags} {url}"]
        ),
    )
    def make(title: str, summary: str, hashtags: list[str], template: str) -> None:
        url = "https://news.example.edu.cn/2024/06/研究-" + str(len(fitted))
        post = fit(template, title=title, url=url, summary=summary, hashtags=hashtags, rule="x")
        fitted.append((post.text, post.length))

    make()
    assert len(fitted) == FITTED
    answers = oracle.ask(text for text, _ in fitted)
    for (text, length), answer in zip(fitted, answers, strict=True):
        assert answer["x"] <= 280, f"{text!r} weighs {answer['x']} on X"
        assert answer["x"] == length, f"{text!r}: fitted as {length}, X says {answer['x']}"


def _emoji_candidates() -> list[str]:
    """Every emoji-like string we can name without the Unicode files: each code point of
    the symbol and emoji blocks, every sequence of the table, with and without
    selectors, every regional-indicator pair, keycaps, and newer sequences."""
    seqs = [
        "".join(chr(int(h, 16)) for h in s.split())
        for s in emoji11.ZWJ_SEQUENCES + emoji11.FLAG_SEQUENCES + emoji11.TAG_SEQUENCES
    ]
    singles = [chr(c) for c in [*range(0x20, 0x3300), *range(0x1F000, 0x1FB00), 0xE50A]]
    base = {*seqs, *singles, *NEW_SEQUENCES}
    out = set(base)
    for s in base:
        out |= {s.replace("\ufe0f", ""), s + "\ufe0e", s + "\ufe0f", s + "\U0001f3fd"}
    ri = range(0x1F1E6, 0x1F200)
    out |= {chr(a) + chr(b) for a in ri for b in ri}
    out |= {k + v + "\u20e3" for k in "#*0123456789" for v in ("", "\ufe0f", "\ufe0e")}
    return sorted(t for t in out if t and unicodedata.category(t[0]) != "Cs")


def test_emoji_table_agrees_with_twemoji_parser_on_every_emoji(oracle: Oracle) -> None:
    candidates = _emoji_candidates()
    assert len(candidates) > 20000
    mismatched = []
    for text, answer in zip(candidates, oracle.ask(candidates), strict=True):
        nfc = unicodedata.normalize("NFC", text)
        ours = [[_u16(nfc, a), _u16(nfc, b)] for a, b in emoji_spans(nfc)]
        if ours != answer["emoji"]:
            mismatched.append((text, ours, answer["emoji"]))
    assert not mismatched, mismatched[:10]
