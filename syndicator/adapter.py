"""The adapter contract: the one surface between the engine and a platform.

An adapter is a class registered under the entry-point group ``syndicator.adapters``
(built-in adapters register there too, see pyproject.toml). The engine builds one
instance per configured target and calls:

* ``render(article) -> Post``: pure, no network. ``syndicator preview`` shows exactly
  what ``render`` returns, and the post log stores it before anything is sent.
* ``publish(post, key=...) -> Receipt``: sends the post unchanged; raises one of the
  ``syndicator.errors.PublishError`` kinds.

Everything else has a safe default. A minimal adapter is a dozen lines; see
``adapters/outbox.py``.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from importlib.metadata import entry_points
from pathlib import Path
from typing import Any, ClassVar, Protocol

from pydantic import BaseModel, ConfigDict

from syndicator.errors import ConfigError, SecretMissing
from syndicator.models import Article, Media, Post, Receipt
from syndicator.secrets import resolve
from syndicator.text.rules import Rule, get_rule, register_rule

log = logging.getLogger(__name__)

ENTRY_POINT_GROUP = "syndicator.adapters"


class AdapterOptions(BaseModel):
    """Base of an adapter's own config keys. Unknown keys are errors."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class SharedCache(Protocol):
    """A small key-value store shared by every process on the same post log, for
    platform tokens that must not be fetched once per process (WeChat's access_token
    is limited to ~2000 fetches a day). The engine provides one backed by the store."""

    def get(self, key: str) -> str | None:
        """The value, or ``None`` when missing or expired."""
        ...

    def put(self, key: str, value: str, *, ttl_seconds: float) -> None: ...


class MemoryCache:
    """A process-local ``SharedCache``, for tests and for ``preview``."""

    def __init__(self) -> None:
        self._values: dict[str, tuple[str, float]] = {}

    def get(self, key: str) -> str | None:
        import time

        value = self._values.get(key)
        if value is None or value[1] < time.time():
            return None
        return value[0]

    def put(self, key: str, value: str, *, ttl_seconds: float) -> None:
        import time

        self._values[key] = (value, time.time() + ttl_seconds)


@dataclass(frozen=True)
class PublicMedia:
    """The media folder as the public sees it (``[media] public_url``): platforms that
    fetch an image themselves (Instagram, Threads) are given its URL there."""

    url: str  # ends in "/"
    folder: Path

    def url_for(self, media: Media) -> str | None:
        """The public URL of a stored medium, or ``None`` when it is not in the folder
        (a preview written elsewhere, a post rendered before the media were saved)."""
        from urllib.parse import quote

        if media.path is None:
            return None
        try:
            relative = media.path.resolve().relative_to(self.folder.resolve())
        except ValueError:
            return None
        return self.url + quote(relative.as_posix())


@dataclass(frozen=True)
class Target:
    """One configured target as its adapter sees it: the shared keys, the adapter's own
    validated ``options``, and secret *references* that are resolved only on use, so
    that ``preview`` and ``check`` work without any secret set."""

    name: str
    adapter: str
    options: Any
    template: str | None = None
    hashtags: tuple[str, ...] = ()
    secret_refs: Mapping[str, str] = field(default_factory=dict)
    #: The config file's folder: relative paths in options (an outbox folder, a card
    #: template, a font) are resolved against it.
    base_dir: Path = Path(".")
    sources: tuple[str, ...] = ()
    cache: SharedCache = field(default_factory=MemoryCache)
    #: The service's time zone, for dates shown in posts and cards.
    timezone: str = "UTC"
    #: Where stored media can be fetched by the platform; ``None`` when not published.
    public_media: PublicMedia | None = None

    def secret(self, name: str) -> str:
        """The secret's value. One that cannot be had (not configured, an unset
        variable, a missing file) is ``SecretMissing``, an ``AuthFailed``: no retry can succeed until the
        operator fixes it, so the delivery fails at once with the reason."""
        where = f"target {self.name!r}: secrets.{name}"
        reference = self.secret_refs.get(name)
        if reference is None:
            raise SecretMissing(f"{where}: this adapter needs it and the config does not set it")
        try:
            return resolve(reference, where=where, base_dir=self.base_dir)
        except ConfigError as exc:
            raise SecretMissing(f"secret not available: {exc}") from None

    def has_secret(self, name: str) -> bool:
        return name in self.secret_refs


class Adapter:
    """Base class of every adapter. Subclasses set the class attributes and override
    ``render`` and ``publish``."""

    #: The length rule this platform counts with: the name of one ``syndicator.text``
    #: knows ("x", "mastodon", ...), or a ``Rule`` of the adapter's own, e.g.
    #: ``Rule("threads", 500, "graphemes")``, registered when the adapter is loaded so
    #: its name works everywhere a rule name does. A name nobody registered is an
    #: error at load, never a silent ``len()``.
    rule: ClassVar[str | Rule] = "plain"
    #: True when ``publish`` with the same ``key`` can never create a second post
    #: (Mastodon Idempotency-Key, Matrix txnId, Bluesky record key). The engine then
    #: resends a delivery interrupted by a crash; otherwise it asks ``find_existing``.
    #: An adapter whose idempotency depends on its options sets it per instance.
    idempotent: ClassVar[bool] = False
    #: The adapter's own config keys, validated with unknown keys forbidden.
    Options: ClassVar[type[AdapterOptions]] = AdapterOptions
    #: Secret names this adapter reads from ``[targets.secrets]``; others are errors.
    secrets: ClassVar[frozenset[str]] = frozenset()
    #: Secret names that must be present for ``publish`` to work.
    required_secrets: ClassVar[frozenset[str]] = frozenset()
    #: The platform's documented cap of posts a day, used as the target's
    #: ``max_per_day`` when the config sets none (Instagram 50, Threads 250).
    max_per_day: ClassVar[int | None] = None

    def __init__(self, target: Target) -> None:
        self.target = target
        self.options = target.options

    def render(self, article: Article) -> Post:
        """Turn an article into the exact post to send. Must not touch the network;
        must return text whose length, measured with ``rule``, fits the limit."""
        raise NotImplementedError

    def publish(self, post: Post, *, key: str) -> Receipt:
        """Send ``post`` as it is. ``key`` is stable for the delivery across retries
        and restarts; idempotent adapters pass it to the platform."""
        raise NotImplementedError

    def with_text(self, post: Post, text: str) -> Post:
        """``post`` with an editor's ``text`` (the dashboard's Queue), measured again.
        An adapter whose post carries parts derived from the text (Bluesky facets, a
        Matrix HTML body) rebuilds them here. The caller refuses a text over the limit."""
        from dataclasses import replace

        from syndicator.text import measure

        return replace(post, text=text, length=measure(text, post.rule))

    def find_existing(self, post: Post, *, key: str) -> Receipt | None:
        """After a crash mid-send, look on the platform for this post. Return its
        receipt, ``None`` if it is certainly not there; raise if it cannot tell. The
        default cannot tell, so the delivery is marked ``unknown``."""
        raise NotImplementedError

    def verify(self) -> str:
        """Check the credentials with a harmless call (``check --online``); return a
        short description of the account. Raise a ``PublishError`` on failure."""
        raise NotImplementedError

    def validate(self, source_urls: Mapping[str, str]) -> list[str]:
        """Config-time checks that need the sources (name -> URL); return problems."""
        return []

    def close(self) -> None:
        """Release network sessions. Called when the service stops or reloads."""


@cache
def available_adapters() -> dict[str, Any]:
    """Adapter names mapped to their (not yet loaded) entry points."""
    return {ep.name: ep for ep in entry_points(group=ENTRY_POINT_GROUP)}


def load_adapter_class(name: str) -> type[Adapter]:
    """Import the adapter registered as ``name``. Raises ``KeyError`` if unknown."""
    entry = available_adapters()[name]
    adapter_class = entry.load()
    if not (isinstance(adapter_class, type) and issubclass(adapter_class, Adapter)):
        raise TypeError(f"entry point {name!r} of {ENTRY_POINT_GROUP} is not an Adapter subclass")
    register_adapter_rule(adapter_class)
    return adapter_class


def register_adapter_rule(adapter_class: type[Adapter]) -> Rule:
    """Make the adapter's counting rule known (a ``Rule`` of its own is registered; a
    name must be one already known); raise ``ValueError`` saying which adapter."""
    declared = adapter_class.rule
    try:
        return register_rule(declared) if isinstance(declared, Rule) else get_rule(declared)
    except ValueError as exc:
        raise ValueError(f"adapter {adapter_class.__qualname__}: {exc}") from None
