"""Fill a post template so that the result fits the platform as it counts.

Priority when space runs out: the link, then the title, then hashtags (lowest
priority dropped first), then the summary (chosen by ``summarize`` from however
long a text it is given). Every candidate is measured whole with the platform's
own rule, so the result is exact, not estimated. Empty placeholders collapse
cleanly: no double spaces, no empty 【】.
"""

from __future__ import annotations

import re
import string
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache

from syndicator.text.graphemes import ends_with_emoji_joiner, joins_next, joins_previous
from syndicator.text.measure import fits, measure
from syndicator.text.rules import Rule, get_rule
from syndicator.text.summarize import rank, select
from syndicator.text.truncate import truncate_to

__all__ = ["STANDARD_PLACEHOLDERS", "Fitted", "fit", "render_template", "template_placeholders"]

STANDARD_PLACEHOLDERS = frozenset({"title", "summary", "url", "hashtags", "source", "date"})
_OPENERS = "【[(（「『“《"  # the first characters of _EMPTY_PAIRS
_EMPTY_PAIRS = re.compile(r"【\s*】|\[\s*\]|\(\s*\)|（\s*）|「\s*」|『\s*』|“\s*”|《\s*》")
_SPACES = re.compile(r"[ \t]{2,}")
_BLANK_LINES = re.compile(r"\n{3,}")
_EDGE_CATEGORIES = frozenset({"Mn", "Me", "Cf"})
_LINE_EDGES = re.compile(r"[ \t]*\n[ \t]*")


@dataclass(frozen=True)
class Fitted:
    """A filled template: ``length`` in the rule's units, never above ``limit``."""

    text: str
    length: int
    limit: int
    dropped_hashtags: tuple[str, ...]
    summary_cut: bool


def template_placeholders(template: str) -> set[str]:
    """Names used in ``template`` ("{title}" -> "title"). Raises ValueError for a
    malformed template or a format spec ("{summary:.100}"), which fitting replaces."""
    names: set[str] = set()
    try:
        parsed = list(string.Formatter().parse(template))
    except ValueError as exc:
        raise ValueError(f"malformed template {template!r}: {exc}") from None
    for _, name, spec, conversion in parsed:
        if name is None:
            continue
        if not name.isidentifier():
            raise ValueError(f"template placeholder {{{name}}} is not a plain name")
        if spec or conversion:
            raise ValueError(
                f"template placeholder {{{name}}} has a format spec; lengths are fitted, not cut"
            )
        names.add(name)
    return names


def render_template(template: str, values: Mapping[str, str]) -> str:
    """Substitute and collapse what empty values leave behind."""
    out = "".join(
        literal + (values.get(name, "") if name is not None else "")
        for literal, name in _parsed(template)
    )
    # Each pass only when its pattern can match: fitting renders many candidates.
    if any(opener in out for opener in _OPENERS):
        out = _EMPTY_PAIRS.sub("", out)
    if "\n" in out:
        out = _LINE_EDGES.sub("\n", out)
    if "  " in out or "\t" in out:
        out = _SPACES.sub(" ", out)
    if "\n\n\n" in out:
        out = _BLANK_LINES.sub("\n\n", out)
    return out.strip()


@lru_cache(maxsize=256)
def _parsed(template: str) -> tuple[tuple[str, str | None], ...]:
    return tuple((literal, name) for literal, name, _, _ in string.Formatter().parse(template))


def _as_tag(tag: str) -> str:
    return tag if tag.startswith(("#", "＃")) else "#" + tag


def _one_line(text: str) -> str:
    """Whitespace collapsed, noncharacters (U+FFFE, U+FFFF: X refuses them) dropped, and
    nothing at either end that would fuse with the template's own characters ("【", " ")
    into one cluster: at the start a combining mark, emoji modifier, joiner or format
    character; at the end a prepended mark, or a joiner right after a pictograph (it
    would join a pictograph that follows). Anything else at the end belongs to its
    cluster and stays: a Scotland flag ends in tag characters, "അവന്\u200d" in a
    joiner."""
    if "\ufffe" in text or "\uffff" in text:
        text = text.replace("\ufffe", "").replace("\uffff", "")
    text = re.sub(r"\s+", " ", text).strip()
    start, end = 0, len(text)
    while start < end and (
        text[start].isspace()
        or unicodedata.category(text[start]) in _EDGE_CATEGORIES
        or joins_previous(text[start])
    ):
        start += 1
    while end > start and (
        text[end - 1].isspace()
        or joins_next(text[end - 1])
        or (text[end - 1] == "\u200d" and ends_with_emoji_joiner(text[start:end]))
    ):
        end -= 1
    return text[start:end]


def fit(
    template: str,
    *,
    title: str,
    url: str,
    summary: str = "",
    hashtags: Sequence[str] = (),
    rule: str | Rule,
    limit: int | None = None,
    extra: Mapping[str, str] | None = None,
) -> Fitted:
    """Fill ``template`` for ``rule`` within ``limit`` (default: the rule's).

    ``hashtags`` are rendered tags in priority order (``format_hashtags``); a bare
    word gets "#". Raises ValueError for an unknown placeholder, or when the link
    alone cannot fit.
    """
    rule = get_rule(rule)
    cap = rule.limit if limit is None else limit
    extra = dict(extra or {})
    names = template_placeholders(template)
    unknown = sorted(names - STANDARD_PLACEHOLDERS - set(extra))
    if unknown:
        raise ValueError(f"unknown template placeholder {{{unknown[0]}}} in {template!r}")
    title = _one_line(title)
    url = url.strip()
    tags = [_as_tag(t) for t in hashtags if t.strip()] if "hashtags" in names else []
    values = {"source": "", "date": "", **extra, "url": url}

    def post(t: str, tag_count: int, s: str) -> str:
        return render_template(
            template, {**values, "title": t, "hashtags": " ".join(tags[:tag_count]), "summary": s}
        )

    def ok(text: str) -> bool:
        return fits(text, rule, cap)

    if not ok(post("", 0, "")):
        raise ValueError(f"the link alone does not fit {rule.name} (limit {cap}): {url!r}")
    if not ok(post(title, 0, "")):
        title = truncate_to(title, lambda t: ok(post(t, 0, "")))
    count = 0
    while count < len(tags) and ok(post(title, count + 1, "")):
        count += 1
    summary_text, cut = "", False
    if "summary" in names and summary.strip():
        ranked = rank(summary, avoid=title)
        summary_text, cut = select(ranked, lambda s: ok(post(title, count, _one_line(s))))
        summary_text = _one_line(summary_text)
    text = post(title, count, summary_text)
    return Fitted(text, measure(text, rule), cap, tuple(tags[count:]), cut)
