"""Where the platforms' own test data lives: ``../shared/conformance/`` beside the
checkout (third-party files, read there at test time and never copied into the
repo). A clone on its own has no such folder; the tests that need it then skip
with a reason that says where to put it."""

from __future__ import annotations

from pathlib import Path

import pytest

CONFORMANCE = Path(__file__).resolve().parents[1].parent / "shared" / "conformance"


def conformance_dir(name: str) -> Path:
    """``CONFORMANCE / name``; skips the calling module's tests where it is absent."""
    folder = CONFORMANCE / name
    if not folder.is_dir():
        pytest.skip(
            f"third-party conformance data {name!r} not found at {folder} "
            "(it lives beside the checkout, in ../shared/conformance/)",
            allow_module_level=True,
        )
    return folder
