"""``syndicator check`` finds every problem in one run: shapes and references
together, each adapter's own keys, selectors and expressions compiled, every secret
resolved; and it refuses what would misbehave later (``every = "0s"``, ``every = 600``)."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from syndicator.checks import diagnose
from tests.engine_helpers import write_config

SOURCE = """
[[sources]]
name = "news"
url = "https://news.example.edu/list/"
kind = "html"
items = "ul.news li a"
"""

MASTODON = """
[[targets]]
name = "toots"
adapter = "mastodon"
instance = "https://social.example.edu"
[targets.secrets]
access_token = "{reference}"
"""


def check(path: Path) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(
        [sys.executable, "-m", "syndicator", "check", "-c", str(path)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert "Traceback" not in result.stderr, result.stderr
    return result


def test_shape_and_reference_problems_are_listed_together_in_one_run(tmp_path: Path) -> None:
    path = write_config(
        tmp_path,
        SOURCE.replace('items = "ul.news li a"', 'items = "ul..news li a["\nevery = 600')
        + '\n[[targets]]\nname = "box"\nadapter = "outbox"\npath = "out"\n'
        'sources = ["missing-source"]\nmin_interval = "soon"\npaht = "typo"\n',
    )
    result = check(path)
    assert result.returncode == 2
    where = str(path.resolve())
    expected = [
        f"{where}: sources[0].every: expected a duration string with a unit",
        f"{where}: sources[0].items: invalid CSS selector 'ul..news li a['",
        f"{where}: targets[0].min_interval: expected a duration",
        f"{where}: targets[0].sources[0]: no source is named 'missing-source' (known: news)",
        f"{where}: targets[0].paht: unknown key",
    ]
    for line in expected:
        assert line in result.stderr


@pytest.mark.parametrize(
    ("every", "message"),
    [
        ('"0s"', "sources[0].every: must be at least 10s"),
        ('"9s"', "sources[0].every: must be at least 10s"),
        ("600", "sources[0].every: expected a duration string with a unit"),
        ("10.5", "sources[0].every: expected a duration string with a unit"),
        ('"soon"', "sources[0].every: expected a duration like 90s"),
    ],
)
def test_every_must_be_a_duration_string_of_ten_seconds_or_more(
    tmp_path: Path, every: str, message: str
) -> None:
    path = write_config(tmp_path, SOURCE + f"every = {every}\n")
    assert any(message in p for p in diagnose(path).problems)


def test_ten_seconds_is_accepted(tmp_path: Path) -> None:
    assert diagnose(write_config(tmp_path, SOURCE + 'every = "10s"\n')).problems == []


@pytest.mark.parametrize(
    "key", ['items = "a[href"', '[sources.selectors]\nbody = "div..x"', 'link_pattern = "(a"']
)
def test_selectors_and_expressions_are_compiled(tmp_path: Path, key: str) -> None:
    text = SOURCE.replace('items = "ul.news li a"', "") + key + "\n"
    problems = diagnose(write_config(tmp_path, text)).problems
    assert len(problems) == 1
    assert "CSS selector" in problems[0] or "regular expression" in problems[0]


def test_a_missing_environment_secret_is_an_error_naming_target_key_and_variable(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("SYND_CHECK_UNSET", raising=False)
    path = write_config(tmp_path, SOURCE + MASTODON.format(reference="env:SYND_CHECK_UNSET"))
    result = check(path)
    assert result.returncode == 2
    assert (
        "targets[0].secrets.access_token (target 'toots'): "
        "environment variable SYND_CHECK_UNSET is not set"
    ) in result.stderr


def test_a_missing_secret_file_is_an_error_naming_its_path(tmp_path: Path) -> None:
    path = write_config(tmp_path, SOURCE + MASTODON.format(reference="file:secrets/toots"))
    problems = diagnose(path).problems
    assert problems == [
        f"{path.resolve()}: targets[0].secrets.access_token (target 'toots'): cannot read "
        f"secret file {tmp_path.resolve() / 'secrets' / 'toots'}: No such file or directory"
    ]


def test_a_secret_file_others_can_read_is_a_warning_and_the_value_never_shows(
    tmp_path: Path,
) -> None:
    secret = tmp_path / "token"
    secret.write_text("tok-check-5678\n")
    os.chmod(secret, stat.S_IRUSR | stat.S_IWUSR | stat.S_IRGRP)
    path = write_config(tmp_path, SOURCE + MASTODON.format(reference=f"file:{secret}"))
    result = check(path)
    assert result.returncode == 0, result.stderr
    assert f"secret file {secret} is readable by other users" in result.stderr
    assert "tok-check-5678" not in result.stdout + result.stderr


def test_a_set_secret_passes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SYND_CHECK_SET", "tok-set-1234")
    path = write_config(tmp_path, SOURCE + MASTODON.format(reference="env:SYND_CHECK_SET"))
    assert diagnose(path).problems == []


def test_online_checks_each_target_and_fails_on_refused_credentials(
    tmp_path: Path, http_server, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    def handler(request):  # type: ignore[no-untyped-def]
        if "bot" + "good-token-1" in request.path:
            return 200, {}, {"ok": True, "result": {"username": "newsbot"}}
        return 401, {}, {"ok": False, "error_code": 401, "description": "Unauthorized"}

    stub = http_server(handler)
    telegram = (
        '\n[[targets]]\nname = "{name}"\nadapter = "telegram"\nchat_id = "@news"\n'
        f'base_url = "{stub.url}"\n'
        '[targets.secrets]\nbot_token = "env:{variable}"\n'
    )
    monkeypatch.setenv("SYND_TG_GOOD", "good-token-1")
    monkeypatch.setenv("SYND_TG_BAD", "bad-token-2")
    body = (
        SOURCE
        + telegram.format(name="good", variable="SYND_TG_GOOD")
        + telegram.format(name="bad", variable="SYND_TG_BAD")
        + '\n[[targets]]\nname = "box"\nadapter = "outbox"\npath = "out"\n'
    )
    path = write_config(tmp_path, body)
    result = subprocess.run(
        [sys.executable, "-m", "syndicator", "check", "--online", "-c", str(path)],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ},
    )
    assert result.returncode == 1
    assert "good: online check ok: bot @newsbot posting to @news" in result.stdout
    assert "bad: online check FAILED" in result.stdout
    assert f"box: online check ok: writes to {tmp_path / 'out'}" in result.stdout
    assert "bad-token-2" not in result.stdout + result.stderr
    assert "Traceback" not in result.stderr
