"""The command line as a user runs it: real subprocesses, a real local news site."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from syndicator.demo.site import NEW_ARTICLE, SampleSite
from tests.engine_helpers import OUTBOX_TARGETS, list_source, write_config


def run(
    *args: str, cwd: Path | None = None, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "syndicator", *args],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=cwd,
        env={**os.environ, **(env or {})},
    )


@pytest.fixture
def site() -> Iterator[SampleSite]:
    with SampleSite() as running:
        yield running


def test_version_and_help() -> None:
    assert run("--version").stdout.startswith("syndicator ")
    result = run("--help")
    assert result.returncode == 0
    for command in ("check", "poll", "run", "post", "preview", "log", "init", "demo", "why"):
        assert command in result.stdout


def test_check_exits_2_listing_every_error(tmp_path: Path) -> None:
    path = write_config(
        tmp_path,
        '[[sources]]\nname = "a"\nurl = "ftp://x"\nevery = "often"\n\n'
        '[[targets]]\nname = "t"\nadapter = "outbox"\nbogus = 1\n',
    )
    result = run("check", "-c", str(path))
    assert result.returncode == 2
    assert "sources[0].url" in result.stderr
    assert "sources[0].every" in result.stderr


def test_check_reports_adapter_key_errors_with_exit_2(tmp_path: Path) -> None:
    path = write_config(tmp_path, '[[targets]]\nname = "t"\nadapter = "outbox"\nbogus = 1\n')
    result = run("check", "-c", str(path))
    assert result.returncode == 2
    assert "targets[0].bogus: unknown key" in result.stderr


def test_check_accepts_the_config_from_the_environment(tmp_path: Path) -> None:
    path = write_config(tmp_path, OUTBOX_TARGETS)
    result = run("check", env={"SYNDICATOR_CONFIG": str(path)}, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "ok" in result.stdout


def test_poll_print_new_prints_url_tab_title_on_stdout_only(
    tmp_path: Path, site: SampleSite
) -> None:
    path = write_config(tmp_path, list_source(site.url) + OUTBOX_TARGETS)
    result = run("poll", "--all", "--print-new", "-c", str(path))
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert len(lines) == 3
    urls = {line.split("\t")[0] for line in lines}
    assert urls == {site.url + a.path for a in site.articles}
    assert all("\t" in line for line in lines)
    assert "polled 1 source" in result.stderr


def test_log_json_lists_deliveries_with_their_fields(tmp_path: Path, site: SampleSite) -> None:
    path = write_config(tmp_path, list_source(site.url) + OUTBOX_TARGETS)
    assert run("poll", "-c", str(path)).returncode == 0
    site.publish(NEW_ARTICLE)
    assert run("poll", "--all", "-c", str(path)).returncode == 0
    result = run("log", "--json", "--state", "sent", "-c", str(path))
    entries = json.loads(result.stdout)
    assert len(entries) == 2
    for entry in entries:
        for key in (
            "id",
            "article_url",
            "article_title",
            "target",
            "state",
            "text",
            "remote_url",
            "attempts",
            "error",
            "created_at",
            "sent_at",
        ):
            assert key in entry
        assert entry["state"] == "sent"
        assert entry["article_url"] == site.url + NEW_ARTICLE.path
        assert entry["remote_url"].startswith("file://")
    only_a = json.loads(
        run("log", "--json", "--target", "box-a", "--limit", "1", "-c", str(path)).stdout
    )
    assert [e["target"] for e in only_a] == ["box-a"]


def test_preview_json_shows_text_length_and_limit_without_sending(
    tmp_path: Path, site: SampleSite
) -> None:
    path = write_config(tmp_path, list_source(site.url) + OUTBOX_TARGETS)
    url = site.url + site.articles[0].path
    result = run("preview", url, "--json", "-c", str(path))
    assert result.returncode == 0, result.stderr
    items = json.loads(result.stdout)
    assert [i["target"] for i in items] == ["box-a", "box-b"]
    x_item = items[1]
    assert x_item["limit"] == 280 and 0 < x_item["length"] <= 280
    assert url in x_item["text"]
    assert "Editor:" not in x_item["text"]
    assert not (tmp_path / "outbox").exists()


def test_post_delivers_once_and_refuses_a_second_time_without_again(
    tmp_path: Path, site: SampleSite
) -> None:
    path = write_config(tmp_path, list_source(site.url) + OUTBOX_TARGETS)
    url = site.url + site.articles[0].path
    first = run("post", url, "--to", "box-a", "-c", str(path))
    assert first.returncode == 0, first.stderr
    assert "box-a: sent file://" in first.stdout
    second = run("post", url, "--to", "box-a", "-c", str(path))
    assert second.returncode == 1
    assert "already delivered" in second.stdout
    third = run("post", url, "--to", "box-a", "--again", "-c", str(path))
    assert third.returncode == 0
    assert len(list((tmp_path / "outbox" / "a").glob("*.json"))) == 2


def test_post_to_an_unknown_target_is_a_usage_error(tmp_path: Path, site: SampleSite) -> None:
    path = write_config(tmp_path, OUTBOX_TARGETS)
    result = run("post", site.url + site.articles[0].path, "--to", "nope", "-c", str(path))
    assert result.returncode == 2
    assert "no target named 'nope'" in result.stderr


def test_init_writes_a_starter_config_that_checks(tmp_path: Path) -> None:
    result = run("init", str(tmp_path / "conf"))
    assert result.returncode == 0
    assert run("check", "-c", str(tmp_path / "conf" / "syndicator.toml")).returncode == 0
    assert run("init", str(tmp_path / "conf")).returncode == 1  # no silent overwrite


def test_a_missing_config_file_is_a_clear_usage_error(tmp_path: Path) -> None:
    result = run("poll", "-c", str(tmp_path / "nope.toml"))
    assert result.returncode == 2
    assert "no such config file" in result.stderr


def test_poll_names_a_source_that_has_failed_for_days(tmp_path: Path, http_server) -> None:  # type: ignore[no-untyped-def]
    from datetime import UTC, datetime, timedelta

    from syndicator.config import load_config
    from syndicator.store import Store, polls

    gone = http_server(lambda request: (404, {}, "gone"))
    path = write_config(
        tmp_path,
        f'[[sources]]\nname = "old-feed"\nurl = "{gone.url}/feed.xml"\n' + OUTBOX_TARGETS,
    )
    store = Store(load_config(path).store_url())
    three_days_ago = datetime.now(UTC) - timedelta(days=3)
    with store.begin() as connection:
        polls.save(
            connection,
            polls.SourceState(
                name="old-feed",
                url=gone.url,
                baselined_at=three_days_ago,
                last_success_at=three_days_ago,
                failures=6,
            ),
        )
    store.close()
    result = run("poll", "--all", "-c", str(path))
    assert "source 'old-feed' has failed for days" in result.stdout
    assert "404" in result.stderr


CARD_TARGET = """
[[targets]]
name = "card"
adapter = "wechat_card"
path = "outbox/cards"
"""


def test_preview_lists_the_media_it_would_attach_with_or_without_out(
    tmp_path: Path, site: SampleSite
) -> None:
    import re

    path = write_config(tmp_path, list_source(site.url) + CARD_TARGET)
    chinese = next(a for a in site.articles if a.language == "zh")
    url = site.url + chinese.path
    plain = run("preview", url, "-c", str(path))
    assert plain.returncode == 0, plain.stderr
    folder = re.search(r"media written to (\S+)", plain.stdout)
    assert folder, plain.stdout
    listed = re.findall(r"media: (\S+)", plain.stdout)
    names = [Path(p).name.split("-", 1)[1] for p in listed]  # after the digest
    day = f"{chinese.released:%Y-%m-%d}"
    assert names == [
        f"{day}-c-{chinese.number}-poster.png",
        f"{day}-c-{chinese.number}-poster.jpg",
        f"{day}-c-{chinese.number}-cover.jpg",
    ]
    assert all(p.startswith(folder.group(1)) and Path(p).is_file() for p in listed)
    out = tmp_path / "preview-out"
    kept = run("preview", url, "--out", str(out), "-c", str(path))
    assert kept.returncode == 0, kept.stderr
    kept_names = [Path(p).name.split("-", 1)[1] for p in re.findall(r"media: (\S+)", kept.stdout)]
    assert kept_names == names
    assert sorted(p.name.split("-", 1)[1] for p in (out / "posts").iterdir()) == sorted(names)
    assert not (tmp_path / "outbox").exists()  # nothing published


def test_preview_json_is_utf8_without_escapes_whatever_the_locale(
    tmp_path: Path, site: SampleSite
) -> None:
    path = write_config(tmp_path, list_source(site.url) + CARD_TARGET)
    chinese = next(a for a in site.articles if a.language == "zh")
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "syndicator",
            "preview",
            site.url + chinese.path,
            "--json",
            "-c",
            str(path),
        ],
        capture_output=True,
        timeout=120,
        env={**os.environ, "LC_ALL": "C", "LANG": "C", "PYTHONIOENCODING": "ascii"},
    )
    assert result.returncode == 0, result.stderr.decode("utf-8", "replace")
    text = result.stdout.decode("utf-8")
    assert chinese.title in text and "\\u" not in text
    [item] = json.loads(text)
    assert item["text"].startswith(chinese.title)
    assert len(item["media"]) == 3
