"""Loading and validating the TOML configuration.

Every problem is collected, not only the first, and each names the file, the key path
(``targets[2].min_interval``) and what was expected, so ``syndicator check`` can print a
complete list. Loading never touches the network and never resolves a secret: secrets
are references (``env:NAME``) resolved by the adapter on first use.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import Field, ValidationError

from syndicator.config_sections import (
    FetchConfig,
    FiltersConfig,
    MediaConfig,
    SelectorsConfig,
    ServiceConfig,
    SourceConfig,
    StoreConfig,
    TargetConfig,
    WebConfig,
    _Section,
)
from syndicator.config_types import backfill_count, known_zone, loopback_address
from syndicator.errors import ConfigError
from syndicator.problems import describe_errors, format_location

DEFAULT_PATH = Path("config/syndicator.toml")
ENV_VAR = "SYNDICATOR_CONFIG"

__all__ = [
    "DEFAULT_PATH",
    "ENV_VAR",
    "Config",
    "FetchConfig",
    "FiltersConfig",
    "MediaConfig",
    "Reading",
    "SelectorsConfig",
    "ServiceConfig",
    "SourceConfig",
    "StoreConfig",
    "TargetConfig",
    "WebConfig",
    "backfill_count",
    "default_config_path",
    "format_location",
    "known_zone",
    "load_config",
    "loopback_address",
    "parse_config",
    "read_config",
    "read_parsed",
    "resolve_path",
    "resolve_sqlite_url",
]


class Config(_Section):
    store: StoreConfig = StoreConfig()
    service: ServiceConfig = ServiceConfig()
    fetch: FetchConfig = FetchConfig()
    media: MediaConfig = MediaConfig()
    web: WebConfig = WebConfig()
    sources: list[SourceConfig] = Field(default_factory=list)
    targets: list[TargetConfig] = Field(default_factory=list)
    path: Path = Path("syndicator.toml")

    @property
    def base_dir(self) -> Path:
        return self.path.parent

    def source(self, name: str) -> SourceConfig:
        for source in self.sources:
            if source.name == name:
                return source
        raise KeyError(name)

    def target(self, name: str) -> TargetConfig:
        for target in self.targets:
            if target.name == name:
                return target
        raise KeyError(name)

    def store_url(self) -> str:
        """The store URL with a relative SQLite path resolved against the config's folder."""
        return resolve_sqlite_url(self.store.url, self.base_dir)

    def media_dir(self) -> Path:
        return resolve_path(self.store.media, self.base_dir)

    def targets_for(self, source_name: str) -> list[TargetConfig]:
        return [
            t for t in self.targets if t.enabled and (t.sources is None or source_name in t.sources)
        ]


def resolve_path(value: str, base_dir: Path) -> Path:
    path = Path(value).expanduser()
    return path if path.is_absolute() else (base_dir / path)


def resolve_sqlite_url(url: str, base_dir: Path) -> str:
    prefix = "sqlite:///"
    if url.startswith(prefix) and not url.startswith("sqlite:////") and url != "sqlite:///:memory:":
        return prefix + str(resolve_path(url[len(prefix) :], base_dir).resolve())
    return url


def default_config_path() -> Path:
    return Path(os.environ.get(ENV_VAR) or DEFAULT_PATH)


@dataclass(frozen=True)
class Reading:
    """A config file as far as it is valid: ``config`` holds every section and item
    that validated (a broken section stays at its defaults, a broken source or
    target is left out) and ``problems`` every problem found, shape and reference
    alike, so that one ``syndicator check`` lists them all. ``sources`` and
    ``targets`` map each valid item to its position in the file, for messages."""

    config: Config
    problems: list[str]
    sources: dict[int, SourceConfig]
    targets: dict[int, TargetConfig]
    raw: dict[str, Any]


def load_config(path: Path | str | None = None) -> Config:
    """Read and validate a config file. Raises ``ConfigError`` listing every problem."""
    reading = read_config(path)
    if reading.problems:
        raise ConfigError(reading.problems)
    return reading.config


def read_config(path: Path | str | None = None) -> Reading:
    """Read a config file and validate what can be validated; raises ``ConfigError``
    only when there is nothing to validate (no such file, not TOML)."""
    path = Path(path) if path is not None else default_config_path()
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(
            f"{path}: no such config file (create one with 'syndicator init', "
            f"or pass -c FILE or set {ENV_VAR})"
        ) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read the config file: {exc}") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from None
    return read_parsed(raw, path=path.resolve())


def parse_config(raw: dict[str, Any], *, path: Path) -> Config:
    """Validate a parsed TOML document; raises ``ConfigError`` listing every problem."""
    reading = read_parsed(raw, path=path)
    if reading.problems:
        raise ConfigError(reading.problems)
    return reading.config


_SECTIONS: dict[str, type[_Section]] = {
    "store": StoreConfig,
    "service": ServiceConfig,
    "fetch": FetchConfig,
    "media": MediaConfig,
    "web": WebConfig,
}


def read_parsed(raw: dict[str, Any], *, path: Path) -> Reading:
    """Validate each section and each source and target on its own, so a mistake in
    one never hides the problems (or the references) of the others."""
    problems: list[str] = []
    sections: dict[str, Any] = {}
    for key in raw:
        if key not in (*_SECTIONS, "sources", "targets"):
            problems.append(f"{path}: {key}: unknown key")
    for key, model in _SECTIONS.items():
        validated = _validate(model, raw.get(key, {}), (key,), problems, path)
        if validated is not None:
            sections[key] = validated
    sources = _validate_items(SourceConfig, raw, "sources", problems, path)
    targets = _validate_items(TargetConfig, raw, "targets", problems, path)
    config = Config.model_construct(
        **sections,
        sources=list(sources.values()),
        targets=list(targets.values()),
        path=path,
    )
    problems.extend(_cross_checks(raw, sources, path))
    return Reading(config, problems, sources, targets, raw)


def _validate(
    model: type[_Section],
    value: object,
    where: tuple[str | int, ...],
    problems: list[str],
    path: Path,
) -> Any:
    try:
        return model.model_validate(value)
    except ValidationError as exc:
        problems.extend(f"{path}: {line}" for line in describe_errors(exc, prefix=where))
        return None


def _validate_items(
    model: type[_Section], raw: dict[str, Any], key: str, problems: list[str], path: Path
) -> dict[int, Any]:
    items = raw.get(key, [])
    if not isinstance(items, list):
        kind = "[[sources]]" if key == "sources" else "[[targets]]"
        problems.append(f"{path}: {key}: expected a list of tables ({kind})")
        return {}
    valid = {}
    for index, item in enumerate(items):
        validated = _validate(model, item, (key, index), problems, path)
        if validated is not None:
            valid[index] = validated
    return valid


def _names(raw: dict[str, Any], key: str) -> list[tuple[int, str]]:
    """Each item's name as written, valid item or not: a source with a bad ``every``
    still exists for the targets that name it."""
    items = raw.get(key, [])
    if not isinstance(items, list):
        return []
    return [
        (index, item["name"])
        for index, item in enumerate(items)
        if isinstance(item, dict) and isinstance(item.get("name"), str)
    ]


def _cross_checks(raw: dict[str, Any], sources: dict[int, SourceConfig], where: Path) -> list[str]:
    """Names used twice, references to sources that do not exist, secrets written in
    the file and html sources that say nothing about their links, all read from the
    raw document so they are found whatever else is wrong."""
    problems: list[str] = []
    source_names = _names(raw, "sources")
    first_of: dict[str, int] = {}  # a dict, not list.index: configs have thousands
    for index, name in source_names:
        if first_of.setdefault(name, index) != index:
            problems.append(f"{where}: sources[{index}].name: {name!r} is used twice")
    known = ", ".join(name for _, name in source_names) or "none"
    target_first: dict[str, int] = {}
    for index, name in _names(raw, "targets"):
        if target_first.setdefault(name, index) != index:
            problems.append(f"{where}: targets[{index}].name: {name!r} is used twice")
    targets = raw.get("targets", [])
    for index, target in enumerate(targets if isinstance(targets, list) else []):
        if isinstance(target, dict):
            problems.extend(
                _target_references(target, f"{where}: targets[{index}]", first_of, known)
            )
    for index, source in sources.items():
        if source.kind == "html" and not (source.items or source.link_pattern):
            problems.append(
                f"{where}: sources[{index}]: an html source needs 'items' (a CSS selector "
                "of article links) or 'link_pattern' (a regular expression of article URLs)"
            )
    return problems


def _target_references(
    target: dict[str, Any], prefix: str, sources: dict[str, int], known: str
) -> list[str]:
    problems = []
    filters = target.get("filters")
    lists = [
        ("sources", target.get("sources")),
        (
            "filters.exclude_sources",
            filters.get("exclude_sources") if isinstance(filters, dict) else None,
        ),
    ]
    for key, names in lists:
        for position, name in enumerate(names if isinstance(names, list) else []):
            if isinstance(name, str) and name not in sources:
                problems.append(
                    f"{prefix}.{key}[{position}]: no source is named {name!r} (known: {known})"
                )
    secrets = target.get("secrets")
    for key, reference in secrets.items() if isinstance(secrets, dict) else []:
        if isinstance(reference, str) and not reference.startswith(("env:", "file:")):
            problems.append(
                f"{prefix}.secrets.{key}: expected 'env:NAME' or 'file:PATH' "
                "(secret values are never written in the config file)"
            )
    return problems
