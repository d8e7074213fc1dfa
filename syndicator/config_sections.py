"""The config's sections, one pydantic model each: what a key may hold, beside it.

Every section is frozen: strict types (a TOML integer is not a string, 1 is not
true), unknown keys forbidden, and each key's own rule beside it
(``config_types``). Constructing one directly (``ServiceConfig(http=...)``) runs the
same checks as loading a file. ``config`` puts them together and loads files."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

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
)
from syndicator.durations import parse_window


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
