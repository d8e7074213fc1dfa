"""Contract stubs for platforms that cannot run here, and the helpers their tests share.

Each module implements one platform's documented HTTP contract on top of
``tests.servers.http`` (paths, auth, parameters, limits and the documented error bodies),
so an adapter that sends what the real service would refuse fails here too. Knobs on
each stub (``rate_limited`` and the like) make it answer with a documented error.
"""

from __future__ import annotations

import email.parser
import email.policy
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from syndicator.adapter import Adapter, Target
from syndicator.models import Article
from tests.servers.http import Request

LONG_PARAGRAPH = (
    "The university opened a new laboratory for quantum sensing on Monday, with "
    "researchers from physics, materials and optics working side by side. "
) * 40
CJK_PARAGRAPH = (
    "北京理工大学今天举行了新实验室的揭牌仪式，来自物理、材料与光学学院的研究人员将在这里共同工作。"
    * 30
)


@dataclass(frozen=True)
class FilePart:
    filename: str | None
    content_type: str
    data: bytes


def multipart(request: Request) -> dict[str, FilePart]:
    """The parts of a ``multipart/form-data`` body by field name (RFC 7578)."""
    content_type = request.header("Content-Type") or ""
    if not content_type.startswith("multipart/form-data"):
        raise ValueError(f"not multipart/form-data: {content_type!r}")
    head = f"Content-Type: {content_type}\r\nMIME-Version: 1.0\r\n\r\n".encode()
    message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(head + request.body)
    parts: dict[str, FilePart] = {}
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        parts[str(name)] = FilePart(
            part.get_filename(), part.get_content_type(), part.get_payload(decode=True) or b""
        )
    return parts


def form_fields(request: Request) -> dict[str, str]:
    """Fields of a form body, urlencoded or multipart (files excluded)."""
    content_type = request.header("Content-Type") or ""
    if content_type.startswith("application/x-www-form-urlencoded"):
        return {k: v[0] for k, v in request.form().items()}
    if content_type.startswith("multipart/form-data"):
        return {
            k: p.data.decode("utf-8") for k, p in multipart(request).items() if p.filename is None
        }
    raise ValueError(f"not a form: {content_type!r}")


def is_image(data: bytes) -> bool:
    return data.startswith((b"\xff\xd8\xff", b"\x89PNG\r\n\x1a\n", b"GIF87a", b"GIF89a"))


def make_target(
    adapter_class: type[Adapter],
    monkeypatch: pytest.MonkeyPatch,
    *,
    options: dict[str, Any],
    secrets: dict[str, str] | None = None,
    template: str | None = None,
    hashtags: tuple[str, ...] = (),
    name: str = "test-target",
) -> Adapter:
    """An adapter for a target whose secrets come from the environment, as in a real
    config (``env:NAME`` references, resolved only when the adapter asks)."""
    refs = {}
    for key, value in (secrets or {}).items():
        variable = f"SYNDICATOR_TEST_{name.upper().replace('-', '_')}_{key.upper()}"
        monkeypatch.setenv(variable, value)
        refs[key] = f"env:{variable}"
    target = Target(
        name=name,
        adapter=adapter_class.__name__,
        options=adapter_class.Options.model_validate(options),
        template=template,
        hashtags=hashtags,
        secret_refs=refs,
    )
    return adapter_class(target)


def article(
    *,
    url: str = "https://news.example.edu.cn/c/2024-05-20/c_1234.htm",
    title: str = "New laboratory for quantum sensing opens",
    text: str = "Researchers from three schools will share the new laboratory.",
    image_path: Path | None = None,
    image_url: str | None = None,
    categories: tuple[str, ...] = (),
) -> Article:
    return Article(
        key="k-" + url.rsplit("/", 1)[-1],
        url=url,
        title=title,
        source="bit-news",
        text=text,
        published=datetime(2024, 5, 20, 8, 30, tzinfo=UTC),
        image_path=image_path,
        image_url=image_url,
        categories=categories,
        site_name="BIT News",
    )


def jpeg_file(tmp_path: Path, *, size: tuple[int, int] = (64, 48), noisy: bool = False) -> Path:
    """A real JPEG on disk; ``noisy`` makes it incompressible (megabytes at 3000 px)."""
    from PIL import Image

    if noisy:
        import os

        image = Image.frombytes("RGB", size, os.urandom(size[0] * size[1] * 3))
        path = tmp_path / "big.png"
        image.save(path, "PNG")
        return path
    image = Image.new("RGB", size, (200, 30, 40))
    path = tmp_path / "lead.jpg"
    image.save(path, "JPEG", quality=90)
    return path
