"""`syndicator demo`, the embedded default: the real service against the bundled site."""

from __future__ import annotations

import json
import shlex
from pathlib import Path

import pytest

from syndicator.demo.run import run_demo
from syndicator.demo.site import NEW_ARTICLE


def test_the_demo_posts_the_backfilled_and_the_newly_published_article_once_each(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run_demo(work_dir=tmp_path, timeout=60) == 0
    posts = [json.loads(p.read_text()) for p in (tmp_path / "outbox" / "x-style").glob("*.json")]
    titles = sorted(post["title"] for post in posts)
    assert len(titles) == 2  # the newest article at start (backfill:1) and the new one
    assert NEW_ARTICLE.title in titles
    assert all(post["length"] <= 280 for post in posts)
    cards = list((tmp_path / "outbox" / "cards").glob("*-poster.png"))
    assert len(cards) == 2
    printed = capsys.readouterr().out
    assert "what was posted where" in printed
    assert str(tmp_path / "outbox") in printed
    hint = next(line for line in printed.splitlines() if line.strip().startswith("syndicator -c"))
    from syndicator.cli import main

    assert main(shlex.split(hint)[1:]) == 0  # the hint the demo prints is a working command
    assert "baseline: recorded on the source's first poll" in capsys.readouterr().out
