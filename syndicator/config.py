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
from datetime import timedelta
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from syndicator.config_types import (
    CssSelector,
    Duration,
    Every,
    HttpUrl,
    LoopbackAddress,
    Name,
    Pattern,
    Zone,
    backfill_count,
    checked,
    known_zone,
    loopback_address,
)
from syndicator.durations import parse_window
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


# Every section is a frozen pydantic model: strict types (a TOML integer is not a
# string, 1 is not true), unknown keys forbidden, and each key's own rule beside it
# (syndicator/config_types.py). Constructing one directly (``ServiceConfig(http=...)``)
# runs the same checks as loading a file.


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)


class StoreConfig(_Section):
    url: str = "sqlite:///var/syndicator.db"
    media: str = "var/media"


def listen_address(value: str) -> tuple[str, int]:
    """``"0.0.0.0:8081"`` -> ``("0.0.0.0", 8081)``: any address, for the media server,
    which platforms (Instagram, Threads) must reach from outside."""
    import ipaddress

    host, sep, port = value.rpartition(":")
    host = host.strip("[]")
    if host == "localhost":
        host = "127.0.0.1"
    try:
        ipaddress.ip_address(host)
    except ValueError:
        host = ""
    if not sep or not host or not port.isdigit() or int(port) > 65535:
        raise ValueError(f"expected HOST:PORT like 0.0.0.0:8081, got {value!r}")
    return host, int(port)


def _public_media_url(value: str) -> None:
    if not value.startswith(("http://", "https://")):
        raise ValueError(f"expected an http:// or https:// URL, got {value!r}")
    if not value.endswith("/"):
        raise ValueError(f"expected a folder URL ending in '/', got {value!r}")


class MediaConfig(_Section):
    """Where the media folder (``[store] media``) is published, for platforms that
    fetch images themselves (Instagram, Threads); ``serve`` has ``syndicator run``
    publish it (only files the post log references)."""

    public_url: Annotated[str, checked(_public_media_url)] | None = None
    serve: Annotated[str, checked(listen_address)] | None = None


class ServiceConfig(_Section):
    timezone: Zone = "UTC"
    # How often the service looks for what other commands changed (approve, retry,
    # post): deliveries themselves go the moment they are due, whatever this says.
    drain_every: Duration = timedelta(seconds=2)
    jitter: Duration = timedelta(seconds=30)
    # Workers on a PostgreSQL store: how long a worker's claims outlive its last heartbeat.
    lease: Annotated[Duration, Field(ge=timedelta(seconds=2))] = timedelta(seconds=30)
    # "127.0.0.1:9300" enables /healthz and /metrics
    http: LoopbackAddress | None = None
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"


def _network(value: str) -> None:
    from syndicator.sources.guard import parse_allow_list

    parse_allow_list([value])


Network = Annotated[str, checked(_network)]


class FetchConfig(_Section):
    user_agent: str = "syndicator/0.1 (news syndication; +https://pypi.org/project/syndicator/)"
    timeout: Duration = timedelta(seconds=10)
    deadline: Duration = timedelta(seconds=30)
    max_bytes: Annotated[int, Field(gt=0)] = 10_000_000
    max_image_bytes: Annotated[int, Field(gt=0)] = 5_000_000
    concurrency: Annotated[int, Field(ge=1, le=1024)] = 16
    per_host: Annotated[int, Field(ge=1, le=256)] = 2
    # Networks article pages, images and redirects may reach although they are not
    # public ("10.0.0.0/8" for an intranet); see syndicator.sources.guard.
    allow_private: list[Network] = Field(default_factory=list)


class WebConfig(_Section):
    # "127.0.0.1:8080" serves the dashboard from `syndicator run`; a non-loopback
    # address is refused at start-up while the store has no user.
    listen: Annotated[str, checked(listen_address)] | None = None


class SelectorsConfig(_Section):
    title: CssSelector | None = None
    date: CssSelector | None = None
    body: CssSelector | None = None
    image: CssSelector | None = None
    remove: list[CssSelector] = []


class SourceConfig(_Section):
    name: Name
    url: HttpUrl
    kind: Literal["feed", "html"] = "feed"
    every: Every = timedelta(minutes=10)
    items: CssSelector | None = None
    link_pattern: Pattern | None = None
    first_run: Annotated[str, checked(backfill_count)] = "baseline"
    full_text: Literal["auto", "always", "never"] = "auto"
    timezone: Zone | None = None
    enabled: bool = True
    selectors: SelectorsConfig = SelectorsConfig()


class FiltersConfig(_Section):
    include: list[str] = []  # keywords; one must occur (title or text)
    exclude: list[str] = []  # keywords; an article with one is skipped
    include_regex: list[Pattern] = []
    exclude_regex: list[Pattern] = []
    categories: list[str] = []  # the article must carry one of these
    exclude_categories: list[str] = []
    # Sources are chosen with the target's ``sources``; this drops some of "every source".
    exclude_sources: list[str] = []


class TargetConfig(_Section):
    """The keys every target shares. Other keys belong to the adapter, which
    validates them with its own ``Options`` model (see ``adapter_options``)."""

    model_config = ConfigDict(extra="allow", frozen=True, strict=True)

    name: Name
    adapter: str
    sources: list[str] | None = None  # None: every source
    template: str | None = None
    hashtags: list[str] = []
    quiet_hours: Annotated[str, checked(parse_window)] | None = None
    # for quiet_hours and max_per_day; default [service] timezone
    timezone: Zone | None = None
    min_interval: Duration = timedelta(0)
    max_per_day: Annotated[int, Field(ge=1)] | None = None
    max_age: Duration | None = None
    approve: bool = False
    on_update: Literal["ignore", "post"] = "ignore"
    enabled: bool = True
    max_attempts: Annotated[int, Field(ge=1, le=100)] = 8
    filters: FiltersConfig = FiltersConfig()
    secrets: dict[str, str] = {}

    @property
    def adapter_options(self) -> dict[str, Any]:
        """The keys this class does not declare, for the adapter's ``Options``."""
        return dict(self.model_extra or {})


class Config(_Section):
    store: StoreConfig = StoreConfig()
    service: ServiceConfig = ServiceConfig()
    fetch: FetchConfig = FetchConfig()
    media: MediaConfig = MediaConfig()
    web: WebConfig = WebConfig()
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
