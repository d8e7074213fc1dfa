"""``syndicator why URL``: for an article that was not delivered, every target says
what happened and why, from the post log alone: baseline, too old, filtered by a rule,
quiet hours until T, rate limited until T, held for approval, duplicate of article Y."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import pytest

from syndicator.cli import main
from syndicator.delivery import drain
from syndicator.engine import Engine
from tests.platform import fixtures
from tests.platform.scenario import START, article, open_clocked, queue, target

platform = fixtures.platform
platform_adapters = fixtures.platform_adapters

SUBJECT = article(5, title="Solar Car Team Crosses the Gobi Desert")


def _baseline(engine: Engine, platform) -> None:  # type: ignore[no-untyped-def]
    queue(engine, [SUBJECT], first_poll=True)


def _too_old(engine: Engine, platform) -> None:  # type: ignore[no-untyped-def]
    queue(engine, [SUBJECT.with_changes(published=START - timedelta(days=3))])


def _plain(engine: Engine, platform) -> None:  # type: ignore[no-untyped-def]
    queue(engine, [SUBJECT])
    drain(engine)


def _rate_limited(engine: Engine, platform) -> None:  # type: ignore[no-untyped-def]
    reset = (START + timedelta(minutes=10)).isoformat()
    platform.script("t", (429, {"X-RateLimit-Reset": reset}, {"error": "Too many requests"}))
    _plain(engine, platform)


def _duplicate(engine: Engine, platform) -> None:  # type: ignore[no-untyped-def]
    queue(engine, [article(4, title="Solar car team crosses the Gobi desert.")])
    drain(engine)
    _plain(engine, platform)


CASES: dict[str, tuple[dict[str, object], Callable[..., None], str, str]] = {
    "baseline": ({}, _baseline, "skipped", "baseline: recorded on the source's first poll"),
    "too old": ({"max_age": "2d"}, _too_old, "skipped", "too old: published 2026-11-17 02:00 UTC"),
    "filtered": (
        {"filters": {"exclude": ["gobi"]}},
        _plain,
        "skipped",
        "filtered: contains excluded keyword 'gobi'",
    ),
    "quiet hours": (
        {"quiet_hours": "00:00-06:00"},
        _plain,
        "pending",
        "quiet hours (00:00-06:00) until 2026-11-20 06:00:00 UTC",
    ),
    "rate limited": ({}, _rate_limited, "retry", "rate limited until 2026-11-20 02:10:00 UTC"),
    "held": ({"approve": True}, _plain, "held", "held for approval"),
    "duplicate": (
        {},
        _duplicate,
        "skipped",
        "duplicate of article #1 (https://news.example.edu/2026-11/20/c_4.htm)",
    ),
}


@pytest.mark.parametrize("case", list(CASES))
def test_why_names_the_reason_an_article_was_not_delivered(
    case: str, tmp_path: Path, platform, capsys: pytest.CaptureFixture[str]
) -> None:  # type: ignore[no-untyped-def]
    keys, setup, state, reason = CASES[case]
    engine = open_clocked(tmp_path, target("t", platform.url, **keys))
    setup(engine, platform)
    assert SUBJECT.url not in platform.links("t")
    config = str(tmp_path / "syndicator.toml")
    capsys.readouterr()
    assert main(["why", "-c", config, SUBJECT.url]) == 0
    text = capsys.readouterr().out
    line = next(line for line in text.splitlines() if line.strip().startswith("t "))
    assert line.split()[1] == state
    assert reason in line
    assert main(["why", "-c", config, "--json", SUBJECT.url]) == 0
    report = json.loads(capsys.readouterr().out)
    [entry] = report["targets"]
    assert entry["state"] == state and reason in entry["why"]
    assert entry["events"], "the history behind the answer is shown too"


def test_why_says_when_a_target_does_not_take_the_source_or_the_url_is_unknown(
    tmp_path: Path, platform, capsys: pytest.CaptureFixture[str]
) -> None:  # type: ignore[no-untyped-def]
    body = target("t", platform.url) + target("elsewhere", platform.url, sources=[])
    engine = open_clocked(tmp_path, body)
    queue(engine, [SUBJECT])
    config = str(tmp_path / "syndicator.toml")
    assert main(["why", "-c", config, SUBJECT.url]) == 0
    assert "the target does not take this article's source" in capsys.readouterr().out
    assert main(["why", "-c", config, "https://news.example.edu/never-seen.htm"]) == 1
    assert "not in the post log" in capsys.readouterr().out
