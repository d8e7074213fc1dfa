"""Lead images: the size cap and the declared dimensions are checked before decoding."""

from __future__ import annotations

import io
import struct
import zlib

import pytest
from PIL import Image

from syndicator.errors import SourceError
from syndicator.sources.fetch import fetch_image
from syndicator.sources.fetcher import BlockingFetch

from .conftest import LocalServer


def _png_header_only(width: int, height: int) -> bytes:
    """A tiny PNG file that declares ``width`` x ``height`` pixels: decoding it
    would need gigabytes, reading its header needs 33 bytes."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = zlib.crc32(kind + data) & 0xFFFFFFFF
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\0" * 64))
        + chunk(b"IEND", b"")
    )


def _jpeg(width: int, height: int) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), (200, 30, 30)).save(out, "JPEG")
    return out.getvalue()


def test_small_jpeg_is_returned_with_its_mime(
    http_server: LocalServer, session: BlockingFetch
) -> None:
    data = _jpeg(64, 48)
    url = http_server.serve("/lead.jpg", data, headers={"Content-Type": "image/jpeg"})
    assert fetch_image(session, url, source="bit-news", own_host="127.0.0.1") == (
        data,
        "image/jpeg",
    )


def test_huge_declared_dimensions_are_rejected_before_decoding(
    http_server: LocalServer, session: BlockingFetch
) -> None:
    url = http_server.serve("/bomb.png", _png_header_only(100_000, 100_000))
    with pytest.raises(SourceError, match=r"decompression bomb|over the limit"):
        fetch_image(session, url, source="bit-news", own_host="127.0.0.1")


def test_dimensions_over_max_pixels_are_rejected(
    http_server: LocalServer, session: BlockingFetch
) -> None:
    url = http_server.serve("/wide.png", _png_header_only(8000, 6000))
    with pytest.raises(SourceError, match="declares 8000x6000 pixels, over the limit of 40000000"):
        fetch_image(session, url, max_pixels=40_000_000, source="bit-news", own_host="127.0.0.1")


def test_image_bigger_than_the_byte_cap_is_rejected(
    http_server: LocalServer, session: BlockingFetch
) -> None:
    url = http_server.serve("/big.jpg", _jpeg(64, 48))
    with pytest.raises(SourceError, match="exceeds the cap of 100"):
        fetch_image(session, url, max_bytes=100, own_host="127.0.0.1")


def test_html_served_as_image_is_rejected(http_server: LocalServer, session: BlockingFetch) -> None:
    url = http_server.serve("/fake.jpg", b"<html>not an image</html>")
    with pytest.raises(SourceError, match="not a readable image"):
        fetch_image(session, url, source="bit-news", own_host="127.0.0.1")
