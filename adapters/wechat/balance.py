"""Headline lines chosen together, not filled greedily.

Greedy filling leaves the last line short ("…of BIT / Hits a Record High in / 2019")
and breaks wherever the line is full, inside a phrase as readily as after a comma. A
headline has a few dozen break opportunities, so every way of breaking it into the
given number of lines is weighed (dynamic programming over the units of
``wrap.units``) and the evenest is taken, with breaks after commas and colons preferred
and breaks after hyphens avoided.
"""

from __future__ import annotations

from .wrap import Measure, is_short_line, normalize, units, wrap

#: A line that ends on one of these ends on a phrase boundary ("…创历史新高，").
_PHRASE_END = frozenset("，、：；。！？,:;!?")
#: What a break inside a phrase costs, against a line's squared slack: more between two
#: Chinese words (nothing else marks the phrase) than between two English ones.
_UNPHRASED_COST = {"han": 0.15, "other": 0.05, "hyphen": 1.0}
_EXTRA_LINE = 0.3  # one line more than greedy filling needs: only to avoid a bad break


def balanced(text: str, measure: Measure, width: int, count: int, room: int) -> list[str]:
    """``count`` lines (one more when ``room`` allows and that avoids a bad break), evened
    out by choosing the breaks together rather than filling greedily: the least total
    squared slack, a break after a comma or colon preferred to one inside a phrase
    ("从实验室到市场： / 三家校友创业公司的故事"), after a hyphen only when nothing else
    fits, no line a scrap. Falls back to the greedy lines when nothing better fits."""
    pieces = units(normalize(text))
    greedy = wrap(text, measure, width, count)
    if len(pieces) > 120 or count < 2:
        return greedy
    most = min(count + 1, room)
    n = len(pieces)
    span = _span_widths(pieces, measure)
    inf = float("inf")
    # cost[k][j]: the best cost of the first j pieces in k lines; back[k][j]: where
    # the k-th line starts.
    cost = [[inf] * (n + 1) for _ in range(most + 1)]
    back = [[0] * (n + 1) for _ in range(most + 1)]
    cost[0][0] = 0.0
    for k in range(1, most + 1):
        for j in range(1, n + 1):
            for i in range(k - 1, j):
                if cost[k - 1][i] == inf:
                    continue
                line = "".join(pieces[i:j]).strip()
                if span[i][j] > width or _is_scrap(line, last=j == n):
                    continue
                slack = (width - span[i][j]) / width
                total = cost[k - 1][i] + slack * slack + _break_cost(line, last=j == n)
                if total < cost[k][j] - 1e-12:
                    cost[k][j], back[k][j] = total, i
    chosen = min(range(count, most + 1), key=lambda k: cost[k][n] + _EXTRA_LINE * (k - count))
    if cost[chosen][n] == inf:
        return greedy
    lines, end = [], n
    for k in range(chosen, 0, -1):
        start = back[k][end]
        lines.append("".join(pieces[start:end]).rstrip())
        end = start
    return lines[::-1]


def _break_cost(line: str, *, last: bool) -> float:
    if last or line[-1:] in _PHRASE_END:
        return 0.0
    if line[-1:] in "-‐–/":  # "Five- / Year": allowed, but a headline avoids it
        return _UNPHRASED_COST["hyphen"]
    han = "\u3400" <= line[-1:] <= "\u9fff"
    return _UNPHRASED_COST["han" if han else "other"]


def _span_widths(pieces: tuple[str, ...], measure: Measure) -> list[list[float]]:
    """span[i][j]: the drawn width of pieces i..j-1 as one line (trailing space off)."""
    n = len(pieces)
    span = [[0.0] * (n + 1) for _ in range(n + 1)]
    for i in range(n):
        for j in range(i + 1, n + 1):
            span[i][j] = measure("".join(pieces[i:j]).rstrip())
    return span


def _is_scrap(line: str, *, last: bool) -> bool:
    visible = "".join(line.split())
    return len(visible) <= 2 or (last and is_short_line(line))
