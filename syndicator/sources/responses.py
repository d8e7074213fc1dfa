"""What a fetch returns, and the pieces both transports (lean client, requests) share:
the result type, the error naming the source, bounded inflation and the server's
caching and back-off hints."""

from __future__ import annotations

import re
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from syndicator.errors import SourceError
from syndicator.retry_after import retry_after_seconds
from syndicator.sources.encoding import charset_from_content_type

__all__ = [
    "CHUNK",
    "FetchResult",
    "Inflater",
    "decoded_body",
    "fetch_error",
    "parse_max_age",
    "parse_retry_after",
    "result_of",
]

CHUNK = 64 * 1024
_MAX_AGE = re.compile(r"(?:^|[,\s])max-age\s*=\s*\"?(\d+)", re.I)


@dataclass(frozen=True)
class FetchResult:
    """What one GET produced. ``url`` is the final URL after redirects; on a 304
    ``not_modified`` is true, ``body`` is empty and the validators are the ones
    to keep."""

    url: str
    status: int
    body: bytes
    etag: str | None
    last_modified: str | None
    not_modified: bool
    max_age: float | None
    retry_after: float | None
    content_type: str
    encoding: str | None


def result_of(
    url: str,
    status: int,
    body: bytes,
    get: Any,
    etag: str | None,
    last_modified: str | None,
    retry_after: float | None,
) -> FetchResult:
    """The result from a response's header lookup ``get(name)`` (case-insensitive
    names as the transport stores them); a 304 keeps the validators sent when the
    server does not repeat them."""
    content_type = get("content-type") or ""
    not_modified = status == 304
    return FetchResult(
        url=url,
        status=status,
        body=body,
        etag=get("etag") or (etag if not_modified else None),
        last_modified=get("last-modified") or (last_modified if not_modified else None),
        not_modified=not_modified,
        max_age=parse_max_age(get("cache-control")),
        retry_after=retry_after,
        content_type=content_type,
        encoding=charset_from_content_type(content_type) if content_type else None,
    )


def fetch_error(
    source: str, url: str, message: str, retry_after: float | None = None
) -> SourceError:
    return SourceError(source or url, f"{message} ({url})", retry_after=retry_after)


def parse_retry_after(value: str | None) -> float | None:
    """Seconds to wait from a Retry-After header (delta-seconds or an HTTP date);
    ``None`` when absent or malformed. The same reading as the adapters'."""
    return retry_after_seconds(value)


def parse_max_age(cache_control: str | None) -> float | None:
    if not cache_control:
        return None
    match = _MAX_AGE.search(cache_control)
    return float(match.group(1)) if match else None


class Inflater:
    """Decompresses gzip/deflate in bounded steps, so output never runs ahead of
    the cap by more than one chunk."""

    def __init__(self, coding: str) -> None:
        self.coding = coding
        self._obj: Any = None

    def feed(self, data: bytes) -> Iterator[bytes]:
        if self._obj is None:
            if self.coding == "deflate" and data[:1] and (data[0] & 0x0F) != 8:
                self._obj = zlib.decompressobj(-zlib.MAX_WBITS)  # raw deflate, as IIS sends it
            else:
                self._obj = zlib.decompressobj(zlib.MAX_WBITS | 32)  # zlib or gzip header
        while data:
            out = self._obj.decompress(data, CHUNK)
            if out:
                yield out
            data = self._obj.unconsumed_tail
            if self._obj.eof and self._obj.unused_data.strip(b"\x00"):
                data = self._obj.unused_data  # a further gzip member
                self._obj = zlib.decompressobj(zlib.MAX_WBITS | 32)


def decoded_body(
    chunks: Iterable[bytes], coding: str, *, max_bytes: int, source: str, url: str
) -> bytes:
    """The body from its raw ``chunks`` as sent with Content-Encoding ``coding``:
    inflated in bounded steps and cut off once ``max_bytes`` decoded bytes are
    exceeded (a gzip bomb is never inflated in full). Errors of the transport that
    yields ``chunks`` pass through for the caller to name."""
    coding = coding.strip().lower()
    inflater = Inflater(coding) if coding in ("gzip", "x-gzip", "deflate") else None
    if inflater is None and coding not in ("", "identity"):
        raise fetch_error(source, url, f"unsupported Content-Encoding {coding!r}")
    parts: list[bytes] = []
    size = 0
    try:
        for chunk in chunks:
            for piece in inflater.feed(chunk) if inflater else (chunk,):
                size += len(piece)
                if size > max_bytes:
                    raise fetch_error(
                        source, url, f"decoded body exceeds the cap of {max_bytes} bytes"
                    )
                parts.append(piece)
    except zlib.error as exc:
        raise fetch_error(source, url, f"corrupt {coding} body: {exc}") from exc
    return b"".join(parts)
