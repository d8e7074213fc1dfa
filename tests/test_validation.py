"""The config validator (syndicator/validation.py): a parsed TOML table becomes frozen
dataclasses, and every problem is reported at once with its key path, in the form
``syndicator check`` prints (``sources[1].every: ...``)."""

from __future__ import annotations

import dataclasses
import pickle
import subprocess
import sys
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any, Literal

import pytest

from syndicator.config import (
    Config,
    FiltersConfig,
    ServiceConfig,
    SourceConfig,
    TargetConfig,
    parse_config,
)
from syndicator.errors import ConfigError
from syndicator.validation import Invalid, Validated, extra_keys, from_dict, rules


@dataclass(frozen=True, kw_only=True)
class Inner(Validated):
    label: str = "x"
    tags: list[str] = field(default_factory=list, metadata=rules(min_length=1))


@dataclass(frozen=True, kw_only=True)
class Sample(Validated):
    name: str = field(metadata=rules(min_length=1))
    count: int = field(default=1, metadata=rules(ge=1, le=10))
    size: int | None = field(default=None, metadata=rules(gt=0))
    flag: bool = False
    mode: Literal["a", "b", "c"] = "a"
    wait: timedelta = timedelta(seconds=5)
    where: Path = Path(".")
    inner: Inner = field(default_factory=Inner)
    inners: list[Inner] = field(default_factory=list)
    labels: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True, kw_only=True)
class Open(Validated):
    name: str
    rest: dict[str, Any] = field(default_factory=dict, metadata=extra_keys())


@dataclass(frozen=True, kw_only=True)
class BadRules(Validated):
    mode: Literal["a"] = field(default="a", metadata=rules(ge=1))


def _problems(cls: type, raw: dict[str, Any]) -> list[str]:
    with pytest.raises(Invalid) as raised:
        from_dict(cls, raw)
    return [str(problem) for problem in raised.value.problems]


def test_a_valid_table_becomes_the_dataclass_with_its_values_converted() -> None:
    sample = from_dict(
        Sample,
        {
            "name": "n",
            "count": 3,
            "flag": True,
            "mode": "b",
            "wait": "1h30m",
            "where": "out/cards",
            "inner": {"label": "y", "tags": ["t"]},
            "inners": [{"label": "z"}],
            "labels": {"k": "v"},
        },
    )
    assert sample == Sample(
        name="n",
        count=3,
        flag=True,
        mode="b",
        wait=timedelta(hours=1, minutes=30),
        where=Path("out/cards"),
        inner=Inner(label="y", tags=["t"]),
        inners=[Inner(label="z")],
        labels={"k": "v"},
    )
    with pytest.raises(dataclasses.FrozenInstanceError):
        sample.name = "other"  # type: ignore[misc]


def test_missing_keys_take_their_defaults_and_mutable_defaults_are_not_shared() -> None:
    first, second = from_dict(Sample, {"name": "a"}), from_dict(Sample, {"name": "b"})
    assert first.count == 1 and first.wait == timedelta(seconds=5) and first.inner == Inner()
    assert first.inners is not second.inners
    assert first.inner.tags is not second.inner.tags


def test_every_problem_is_collected_with_its_key_path_and_list_index() -> None:
    problems = _problems(
        Sample,
        {
            "name": "n",
            "count": 0,
            "mode": "z",
            "colour": "red",
            "inner": {"tags": ["ok", 7], "shade": 1},
            "inners": [{"label": "fine"}, {"label": 2}],
        },
    )
    assert problems == [
        "count: must be at least 1 (got 0)",
        "mode: expected 'a', 'b' or 'c' (got 'z')",
        "colour: unknown key",
        "inner.tags[1]: expected a string (got 7)",
        "inner.shade: unknown key",
        "inners[1].label: expected a string (got 2)",
    ]


def test_a_required_key_that_is_missing_is_reported_by_name() -> None:
    assert _problems(Sample, {"count": 2}) == ["name: required key missing"]
    assert from_dict(Sample, {"inners": [{}], "name": "n"}).inners == [Inner()]  # no required key
    problems = _problems(Config, {"sources": [{"name": "a", "url": "https://a/"}, {"name": "b"}]})
    assert problems == ["sources[1].url: required key missing"]


def test_wrong_types_name_the_expected_type_and_quote_the_value_given() -> None:
    problems = _problems(
        Sample,
        {"name": 5, "count": "3", "flag": "yes", "where": 1, "inner": "x", "labels": {"k": 1}},
    )
    assert problems == [
        "name: expected a string (got 5)",
        "count: expected an integer (got '3')",
        "flag: expected true or false (got 'yes')",
        "where: expected a path (got 1)",
        "inner: expected a table (got 'x')",
        "labels.k: expected a string (got 1)",
    ]


def test_a_list_or_table_given_in_the_wrong_place_is_not_quoted() -> None:
    assert _problems(Sample, {"name": ["a", "b"]}) == ["name: expected a string"]
    assert _problems(Sample, {"name": "n", "count": {"x": 1}}) == ["count: expected an integer"]


def test_booleans_and_integers_are_strict() -> None:
    assert _problems(Sample, {"name": "n", "flag": 1}) == ["flag: expected true or false (got 1)"]
    assert _problems(Sample, {"name": "n", "count": True}) == [
        "count: expected an integer (got True)"
    ]
    assert _problems(Sample, {"name": "n", "count": 2.0}) == [
        "count: expected an integer (got 2.0)"
    ]


def test_bounds_are_checked_on_both_sides_and_optional_fields_accept_absence() -> None:
    assert _problems(Sample, {"name": "n", "count": 11}) == ["count: must be at most 10 (got 11)"]
    assert _problems(Sample, {"name": "n", "size": 0}) == ["size: must be greater than 0 (got 0)"]
    assert _problems(Sample, {"name": ""}) == ["name: must not be empty (got '')"]
    assert _problems(Sample, {"name": "n", "inner": {"tags": [""]}}) == [
        "inner.tags[0]: must not be empty (got '')"
    ]
    assert from_dict(Sample, {"name": "n", "size": 1}).size == 1
    assert from_dict(Sample, {"name": "n"}).size is None


def test_durations_accept_the_config_forms_and_name_them_when_wrong() -> None:
    assert from_dict(Sample, {"name": "n", "wait": 90}).wait == timedelta(seconds=90)
    assert from_dict(Sample, {"name": "n", "wait": "2h"}).wait == timedelta(hours=2)
    assert _problems(Sample, {"name": "n", "wait": "soon"}) == [
        "wait: expected a duration like 90s, 10m, 2h or 1d, got 'soon'"
    ]
    assert _problems(Sample, {"name": "n", "wait": True}) == [
        "wait: expected a duration like 90s, 10m, 2h or 1d (got True)"
    ]


def test_a_class_with_an_extra_keys_field_keeps_undeclared_keys_instead_of_refusing_them() -> None:
    assert from_dict(Open, {"name": "n", "path": "out", "level": 2}).rest == {
        "path": "out",
        "level": 2,
    }
    assert _problems(Sample, {"name": "n", "path": "out"}) == ["path: unknown key"]


def test_a_target_keeps_its_adapter_keys_and_hands_them_to_the_adapter() -> None:
    target = from_dict(
        TargetConfig,
        {
            "name": "t",
            "adapter": "outbox",
            "path": "out",
            "visibility": "unlisted",
            "approve": True,
        },
    )
    assert target.adapter_options == {"path": "out", "visibility": "unlisted"}
    assert target.approve is True
    assert TargetConfig(name="t", adapter="outbox").adapter_options == {}
    assert dataclasses.replace(target, name="u").adapter_options == target.adapter_options
    assert _problems(Config, {"targets": [{"name": "t", "adapter": "x", "max_attempts": 0}]}) == [
        "targets[0].max_attempts: must be at least 1 (got 0)"
    ]


def test_every_section_but_targets_refuses_unknown_keys() -> None:
    raw = {
        "store": {"path": "x"},
        "service": {"port": 1},
        "fetch": {"retries": 2},
        "sources": [{"name": "a", "url": "https://a/", "selectors": {"lead": "p"}}],
        "targets": [{"name": "t", "adapter": "x", "filters": {"keywords": ["a"]}}],
        "extra": 1,
    }
    assert _problems(Config, raw) == [
        "store.path: unknown key",
        "service.port: unknown key",
        "fetch.retries: unknown key",
        "sources[0].selectors.lead: unknown key",
        "targets[0].filters.keywords: unknown key",
        "extra: unknown key",
    ]


def test_field_checks_run_once_per_list_item_and_name_the_item(tmp_path: Path) -> None:
    raw = {
        "targets": [
            {"name": "t", "adapter": "x", "filters": {"include_regex": ["ok", "(a)\\1", "("]}}
        ]
    }
    with pytest.raises(ConfigError) as raised:
        parse_config(raw, path=tmp_path / "s.toml")
    problems = raised.value.problems
    assert [p.split(": ")[1] for p in problems] == [
        "targets[0].filters.include_regex[1]",
        "targets[0].filters.include_regex[2]",
    ]
    assert all(p.startswith(f"{tmp_path / 's.toml'}: ") and "RE2" in p for p in problems)


def test_the_config_checks_zones_addresses_urls_first_run_and_windows() -> None:
    raw = {
        "service": {"timezone": "Mars/Olympus", "http": "0.0.0.0:9300", "log_level": "LOUD"},
        "sources": [{"name": "a", "url": "ftp://a/", "first_run": "all", "kind": "rss"}],
        "targets": [{"name": "t", "adapter": "x", "quiet_hours": "25:00-07:00"}],
    }
    problems = _problems(Config, raw)
    assert [p.split(":")[0] for p in problems] == [
        "service.timezone",
        "service.http",
        "service.log_level",
        "sources[0].url",
        "sources[0].first_run",
        "sources[0].kind",
        "targets[0].quiet_hours",
    ]
    assert "loopback" in problems[1]
    assert "expected 'DEBUG', 'INFO', 'WARNING' or 'ERROR'" in problems[2]
    assert "expected 'feed' or 'html'" in problems[5]


def test_direct_construction_runs_the_same_checks_and_conversions() -> None:
    with pytest.raises(ValueError, match=r"http: must be a loopback address"):
        ServiceConfig(http="0.0.0.0:9300")
    with pytest.raises(ValueError, match=r"exclude_regex\[0\]: .*RE2"):
        FiltersConfig(exclude_regex=["(?=x)"])
    with pytest.raises(ValueError, match=r"name: must not be empty.*; every: expected a duration"):
        SourceConfig(url="https://a/", every="soon", name="")  # type: ignore[arg-type]
    source = SourceConfig(name="a", url="https://a/", every="15m", selectors={"title": "h1"})  # type: ignore[arg-type]
    assert source.every == timedelta(minutes=15)
    assert source.selectors.title == "h1"
    assert FiltersConfig(include=["x"]).include == ["x"]


def test_a_loaded_config_equals_one_built_directly_and_survives_pickling() -> None:
    loaded = from_dict(Config, {"sources": [{"name": "a", "url": "https://a/", "every": "1m"}]})
    assert loaded == Config(sources=[SourceConfig(name="a", url="https://a/", every="1m")])  # type: ignore[arg-type]
    assert pickle.loads(pickle.dumps(loaded)) == loaded


def test_rules_on_a_type_they_cannot_apply_to_is_a_programming_error() -> None:
    with pytest.raises(TypeError, match="rules"):
        from_dict(BadRules, {})


def test_importing_the_config_does_not_import_pydantic() -> None:
    code = "import sys, syndicator.config; print('pydantic' in sys.modules)"
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "False"
