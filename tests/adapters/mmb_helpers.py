"""Shared pieces of the Mastodon, Matrix and Bluesky adapter tests: targets whose secrets
come from the environment (as in production), articles that are far too long for any
platform, a lead image on disk, and the check that no secret leaked."""

from __future__ import annotations

import itertools
import logging
import random
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import pytest

from syndicator.adapter import Adapter, MemoryCache, SharedCache, Target, load_adapter_class
from syndicator.models import Article

_names = itertools.count(1)

LONG_URL = (
    "https://news.example.edu.cn/en/2026/11/29/research/quantum-sensor-breakthrough-12345.html"
)


def make_adapter(
    monkeypatch: pytest.MonkeyPatch,
    adapter: str,
    options: Mapping[str, Any],
    secrets: Mapping[str, str],
    *,
    hashtags: tuple[str, ...] = (),
    cache: SharedCache | None = None,
) -> Adapter:
    """The registered adapter ``adapter`` bound to a target, its secrets set as
    ``env:`` references the way a config file names them."""
    refs = {}
    for name, value in secrets.items():
        variable = f"MMB_TEST_SECRET_{next(_names)}"
        monkeypatch.setenv(variable, value)
        refs[name] = f"env:{variable}"
    adapter_class = load_adapter_class(adapter)
    target = Target(
        name=f"{adapter}-test",
        adapter=adapter,
        options=adapter_class.Options.model_validate(dict(options)),
        hashtags=hashtags,
        secret_refs=refs,
        cache=cache or MemoryCache(),
    )
    return adapter_class(target)


def article(
    *, title: str = "Campus opens new library", url: str = "https://news.example.edu/a/1"
) -> Article:
    return Article(
        key=url,
        url=url,
        title=title,
        summary="The new library has 2,000 seats and opens on Monday.",
        text="The new library has 2,000 seats and opens on Monday.\n\nStudents welcomed it.",
        language="en",
    )


def long_article(image_path: Path | None = None) -> Article:
    """Long title and long body, Chinese and English, and a long URL: too long for
    every platform, so ``render`` has to fit it."""
    title = "北京理工大学研究团队发布新型量子传感器 Researchers unveil a quantum sensor " * 3
    chinese = "研究团队表示，这一成果对精密测量具有重要意义，相关论文已在国际期刊发表。" * 30
    english = "The team said the sensor could change how precise measurements are made. " * 40
    return Article(
        key=LONG_URL,
        url=LONG_URL,
        title=title.strip(),
        summary=chinese[:200],
        text=f"{chinese}\n\n{english}",
        language="zh",
        image_path=image_path,
        categories=("科研", "Research"),
    )


def write_image(path: Path, *, size: tuple[int, int] = (320, 200), noisy: bool = False) -> Path:
    """A PNG on disk, as the engine leaves the lead image. ``noisy`` makes it
    incompressible, so a large one is well over a megabyte."""
    from PIL import Image

    if noisy:
        rng = random.Random(7)
        image = Image.frombytes("RGB", size, rng.randbytes(size[0] * size[1] * 3))
    else:
        image = Image.new("RGB", size, (180, 30, 40))
    image.save(path, "PNG")
    return path


def assert_no_secret(
    secrets: Iterable[str], caplog: pytest.LogCaptureFixture, *texts: object
) -> None:
    """No secret in any log record (message or arguments) nor in the given texts."""
    haystacks = [caplog.text, *(str(t) for t in texts)]
    haystacks += [repr(record.args) for record in caplog.records]
    for secret in secrets:
        for haystack in haystacks:
            assert secret not in haystack


def capture_everything(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
