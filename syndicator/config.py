"""Loading and validating the TOML configuration.

Every problem is collected, not only the first, and each names the file, the key path
(``targets[2].min_interval``) and what was expected, so ``syndicator check`` can print a
complete list. Loading never touches the network and never resolves a secret: secrets
are references (``env:NAME``) resolved by the adapter on first use.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any, Literal

from syndicator.durations import parse_window
from syndicator.errors import ConfigError
from syndicator.toml_cache import load_toml
from syndicator.validation import (
    Invalid,
    Validated,
    extra_keys,
    format_location,
    from_dict,
    rules,
)

DEFAULT_PATH = Path("config/syndicator.toml")
ENV_VAR = "SYNDICATOR_CONFIG"

__all__ = [
    "DEFAULT_PATH",
    "ENV_VAR",
    "Config",
    "FetchConfig",
    "FiltersConfig",
    "SelectorsConfig",
    "ServiceConfig",
    "SourceConfig",
    "StoreConfig",
    "TargetConfig",
    "backfill_count",
    "default_config_path",
    "format_location",
    "known_zone",
    "load_config",
    "loopback_address",
    "parse_config",
    "resolve_path",
    "resolve_sqlite_url",
]


def known_zone(value: str) -> str:
    from zoneinfo import ZoneInfo

    try:
        ZoneInfo(value)
    except Exception:
        raise ValueError(
            f"unknown time zone {value!r} (use an IANA name like Asia/Shanghai)"
        ) from None
    return value


def loopback_address(value: str) -> tuple[str, int]:
    """``"127.0.0.1:9300"`` -> ``("127.0.0.1", 9300)``. Only loopback: the metrics
    endpoint has no authentication, so it must not listen where others can reach it."""
    import ipaddress

    host, sep, port = value.rpartition(":")
    host = host.strip("[]")
    if host == "localhost":
        host = "127.0.0.1"
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        address = None
    if not sep or not port.isdigit() or int(port) > 65535 or address is None:
        raise ValueError(f"expected HOST:PORT like 127.0.0.1:9300, got {value!r}")
    if not address.is_loopback:
        raise ValueError(f"must be a loopback address (127.0.0.1 or ::1), got {value!r}")
    return host, int(port)


def backfill_count(first_run: str) -> int:
    """``"baseline"`` -> 0, ``"backfill:N"`` -> N."""
    if first_run == "baseline":
        return 0
    prefix, _, count = first_run.partition(":")
    if prefix == "backfill" and count.isdigit():
        return int(count)
    raise ValueError(f"expected 'baseline' or 'backfill:N', got {first_run!r}")


def _http_url(value: str) -> None:
    if not value.startswith(("http://", "https://")):
        raise ValueError(f"expected an http:// or https:// URL, got {value!r}")


def _re2_pattern(value: str) -> None:
    from syndicator.patterns import compile_re2

    compile_re2(value)


# Every section is a frozen dataclass checked by syndicator.validation: the type hint
# says what a key accepts, ``rules(...)`` adds bounds and a check. Constructing one
# directly (``ServiceConfig(http=...)``) runs the same checks as loading a file.


@dataclass(frozen=True, kw_only=True)
class StoreConfig(Validated):
    url: str = "sqlite:///var/syndicator.db"
    media: str = "var/media"


@dataclass(frozen=True, kw_only=True)
class ServiceConfig(Validated):
    timezone: str = field(default="UTC", metadata=rules(check=known_zone))
    # How often the service looks for what other commands changed (approve, retry,
    # post): deliveries themselves go the moment they are due, whatever this says.
    drain_every: timedelta = timedelta(seconds=2)
    jitter: timedelta = timedelta(seconds=30)
    # "127.0.0.1:9300" enables /healthz and /metrics
    http: str | None = field(default=None, metadata=rules(check=loopback_address))
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"


@dataclass(frozen=True, kw_only=True)
class FetchConfig(Validated):
    user_agent: str = "syndicator/0.1 (news syndication; +https://pypi.org/project/syndicator/)"
    timeout: timedelta = timedelta(seconds=10)
    deadline: timedelta = timedelta(seconds=30)
    max_bytes: int = field(default=10_000_000, metadata=rules(gt=0))
    max_image_bytes: int = field(default=5_000_000, metadata=rules(gt=0))
    concurrency: int = field(default=16, metadata=rules(ge=1, le=1024))
    per_host: int = field(default=2, metadata=rules(ge=1, le=256))


@dataclass(frozen=True, kw_only=True)
class WebConfig(Validated):
    # "127.0.0.1:8080" serves the dashboard from `syndicator run`; a non-loopback
    # address is refused at start-up while the store has no user.
    listen: str | None = None


@dataclass(frozen=True, kw_only=True)
class SelectorsConfig(Validated):
    title: str | None = None
    date: str | None = None
    body: str | None = None
    image: str | None = None
    remove: list[str] = field(default_factory=list)


@dataclass(frozen=True, kw_only=True)
class SourceConfig(Validated):
    name: str = field(metadata=rules(min_length=1))
    url: str = field(metadata=rules(check=_http_url))
    kind: Literal["feed", "html"] = "feed"
    every: timedelta = timedelta(minutes=10)
    items: str | None = None
    link_pattern: str | None = field(default=None, metadata=rules(check=_re2_pattern))
    first_run: str = field(default="baseline", metadata=rules(check=backfill_count))
    full_text: Literal["auto", "always", "never"] = "auto"
    timezone: str | None = None
    enabled: bool = True
    selectors: SelectorsConfig = field(default_factory=SelectorsConfig)


@dataclass(frozen=True, kw_only=True)
class FiltersConfig(Validated):
    include: list[str] = field(default_factory=list)  # keywords; one must occur (title or text)
    exclude: list[str] = field(default_factory=list)  # keywords; an article with one is skipped
    include_regex: list[str] = field(default_factory=list, metadata=rules(check=_re2_pattern))
    exclude_regex: list[str] = field(default_factory=list, metadata=rules(check=_re2_pattern))
    categories: list[str] = field(default_factory=list)  # the article must carry one of these
    exclude_categories: list[str] = field(default_factory=list)
    # Sources are chosen with the target's ``sources``; this drops some of "every source".
    exclude_sources: list[str] = field(default_factory=list)


@dataclass(frozen=True, kw_only=True)
class TargetConfig(Validated):
    """The keys every target shares. Other keys belong to the adapter, which
    validates them with its own ``Options`` model (see ``adapter_options``)."""

    name: str = field(metadata=rules(min_length=1))
    adapter: str
    sources: list[str] | None = None  # None: every source
    template: str | None = None
    hashtags: list[str] = field(default_factory=list)
    quiet_hours: str | None = field(default=None, metadata=rules(check=parse_window))
    # for quiet_hours and max_per_day; default [service] timezone
    timezone: str | None = field(default=None, metadata=rules(check=known_zone))
    min_interval: timedelta = timedelta(0)
    max_per_day: int | None = field(default=None, metadata=rules(ge=1))
    max_age: timedelta | None = None
    approve: bool = False
    on_update: Literal["ignore", "post"] = "ignore"
    enabled: bool = True
    max_attempts: int = field(default=8, metadata=rules(ge=1, le=100))
    filters: FiltersConfig = field(default_factory=FiltersConfig)
    secrets: dict[str, str] = field(default_factory=dict)
    _extra: dict[str, Any] = field(default_factory=dict, metadata=extra_keys())

    @property
    def adapter_options(self) -> dict[str, Any]:
        """The keys this class does not declare, for the adapter's ``Options``."""
        return dict(self._extra)


@dataclass(frozen=True, kw_only=True)
class Config(Validated):
    store: StoreConfig = field(default_factory=StoreConfig)
    service: ServiceConfig = field(default_factory=ServiceConfig)
    fetch: FetchConfig = field(default_factory=FetchConfig)
    web: WebConfig = field(default_factory=WebConfig)
    sources: list[SourceConfig] = field(default_factory=list)
    targets: list[TargetConfig] = field(default_factory=list)
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


def load_config(path: Path | str | None = None) -> Config:
    """Read and validate a config file. Raises ``ConfigError`` listing every problem."""
    path = Path(path) if path is not None else default_config_path()
    try:
        raw = load_toml(path.read_text(encoding="utf-8"), path=path)
    except FileNotFoundError:
        raise ConfigError(
            f"{path}: no such config file (create one with 'syndicator init', "
            f"or pass -c FILE or set {ENV_VAR})"
        ) from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from None
    return parse_config(raw, path=path.resolve())


def parse_config(raw: dict[str, Any], *, path: Path) -> Config:
    """Validate a parsed TOML document, including each target's adapter options."""
    try:
        config = from_dict(Config, {**raw, "path": path})
    except Invalid as exc:
        raise ConfigError(format_validation_errors(exc, path)) from None
    problems = _cross_checks(config)
    if problems:
        raise ConfigError(problems)
    return config


def _cross_checks(config: Config) -> list[str]:
    where = config.path
    problems: list[str] = []
    names = [s.name for s in config.sources]
    first_of: dict[str, int] = {}  # a dict, not list.index: configs have thousands
    for index, name in enumerate(names):
        if first_of.setdefault(name, index) != index:
            problems.append(f"{where}: sources[{index}].name: {name!r} is used twice")
    target_first: dict[str, int] = {}
    for index, target in enumerate(config.targets):
        prefix = f"{where}: targets[{index}]"
        if target_first.setdefault(target.name, index) != index:
            problems.append(f"{prefix}.name: {target.name!r} is used twice")
        for position, source in enumerate(target.sources or []):
            if source not in first_of:
                problems.append(
                    f"{prefix}.sources[{position}]: no source is named {source!r} "
                    f"(known: {', '.join(names) or 'none'})"
                )
        for position, source in enumerate(target.filters.exclude_sources):
            if source not in first_of:
                problems.append(
                    f"{prefix}.filters.exclude_sources[{position}]: no source is named "
                    f"{source!r} (known: {', '.join(names) or 'none'})"
                )
        for key, reference in target.secrets.items():
            if not reference.startswith(("env:", "file:")):
                problems.append(
                    f"{prefix}.secrets.{key}: expected 'env:NAME' or 'file:PATH' "
                    "(secret values are never written in the config file)"
                )
    for index, source_config in enumerate(config.sources):
        if source_config.kind == "html" and not (source_config.items or source_config.link_pattern):
            problems.append(
                f"{where}: sources[{index}]: an html source needs 'items' (a CSS selector "
                "of article links) or 'link_pattern' (a regular expression of article URLs)"
            )
    return problems


def format_validation_errors(exc: Invalid, path: Path) -> list[str]:
    """``{path}: {key path}: {message}``, one line per problem."""
    return [f"{path}: {problem}" for problem in exc.problems]
