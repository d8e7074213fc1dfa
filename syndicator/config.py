"""Loading and validating the TOML configuration.

Every problem is collected, not only the first, and each names the file, the key path
(``targets[2].min_interval``) and what was expected, so ``syndicator check`` can print a
complete list. Loading never touches the network and never resolves a secret: secrets
are references (``env:NAME``) resolved by the adapter on first use.
"""

from __future__ import annotations

import os
import tomllib
from datetime import timedelta
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError, field_validator

from syndicator.durations import parse_duration, parse_window
from syndicator.errors import ConfigError

DEFAULT_PATH = Path("config/syndicator.toml")
ENV_VAR = "SYNDICATOR_CONFIG"

Duration = Annotated[timedelta, BeforeValidator(parse_duration)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class StoreConfig(_Strict):
    url: str = "sqlite:///var/syndicator.db"
    media: str = "var/media"


class ServiceConfig(_Strict):
    timezone: str = "UTC"
    drain_every: Duration = timedelta(seconds=30)
    jitter: Duration = timedelta(seconds=30)
    http: str | None = None  # "127.0.0.1:9300" enables /healthz and /metrics
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        return known_zone(value)

    @field_validator("http")
    @classmethod
    def _loopback(cls, value: str | None) -> str | None:
        if value is not None:
            loopback_address(value)
        return value


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


class FetchConfig(_Strict):
    user_agent: str = "syndicator/0.1 (news syndication; +https://pypi.org/project/syndicator/)"
    timeout: Duration = timedelta(seconds=10)
    deadline: Duration = timedelta(seconds=30)
    max_bytes: int = Field(10_000_000, gt=0)
    max_image_bytes: int = Field(5_000_000, gt=0)
    concurrency: int = Field(16, ge=1, le=1024)
    per_host: int = Field(2, ge=1, le=256)


class SelectorsConfig(_Strict):
    title: str | None = None
    date: str | None = None
    body: str | None = None
    image: str | None = None
    remove: list[str] = []


class SourceConfig(_Strict):
    name: str = Field(min_length=1)
    url: str
    kind: Literal["feed", "html"] = "feed"
    every: Duration = timedelta(minutes=10)
    items: str | None = None
    link_pattern: str | None = None
    first_run: str = "baseline"
    full_text: Literal["auto", "always", "never"] = "auto"
    timezone: str | None = None
    enabled: bool = True
    selectors: SelectorsConfig = SelectorsConfig()

    @field_validator("url")
    @classmethod
    def _http_url(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")):
            raise ValueError(f"expected an http:// or https:// URL, got {value!r}")
        return value

    @field_validator("first_run")
    @classmethod
    def _first_run(cls, value: str) -> str:
        backfill_count(value)
        return value

    @field_validator("link_pattern")
    @classmethod
    def _pattern(cls, value: str | None) -> str | None:
        if value is not None:
            import re2

            try:
                re2.compile(value)
            except Exception as exc:
                raise ValueError(f"not a valid regular expression (RE2 syntax): {exc}") from None
        return value


class FiltersConfig(_Strict):
    include: list[str] = []  # keywords; an article must contain one (title or text)
    exclude: list[str] = []  # keywords; an article containing one is skipped
    include_regex: list[str] = []
    exclude_regex: list[str] = []
    categories: list[str] = []  # an article must carry one of these categories
    exclude_categories: list[str] = []
    # Sources are chosen with the target's ``sources``; this drops some of "every source".
    exclude_sources: list[str] = []

    @field_validator("include_regex", "exclude_regex")
    @classmethod
    def _patterns(cls, values: list[str]) -> list[str]:
        import re2

        for value in values:
            try:
                re2.compile(value)
            except Exception as exc:
                raise ValueError(f"{value!r} is not a valid RE2 expression: {exc}") from None
        return values


class TargetConfig(BaseModel):
    """The keys every target shares. Other keys belong to the adapter, which
    validates them with its own ``Options`` model."""

    model_config = ConfigDict(extra="allow", frozen=True)

    name: str = Field(min_length=1)
    adapter: str
    sources: list[str] | None = None  # None: every source
    template: str | None = None
    hashtags: list[str] = []
    quiet_hours: str | None = None
    timezone: str | None = None  # for quiet_hours and max_per_day; default [service] timezone
    min_interval: Duration = timedelta(0)
    max_per_day: int | None = Field(None, ge=1)
    max_age: Duration | None = None
    approve: bool = False
    on_update: Literal["ignore", "post"] = "ignore"
    enabled: bool = True
    max_attempts: int = Field(8, ge=1, le=100)
    filters: FiltersConfig = FiltersConfig()
    secrets: dict[str, str] = {}

    @field_validator("quiet_hours")
    @classmethod
    def _window(cls, value: str | None) -> str | None:
        if value is not None:
            parse_window(value)
        return value

    @field_validator("timezone")
    @classmethod
    def _zone(cls, value: str | None) -> str | None:
        return known_zone(value) if value is not None else None

    @property
    def adapter_options(self) -> dict[str, Any]:
        return dict(self.model_extra or {})


class Config(_Strict):
    store: StoreConfig = StoreConfig()
    service: ServiceConfig = ServiceConfig()
    fetch: FetchConfig = FetchConfig.model_validate({})
    sources: list[SourceConfig] = []
    targets: list[TargetConfig] = []
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


def backfill_count(first_run: str) -> int:
    """``"baseline"`` -> 0, ``"backfill:N"`` -> N."""
    if first_run == "baseline":
        return 0
    prefix, _, count = first_run.partition(":")
    if prefix == "backfill" and count.isdigit():
        return int(count)
    raise ValueError(f"expected 'baseline' or 'backfill:N', got {first_run!r}")


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
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
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
    problems: list[str] = []
    try:
        config = Config.model_validate({**raw, "path": path})
    except ValidationError as exc:
        raise ConfigError(format_validation_errors(exc, path)) from None
    problems.extend(_cross_checks(config))
    if problems:
        raise ConfigError(problems)
    return config


def _cross_checks(config: Config) -> list[str]:
    where = config.path
    problems: list[str] = []
    names = [s.name for s in config.sources]
    for index, name in enumerate(names):
        if names.index(name) != index:
            problems.append(f"{where}: sources[{index}].name: {name!r} is used twice")
    target_names = [t.name for t in config.targets]
    for index, target in enumerate(config.targets):
        prefix = f"{where}: targets[{index}]"
        if target_names.index(target.name) != index:
            problems.append(f"{prefix}.name: {target.name!r} is used twice")
        for position, source in enumerate(target.sources or []):
            if source not in names:
                problems.append(
                    f"{prefix}.sources[{position}]: no source is named {source!r} "
                    f"(known: {', '.join(names) or 'none'})"
                )
        for position, source in enumerate(target.filters.exclude_sources):
            if source not in names:
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


def format_validation_errors(exc: ValidationError, path: Path) -> list[str]:
    problems = []
    for error in exc.errors():
        location = format_location(error["loc"])
        message = error["msg"]
        if error["type"] == "extra_forbidden":
            message = "unknown key"
        elif message.startswith("Value error, "):
            message = message[len("Value error, ") :]
        got = error.get("input")
        if error["type"] not in ("extra_forbidden", "missing") and not isinstance(got, dict | list):
            message = f"{message} (got {got!r})"
        problems.append(f"{path}: {location}: {message}")
    return problems


def format_location(location: tuple[Any, ...]) -> str:
    text = ""
    for part in location:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else str(part)
    return text or "(top level)"
