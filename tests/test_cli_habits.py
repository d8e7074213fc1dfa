"""The command line keeps its word: options anywhere, a clear message and exit 2 for
every user mistake (never a traceback), quiet ends on a closed pipe, hints that work.
Real subprocesses against a real local news site."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from syndicator.demo.site import SampleSite
from tests.engine_helpers import OUTBOX_TARGETS, list_source, write_config


def run(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(
        [sys.executable, "-m", "syndicator", *args],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=cwd,
        env={**os.environ, "COLUMNS": "100"},
    )
    assert "Traceback" not in result.stderr, result.stderr
    return result


def closed_pipe(*args: str) -> subprocess.CompletedProcess[str]:
    """Run with stdout a pipe its reader has already closed (``... | head -0``)."""
    read_end, write_end = os.pipe()
    os.close(read_end)
    try:
        result = subprocess.run(
            [sys.executable, "-m", "syndicator", *args],
            stdout=write_end,
            stderr=subprocess.PIPE,
            text=True,
            timeout=120,
        )
    finally:
        os.close(write_end)
    return subprocess.CompletedProcess(result.args, result.returncode, "", result.stderr)


@pytest.fixture(scope="module")
def polled(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, SampleSite]]:
    """A post log with a baseline of the sample site and one article sent."""
    folder = tmp_path_factory.mktemp("cli")
    with SampleSite() as site:
        path = write_config(folder, list_source(site.url, first_run="backfill:1") + OUTBOX_TARGETS)
        assert run("poll", "-c", str(path)).returncode == 0
        yield path, site


@pytest.mark.parametrize(
    "words",
    [
        ["-c", "{path}", "-q", "log", "--limit", "1"],
        ["log", "--limit", "1", "-c", "{path}", "-q"],
        ["-q", "log", "-c", "{path}", "--limit", "1"],
    ],
    ids=["before", "after", "mixed"],
)
def test_global_options_are_accepted_before_and_after_the_command(
    polled: tuple[Path, SampleSite], words: list[str]
) -> None:
    path, _ = polled
    result = run(*(w.format(path=path) for w in words))
    assert result.returncode == 0, result.stderr
    assert re.search(r"^#\d+ ", result.stdout, re.M)
    assert result.stderr == ""  # -q took effect wherever it was written


@pytest.mark.parametrize(
    ("words", "message"),
    [
        (["log", "--state", "bogus"], "invalid choice: 'bogus'"),
        (["log", "--limit", "0"], "expected 1 or more"),
        (["log", "--limit", "many"], "expected a whole number"),
        (["log", "--since", "last tuesday"], "expected a date"),
        (["retry", "abc"], "expected a whole number"),
        (["resolve", "1"], "one of the arguments --sent --not-sent is required"),
        (["frobnicate"], "invalid choice: 'frobnicate'"),
        (["retry", "9999"], "#9999: no such delivery"),
        (["resolve", "9999", "--not-sent"], "#9999: no such delivery"),
        (["post", "http://127.0.0.1:9/x", "--to", "nope"], "no target named 'nope'"),
        (["log", "--json", "--csv"], "not allowed with argument"),
    ],
)
def test_a_user_mistake_is_a_clear_message_and_exit_2(
    polled: tuple[Path, SampleSite], words: list[str], message: str
) -> None:
    path, _ = polled
    result = run(*words, "-c", str(path))
    assert result.returncode == 2
    assert message in result.stdout + result.stderr


def test_a_folder_that_cannot_be_made_is_a_message_not_a_traceback(tmp_path: Path) -> None:
    (tmp_path / "a-file").write_text("")
    result = run("init", str(tmp_path / "a-file" / "conf"))
    assert result.returncode == 1
    assert result.stderr.startswith("error: Not a directory: ")


def test_a_missing_config_is_exit_2_whatever_the_command(tmp_path: Path) -> None:
    for command in ("check", "log", "status", "poll"):
        result = run(command, "-c", str(tmp_path / "none.toml"))
        assert result.returncode == 2
        assert "no such config file" in result.stderr


@pytest.mark.parametrize(
    "words", [["log"], ["log", "--json"], ["log", "--csv"], ["status"], ["why", "--json"]]
)
def test_a_closed_pipe_ends_quietly(polled: tuple[Path, SampleSite], words: list[str]) -> None:
    path, site = polled
    if words[0] == "why":
        words = ["why", site.url + site.articles[0].path, "--json"]
    result = closed_pipe(*words, "-q", "-c", str(path))
    assert result.returncode == 1
    assert result.stderr == ""


def test_init_prints_a_hint_that_works(tmp_path: Path) -> None:
    result = run("init", str(tmp_path / "my conf"))
    assert result.returncode == 0
    hint = result.stdout.split("then run: ", 1)[1].strip()
    assert hint.startswith("syndicator -c ") and hint.endswith(" check")
    import shlex

    words = shlex.split(hint)[1:]
    assert run(*words).returncode == 0


def test_a_poll_summary_says_what_was_recorded_baselined_planned_held_and_sent(
    tmp_path: Path,
) -> None:
    with SampleSite() as site:
        held = OUTBOX_TARGETS.replace('rule = "x"', 'rule = "x"\napprove = true')
        path = write_config(tmp_path, list_source(site.url, first_run="backfill:1") + held)
        first = run("poll", "-c", str(path))
        assert first.returncode == 0, first.stderr
        assert (
            "polled 1 source(s): 0 unchanged, 0 failed; recorded 3 new article(s): "
            "2 baselined (recorded, not posted), 1 delivery(ies) to send, "
            "1 held for approval; sent 1, retrying 0, failed 0"
        ) in first.stdout
        again = run("poll", "--all", "-c", str(path))
        assert "recorded 0 new article(s); nothing sent" in again.stdout


def test_a_baseline_poll_does_not_read_as_posts_planned(tmp_path: Path) -> None:
    with SampleSite() as site:
        path = write_config(tmp_path, list_source(site.url) + OUTBOX_TARGETS)
        result = run("poll", "-c", str(path))
    assert "recorded 3 new article(s): 3 baselined (recorded, not posted); nothing sent" in (
        result.stdout
    )
    assert "planned" not in result.stdout


def test_log_is_cut_to_100_columns_when_the_terminal_width_is_unknown(
    polled: tuple[Path, SampleSite],
) -> None:
    path, _ = polled
    env = {k: v for k, v in os.environ.items() if k != "COLUMNS"}
    result = subprocess.run(
        [sys.executable, "-m", "syndicator", "log", "-c", str(path)],
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
    )
    widths = [len(line) for line in result.stdout.splitlines()]
    assert max(widths) == 100
    assert any(line.endswith("…") for line in result.stdout.splitlines())


def test_every_command_is_in_the_readme_command_table() -> None:
    from syndicator.cli import _COMMANDS

    readme = (Path(__file__).parents[1] / "README.md").read_text(encoding="utf-8")
    table = readme.split("## Command line", 1)[1].split("\n## ", 1)[0]
    missing = [
        name
        for name in _COMMANDS
        if f"`syndicator {name}" not in table and f"`{name} " not in table
    ]
    assert missing == []
