"""What ``syndicator check`` finds: every problem of a config in one run.

Loading a config (``config.read_config``) finds its shape and reference problems;
this adds what only binding the targets can see (each adapter's own keys, its
``validate``), and resolves every secret, so a missing variable or file is reported
here, naming the target, the key and the variable or path, rather than at the
first send. Nothing here touches the network except ``verify_online``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from syndicator.adapter import MemoryCache, available_adapters, load_adapter_class
from syndicator.config import Config, TargetConfig, read_config
from syndicator.errors import ConfigError, SyndicatorError
from syndicator.problems import describe_errors
from syndicator.secrets import read_secret
from syndicator.targets import BoundTarget, bind_target, missing_secrets

__all__ = ["Diagnosis", "OnlineResult", "diagnose", "verify_online"]


@dataclass
class Diagnosis:
    config: Config
    problems: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    bound: dict[str, BoundTarget] = field(default_factory=dict)


@dataclass(frozen=True)
class OnlineResult:
    target: str
    ok: bool | None  # None: the adapter has no online check
    detail: str


def diagnose(path: Path | str | None) -> Diagnosis:
    """Every problem and warning of the config at ``path``. Raises ``ConfigError``
    only when there is no config to look at (no file, not TOML)."""
    reading = read_config(path)
    diagnosis = Diagnosis(reading.config, list(reading.problems))
    for index, target in reading.targets.items():
        prefix = f"{reading.config.path}: targets[{index}]"
        _check_target(diagnosis, index, target, prefix)
        _check_secrets(diagnosis, target, prefix)
    raw_targets = reading.raw.get("targets")
    for index, raw in enumerate(raw_targets if isinstance(raw_targets, list) else []):
        if index not in reading.targets and isinstance(raw, dict):
            prefix = f"{reading.config.path}: targets[{index}]"
            diagnosis.problems.extend(_adapter_key_problems(raw, prefix))
    return diagnosis


def _adapter_key_problems(raw: dict[str, Any], prefix: str) -> list[str]:
    """The adapter's own keys of a target whose shared keys are wrong, so a mistake
    in ``min_interval`` does not hide a typo in ``instance``."""
    adapter = raw.get("adapter")
    if not isinstance(adapter, str) or adapter not in available_adapters():
        return []  # the shared keys' problems say so
    try:
        options = load_adapter_class(adapter).Options
    except Exception:
        return []
    own = {k: v for k, v in raw.items() if k not in TargetConfig.model_fields}
    try:
        options.model_validate(own)
    except ValidationError as exc:
        return [f"{prefix}.{line}" for line in describe_errors(exc)]
    return []


def _check_target(diagnosis: Diagnosis, index: int, target: TargetConfig, prefix: str) -> None:
    config = diagnosis.config
    bound = bind_target(config, index, target, cache=MemoryCache(), problems=diagnosis.problems)
    if bound is None:
        return
    chosen = {s.name: s.url for s in config.sources if s.name in bound.target.sources}
    try:
        found = bound.adapter.validate(chosen)
    except ConfigError as exc:  # an adapter may refuse its options when it is built
        found = exc.problems
    diagnosis.problems.extend(f"{prefix}: {problem}" for problem in found)
    diagnosis.bound[target.name] = bound
    missing = missing_secrets(bound)
    if missing:
        diagnosis.warnings.append(
            f"{prefix} ({target.name}): secrets not configured: {', '.join(missing)} "
            "(preview works; sending will fail)"
        )


def _check_secrets(diagnosis: Diagnosis, target: TargetConfig, prefix: str) -> None:
    for key, reference in target.secrets.items():
        if not reference.startswith(("env:", "file:")):
            continue  # reported by the config reading: a value written in the file
        where = f"{prefix}.secrets.{key} (target {target.name!r})"
        try:
            _, warning = read_secret(reference, where=where, base_dir=diagnosis.config.base_dir)
        except ConfigError as exc:
            diagnosis.problems.extend(exc.problems)
            continue
        if warning:
            diagnosis.warnings.append(warning)


def verify_online(bound: dict[str, BoundTarget]) -> list[OnlineResult]:
    """Each target's credentials checked with a harmless call on its platform."""
    results = []
    for name, target in bound.items():
        try:
            results.append(OnlineResult(name, True, target.adapter.verify()))
        except NotImplementedError:
            results.append(
                OnlineResult(name, None, f"no online check for adapter {target.config.adapter!r}")
            )
        except (SyndicatorError, OSError) as exc:
            results.append(OnlineResult(name, False, str(exc)))
    return results
