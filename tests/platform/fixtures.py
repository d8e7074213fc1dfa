"""Fixtures for tests on the local platform. A test module uses them with
``platform = fixtures.platform`` (pytest collects fixtures from module attributes)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.platform import registered
from tests.platform.server import TOKEN, Platform, running_platform


@pytest.fixture
def platform_adapters(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Path]:
    """The test adapters registered through an entry point, and the token they read."""
    monkeypatch.setenv("PLATFORM_TOKEN", TOKEN)
    with registered(tmp_path_factory.mktemp("entry-points")) as folder:
        yield folder


@pytest.fixture
def platform(platform_adapters: Path) -> Iterator[Platform]:
    """A running local platform (see server.py) with its adapters registered."""
    with running_platform() as running:
        yield running
