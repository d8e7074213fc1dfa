"""A local social platform for the delivery engine's tests: a recording HTTP server
(``server.py``) and the adapters that talk to it (``adapter.py``), registered through a
real ``syndicator.adapters`` entry point (``register``), exactly as a third-party
adapter would be, so the engine, the CLI and a ``syndicator run`` subprocess load
them with no change to the installed project."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]

ENTRY_POINTS = {
    "test_idempotent": "tests.platform.adapter:IdempotentAdapter",
    "test_plain": "tests.platform.adapter:PlainAdapter",
    "test_checkable": "tests.platform.adapter:CheckableAdapter",
    "test_capped": "tests.platform.adapter:CappedAdapter",
}


def write_distribution(folder: Path) -> Path:
    """Write a minimal installed-distribution record declaring the test adapters'
    entry points into ``folder`` (put it on ``sys.path`` / ``PYTHONPATH``)."""
    info = folder / "syndicator_test_platform-0.0.0.dist-info"
    info.mkdir(parents=True, exist_ok=True)
    (info / "METADATA").write_text(
        "Metadata-Version: 2.1\nName: syndicator-test-platform\nVersion: 0.0.0\n",
        encoding="utf-8",
    )
    lines = "".join(f"{name} = {target}\n" for name, target in ENTRY_POINTS.items())
    (info / "entry_points.txt").write_text(f"[syndicator.adapters]\n{lines}", encoding="utf-8")
    return folder


@contextmanager
def registered(folder: Path) -> Iterator[Path]:
    """Make the test adapters loadable in this process for the block's duration."""
    from syndicator.adapter import available_adapters

    path = str(write_distribution(folder))
    sys.path.insert(0, path)
    available_adapters.cache_clear()
    try:
        yield Path(path)
    finally:
        sys.path.remove(path)
        available_adapters.cache_clear()
