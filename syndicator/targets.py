"""Binding configured targets to their adapters.

This is where a target's own keys are checked against its adapter's ``Options`` model
and secret names, so a typo in an adapter key is reported by ``syndicator check`` with
its key path, like any other config error.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from pydantic import ValidationError

from syndicator.adapter import (
    Adapter,
    MemoryCache,
    PublicMedia,
    SharedCache,
    Target,
    available_adapters,
    load_adapter_class,
)
from syndicator.config import Config, TargetConfig
from syndicator.errors import ConfigError, SyndicatorError
from syndicator.problems import describe_errors


@dataclass
class BoundTarget:
    """A target's config, its adapter class and the ``Target`` handed to the adapter.
    The adapter instance is created on first use and kept (it may hold a session)."""

    config: TargetConfig
    adapter_class: type[Adapter]
    target: Target
    _adapter: Adapter | None = field(default=None, repr=False)

    @property
    def name(self) -> str:
        return self.config.name

    @property
    def adapter(self) -> Adapter:
        if self._adapter is None:
            self._adapter = self.adapter_class(self.target)
        return self._adapter

    def close(self) -> None:
        if self._adapter is not None:
            self._adapter.close()
            self._adapter = None


def bind_targets(
    config: Config, *, cache_for: Callable[[str], SharedCache] | None = None
) -> dict[str, BoundTarget]:
    """Validate every target's adapter keys; raise ``ConfigError`` with all problems."""
    problems: list[str] = []
    bound: dict[str, BoundTarget] = {}
    _load_all(config, available_adapters())
    for index, target_config in enumerate(config.targets):
        cache = cache_for(target_config.name) if cache_for else MemoryCache()
        one = bind_target(config, index, target_config, cache=cache, problems=problems)
        if one is not None:
            bound[target_config.name] = one
    if problems:
        raise ConfigError(problems)
    _remember_every_secret(bound)
    return bound


def bind_target(
    config: Config,
    index: int,
    target_config: TargetConfig,
    *,
    cache: SharedCache,
    problems: list[str],
) -> BoundTarget | None:
    """One target bound to its adapter, or ``None`` with its problems added;
    ``index`` is its position in the file, for the messages."""
    prefix = f"{config.path}: targets[{index}]"
    known = available_adapters()
    if target_config.adapter not in known:
        problems.append(
            f"{prefix}.adapter: unknown adapter {target_config.adapter!r} "
            f"(installed: {', '.join(sorted(known))})"
        )
        return None
    try:
        adapter_class = load_adapter_class(target_config.adapter)
    except Exception as exc:
        problems.append(f"{prefix}.adapter: cannot load {target_config.adapter!r}: {exc}")
        return None
    try:
        options = adapter_class.Options.model_validate(target_config.adapter_options)
    except ValidationError as exc:
        problems.extend(f"{prefix}.{line}" for line in describe_errors(exc))
        return None
    before = len(problems)
    for secret in target_config.secrets:
        if secret not in adapter_class.secrets:
            allowed = ", ".join(sorted(adapter_class.secrets)) or "none"
            problems.append(
                f"{prefix}.secrets.{secret}: unknown secret for adapter "
                f"{target_config.adapter!r} (it takes: {allowed})"
            )
    problems.extend(_template_problems(target_config, prefix))
    if len(problems) > before:
        return None
    target = Target(
        name=target_config.name,
        adapter=target_config.adapter,
        options=options,
        template=target_config.template,
        hashtags=tuple(target_config.hashtags),
        secret_refs=dict(target_config.secrets),
        base_dir=config.base_dir,
        sources=tuple(
            [s.name for s in config.sources]
            if target_config.sources is None
            else target_config.sources
        ),
        cache=cache,
        timezone=config.service.timezone,
        public_media=_public_media(config),
    )
    return BoundTarget(target_config, adapter_class, target)


def _public_media(config: Config) -> PublicMedia | None:
    """Where the platform can fetch stored media, when ``[media] public_url`` says."""
    if not config.media.public_url:
        return None
    return PublicMedia(config.media.public_url, config.media_dir())


def _load_all(config: Config, known: Mapping[str, object]) -> None:
    """Load every adapter the config names before validating any target, so a rule one
    adapter brings is known to another's options (an outbox fitted to it). A failure
    is reported, with the target, by the loop in ``bind_targets``."""
    for name in {t.adapter for t in config.targets if t.adapter in known}:
        with contextlib.suppress(Exception):
            load_adapter_class(name)


def _remember_every_secret(bound: dict[str, BoundTarget]) -> None:
    """Resolve every secret the config names now, so that redaction knows them all
    before the first call: a platform (or a hostile server) may echo another
    target's token, which would otherwise be unknown until that target's first
    publish. A secret that cannot be resolved yet is left for its first use to report."""
    for each in bound.values():
        for name in each.target.secret_refs:
            with contextlib.suppress(SyndicatorError):  # a config error or a missing secret
                each.target.secret(name)


def _template_problems(target: TargetConfig, prefix: str) -> list[str]:
    if not target.template:
        return []
    from syndicator.text import template_placeholders

    allowed = {"title", "summary", "url", "hashtags", "source", "date"}
    try:
        unknown = template_placeholders(target.template) - allowed
    except ValueError as exc:
        return [f"{prefix}.template: {exc}"]
    return [
        f"{prefix}.template: unknown placeholder {{{name}}} (use {', '.join(sorted(allowed))})"
        for name in sorted(unknown)
    ]


def missing_secrets(bound: BoundTarget) -> list[str]:
    """Required secrets not configured: ``publish`` would fail, ``preview`` is fine."""
    return sorted(bound.adapter_class.required_secrets - set(bound.config.secrets))


def exposed_secret_files(bound: BoundTarget) -> list[str]:
    """``secrets.NAME (PATH)`` for each secret file of the target that users other
    than its owner may read: ``check`` warns about them, without reading them."""
    from syndicator.secrets import readable_by_others, secret_file

    exposed = []
    for name, reference in sorted(bound.config.secrets.items()):
        path = secret_file(reference, bound.target.base_dir)
        if path is not None and readable_by_others(path):
            exposed.append(f"secrets.{name} ({path})")
    return exposed
