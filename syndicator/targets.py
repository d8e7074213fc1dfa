"""Binding configured targets to their adapters.

This is where a target's own keys are checked against its adapter's ``Options`` model
and secret names, so a typo in an adapter key is reported by ``syndicator check`` with
its key path, like any other config error.
"""

from __future__ import annotations

from collections.abc import Callable
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
from syndicator.config import Config, TargetConfig, format_location
from syndicator.errors import ConfigError


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
    known = available_adapters()
    public_media = (
        PublicMedia(config.media.public_url, config.media_dir())
        if config.media.public_url
        else None
    )
    for index, target_config in enumerate(config.targets):
        prefix = f"{config.path}: targets[{index}]"
        if target_config.adapter not in known:
            problems.append(
                f"{prefix}.adapter: unknown adapter {target_config.adapter!r} "
                f"(installed: {', '.join(sorted(known))})"
            )
            continue
        try:
            adapter_class = load_adapter_class(target_config.adapter)
        except Exception as exc:
            problems.append(f"{prefix}.adapter: cannot load {target_config.adapter!r}: {exc}")
            continue
        try:
            options = adapter_class.Options.model_validate(target_config.adapter_options)
        except ValidationError as exc:
            for error in exc.errors():
                message = "unknown key" if error["type"] == "extra_forbidden" else error["msg"]
                message = message.removeprefix("Value error, ")
                problems.append(f"{prefix}.{format_location(error['loc'])}: {message}")
            continue
        for secret in target_config.secrets:
            if secret not in adapter_class.secrets:
                allowed = ", ".join(sorted(adapter_class.secrets)) or "none"
                problems.append(
                    f"{prefix}.secrets.{secret}: unknown secret for adapter "
                    f"{target_config.adapter!r} (it takes: {allowed})"
                )
        problems.extend(_template_problems(target_config, prefix))
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
            cache=cache_for(target_config.name) if cache_for else MemoryCache(),
            timezone=config.service.timezone,
            public_media=public_media,
        )
        bound[target_config.name] = BoundTarget(target_config, adapter_class, target)
    if problems:
        raise ConfigError(problems)
    return bound


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
