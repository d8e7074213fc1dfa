"""The running context sits above what it puts together: the data types, the target
bindings, rendering, the store, the sources and the adapters never reach up into the
engine or what runs with it, so data flows one way."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BELOW_THE_ENGINE = [
    "syndicator/models.py",
    "syndicator/config.py",
    "syndicator/errors.py",
    "syndicator/clock.py",
    "syndicator/durations.py",
    "syndicator/secrets.py",
    "syndicator/filters.py",
    "syndicator/pacing.py",
    "syndicator/adapter.py",
    "syndicator/targets.py",
    "syndicator/rendering.py",
    "syndicator/store",
    "syndicator/sources",
    "syndicator/text",
    "adapters",
]
ABOVE = ("engine", "pipeline", "delivery", "manual", "recovery", "poll", "service",
         "commands", "cli", "explain", "health")  # fmt: skip


def _imports(path: Path) -> set[str]:
    """Every module ``path`` imports, at the top or inside a function."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
    return found


def test_nothing_below_the_engine_imports_it_or_what_runs_with_it() -> None:
    upward = {f"syndicator.{name}" for name in ABOVE}
    offenders = {}
    for entry in BELOW_THE_ENGINE:
        where = ROOT / entry
        for path in [where] if where.is_file() else sorted(where.rglob("*.py")):
            reached = {m for m in _imports(path) if m in upward or m.startswith("syndicator.poll")}
            if reached:
                offenders[str(path.relative_to(ROOT))] = sorted(reached)
    assert offenders == {}


def test_the_engine_imports_what_it_puts_together() -> None:
    imported = _imports(ROOT / "syndicator" / "engine.py")
    assert {"syndicator.targets", "syndicator.rendering"} <= imported
