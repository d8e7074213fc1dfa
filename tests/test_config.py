"""Config loading: every error names the file, the key path and what was expected."""

from __future__ import annotations

import os
import stat
from datetime import timedelta
from pathlib import Path

import pytest

from syndicator.config import load_config
from syndicator.errors import ConfigError
from syndicator.secrets import redact, resolve
from syndicator.targets import bind_targets


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "syndicator.toml"
    path.write_text(text, encoding="utf-8")
    return path


GOOD = """
[[sources]]
name = "news"
url = "https://news.example.edu/"
kind = "html"
items = "ul li a"
every = "1h30m"

[[targets]]
name = "box"
adapter = "outbox"
path = "out"
min_interval = "90s"
"""


def test_a_good_config_loads_with_durations_and_relative_paths_resolved(tmp_path: Path) -> None:
    config = load_config(_write(tmp_path, GOOD))
    assert config.sources[0].every == timedelta(hours=1, minutes=30)
    assert config.targets[0].min_interval == timedelta(seconds=90)
    assert config.store_url() == f"sqlite:///{(tmp_path / 'var' / 'syndicator.db').resolve()}"
    bound = bind_targets(config)
    assert bound["box"].adapter.folder == tmp_path / "out"  # type: ignore[attr-defined]


def test_every_problem_is_reported_with_its_file_and_key_path(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        GOOD.replace('every = "1h30m"', 'every = "soon"\ncolour = "red"').replace(
            'min_interval = "90s"', 'min_interval = "abc"'
        ),
    )
    with pytest.raises(ConfigError) as raised:
        load_config(path)
    problems = raised.value.problems
    assert any("sources[0].every" in p and "duration" in p for p in problems)
    assert any("sources[0].colour: unknown key" in p for p in problems)
    assert any("targets[0].min_interval" in p for p in problems)
    assert all(str(path.resolve()) in p for p in problems)


def test_an_unknown_adapter_key_is_an_error_naming_the_target(tmp_path: Path) -> None:
    config = load_config(
        _write(tmp_path, GOOD.replace('path = "out"', 'path = "out"\npaht = "typo"'))
    )
    with pytest.raises(ConfigError) as raised:
        bind_targets(config)
    assert any("targets[0].paht: unknown key" in p for p in raised.value.problems)


def test_an_unknown_adapter_lists_the_installed_ones(tmp_path: Path) -> None:
    config = load_config(
        _write(tmp_path, GOOD.replace('adapter = "outbox"', 'adapter = "myspace"'))
    )
    with pytest.raises(ConfigError) as raised:
        bind_targets(config)
    assert "unknown adapter 'myspace'" in raised.value.problems[0]
    assert "outbox" in raised.value.problems[0]


def test_a_secret_written_in_the_config_is_refused(tmp_path: Path) -> None:
    text = GOOD + '[targets.secrets]\naccess_token = "abc123"\n'
    with pytest.raises(ConfigError) as raised:
        load_config(_write(tmp_path, text))
    assert "targets[0].secrets.access_token" in str(raised.value)
    assert "abc123" not in str(raised.value)


def test_targets_must_name_known_sources(tmp_path: Path) -> None:
    text = GOOD.replace('adapter = "outbox"', 'adapter = "outbox"\nsources = ["nwes"]')
    with pytest.raises(ConfigError, match=r"targets\[0\]\.sources\[0\]: no source is named 'nwes'"):
        load_config(_write(tmp_path, text))


def test_a_name_used_twice_is_reported_at_its_second_use(tmp_path: Path) -> None:
    twice = GOOD + GOOD.replace(
        'url = "https://news.example.edu/"', 'url = "https://b.example.edu/"'
    )
    with pytest.raises(ConfigError) as raised:
        load_config(_write(tmp_path, twice))
    problems = raised.value.problems
    assert any("sources[1].name: 'news' is used twice" in p for p in problems)
    assert any("targets[1].name: 'box' is used twice" in p for p in problems)
    assert not any("sources[0].name" in p or "targets[0].name" in p for p in problems)


def test_an_html_source_needs_a_selector_or_a_pattern(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="needs 'items'"):
        load_config(_write(tmp_path, GOOD.replace('items = "ul li a"', "")))


def test_a_link_pattern_must_be_a_valid_expression(tmp_path: Path) -> None:
    text = GOOD.replace('items = "ul li a"', "link_pattern = '(unclosed'")
    with pytest.raises(ConfigError, match=r"sources\[0\]\.link_pattern"):
        load_config(_write(tmp_path, text))


def test_invalid_toml_names_the_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_config(_write(tmp_path, "[store\n"))


def test_secrets_resolve_from_the_environment_and_files_and_are_redacted(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setenv("SYND_TEST_TOKEN", "tok-from-env-123")
    assert resolve("env:SYND_TEST_TOKEN", where="targets[0].secrets.t") == "tok-from-env-123"
    secret_file = tmp_path / "token"
    secret_file.write_text("tok-from-file-456\n")
    os.chmod(secret_file, stat.S_IRUSR | stat.S_IWUSR | stat.S_IROTH)
    assert resolve(f"file:{secret_file}", where="targets[0].secrets.t") == "tok-from-file-456"
    assert "readable by other users" in caplog.text
    assert redact("Bearer tok-from-env-123 and tok-from-file-456") == "Bearer *** and ***"


def test_a_missing_environment_secret_names_the_key_not_the_value(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("SYND_NOT_SET", raising=False)
    with pytest.raises(
        ConfigError, match=r"targets\[1\]\.secrets\.bot_token: environment variable SYND_NOT_SET"
    ):
        resolve("env:SYND_NOT_SET", where="targets[1].secrets.bot_token")


def test_the_shipped_example_config_is_valid() -> None:
    config = load_config(Path(__file__).parents[1] / "config" / "syndicator.toml")
    bind_targets(config)
    assert config.sources[0].url == "https://english.bit.edu.cn/"
