"""Parsed configs kept by content: a cached parse is exactly tomllib's, an edit is
never served stale, and a cache that cannot be used only means parsing again."""

from __future__ import annotations

import marshal
import shutil
import tomllib
from pathlib import Path

import pytest

from syndicator.config import load_config
from syndicator.toml_cache import CACHE_FROM, cache_dir, load_toml


def _big_config(folder: Path, title: str = "Story") -> Path:
    sources = "".join(
        f'[[sources]]\nname = "feed-{n:04d}"\nurl = "https://news{n}.example.edu/rss"\n'
        f'every = "15m"\n# {title}\n\n'
        for n in range(400)
    )
    path = folder / "syndicator.toml"
    path.write_text(sources, encoding="utf-8")
    assert len(sources) >= CACHE_FROM
    return path


@pytest.fixture(autouse=True)
def own_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    return tmp_path / "cache" / "syndicator"


def test_a_big_config_is_parsed_once_then_read_from_the_cache(
    tmp_path: Path, own_cache: Path
) -> None:
    path = _big_config(tmp_path)
    text = path.read_text(encoding="utf-8")
    first = load_toml(text, path=path)
    [entry] = own_cache.iterdir()
    assert oct(entry.stat().st_mode & 0o777) == "0o600"
    assert load_toml(text, path=path) == first == tomllib.loads(text)
    assert cache_dir() == own_cache
    entry.write_bytes(marshal.dumps({"read": "from the cache"}))  # a planted entry
    assert load_toml(text, path=path) == {"read": "from the cache"}


def test_an_edited_config_is_parsed_again_and_replaces_its_entry(
    tmp_path: Path, own_cache: Path
) -> None:
    path = _big_config(tmp_path)
    assert load_config(path).sources[0].every.total_seconds() == 900
    path.write_text(path.read_text(encoding="utf-8").replace('every = "15m"', 'every = "1h"', 1))
    assert load_config(path).sources[0].every.total_seconds() == 3600
    assert len(list(own_cache.iterdir())) == 1


def test_a_damaged_entry_or_an_unwritable_cache_only_means_parsing(
    tmp_path: Path, own_cache: Path
) -> None:
    path = _big_config(tmp_path)
    text = path.read_text(encoding="utf-8")
    load_toml(text, path=path)
    [entry] = own_cache.iterdir()
    entry.write_bytes(b"\x00garbage")
    assert load_toml(text, path=path) == tomllib.loads(text)
    shutil.rmtree(own_cache)
    own_cache.write_text("a file where the cache folder should be")  # unwritable, even for root
    other = _big_config(tmp_path, title="Other")
    assert (
        load_toml(other.read_text(encoding="utf-8"), path=other)["sources"][0]["name"]
        == "feed-0000"
    )


def test_small_configs_and_broken_toml_are_not_cached(tmp_path: Path, own_cache: Path) -> None:
    small = tmp_path / "small.toml"
    small.write_text('[[sources]]\nname = "a"\nurl = "https://a.example.edu/"\n')
    load_toml(small.read_text(), path=small)
    assert not own_cache.exists()
    broken = _big_config(tmp_path)
    broken.write_text(broken.read_text() + "[[sources]\n")
    with pytest.raises(tomllib.TOMLDecodeError):
        load_toml(broken.read_text(), path=broken)
    assert not own_cache.exists()
