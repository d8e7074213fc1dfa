"""What a fetch returns, and what every fetcher (aiohttp, the in-memory fake) reads from
a response the same way: the result type, the errors naming the source, redirects, the
bounded inflation of a compressed body and the server's caching and back-off hints.

Nothing here does I/O, so the real fetcher and the fake give the same results and the
same messages for the same answers.
"""

from __future__ import annotations

import re
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from http import HTTPStatus
from urllib.parse import urljoin

from syndicator.errors import SourceError
from syndicator.retry_after import retry_after_seconds
from syndicator.sources.encoding import charset_from_content_type

__all__ = [
    "CHUNK",
    "MAX_REDIRECTS",
    "REDIRECTS",
    "BoundedBody",
    "FetchResult",
    "fetch_error",
    "over_cap",
    "parse_max_age",
    "parse_retry_after",
    "reason_phrase",
    "redirect_target",
    "result_of",
    "status_error",
]

CHUNK = 64 * 1024
MAX_REDIRECTS = 5
REDIRECTS = frozenset((301, 302, 303, 307, 308))
_MAX_AGE = re.compile(r"(?:^|[,\s])max-age\s*=\s*\"?(\d+)", re.I)

HeaderLookup = Callable[[str], str | None]


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
    get: HeaderLookup,
    etag: str | None,
    last_modified: str | None,
) -> FetchResult:
    """The result from a response's case-insensitive header lookup ``get(name)``; a 304
    keeps the validators sent when the server does not repeat them."""
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
        retry_after=parse_retry_after(get("retry-after")),
        content_type=content_type,
        encoding=charset_from_content_type(content_type) if content_type else None,
    )


def fetch_error(
    source: str, url: str, message: str, retry_after: float | None = None
) -> SourceError:
    """The one shape of a fetch failure: the source (else the URL) named first, the URL
    at the end."""
    return SourceError(source or url, f"{message} ({url})", retry_after=retry_after)


def reason_phrase(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return ""


def status_error(source: str, url: str, status: int, reason: str, get: HeaderLookup) -> SourceError:
    """``HTTP 503 Service Unavailable, retry after 120s``: an answer of 400 or more, with
    the wait a Retry-After asked for."""
    retry_after = parse_retry_after(get("retry-after"))
    message = f"HTTP {status} {reason}".strip()
    if retry_after is not None:
        message += f", retry after {retry_after:g}s"
    return fetch_error(source, url, message, retry_after)


def over_cap(source: str, url: str, length: int, max_bytes: int) -> SourceError:
    """A declared Content-Length over the cap: refused before any of it is read."""
    return fetch_error(source, url, f"body of {length} bytes exceeds the cap of {max_bytes}")


def redirect_target(url: str, location: str, source: str) -> str:
    """The absolute URL a redirect from ``url`` points to; only http(s) is followed."""
    try:
        target = urljoin(url, location.strip())
    except ValueError as exc:
        raise fetch_error(source, url, f"bad redirect Location {location[:200]!r}") from exc
    if not target.lower().startswith(("http://", "https://")):
        raise fetch_error(source, target, "redirect to a non-HTTP URL")
    return target


def parse_retry_after(value: str | None) -> float | None:
    """Seconds to wait from a Retry-After header (delta-seconds or an HTTP date);
    ``None`` when absent or malformed. The same reading as the adapters'."""
    return retry_after_seconds(value) if value else None


def parse_max_age(cache_control: str | None) -> float | None:
    if not cache_control:
        return None
    match = _MAX_AGE.search(cache_control)
    return float(match.group(1)) if match else None


class BoundedBody:
    """A body collected from its raw chunks as they arrive, sent with Content-Encoding
    ``coding``: gzip and deflate are inflated in steps of at most ``CHUNK`` bytes and
    the collection stops with a ``SourceError`` as soon as more than ``max_bytes``
    decoded bytes have come out, so a gzip bomb costs one chunk over the cap, never
    its full size. Several gzip members are read one after the other; "deflate" may
    be zlib-wrapped (RFC 9110) or raw (as IIS sends it)."""

    def __init__(self, coding: str, *, max_bytes: int, source: str, url: str) -> None:
        self.coding = coding.strip().lower()
        if self.coding not in ("", "identity", "gzip", "x-gzip", "deflate"):
            raise fetch_error(source, url, f"unsupported Content-Encoding {self.coding!r}")
        self._inflate = self.coding not in ("", "identity")
        self._zlib: zlib._Decompress | None = None
        self._parts: list[bytes] = []
        self._size = 0
        self._max_bytes, self._source, self._url = max_bytes, source, url

    def feed(self, data: bytes) -> None:
        """Take the next raw chunk."""
        if not self._inflate:
            self._keep(data)
            return
        try:
            self._feed_compressed(data)
        except zlib.error as exc:
            raise fetch_error(
                self._source, self._url, f"corrupt {self.coding} body: {exc}"
            ) from exc

    def finish(self) -> bytes:
        """The decoded body, once every chunk has been fed."""
        if self._zlib is not None:
            try:
                self._keep(self._zlib.flush())  # output zlib held back (at most a window)
            except zlib.error as exc:
                message = f"corrupt {self.coding} body: {exc}"
                raise fetch_error(self._source, self._url, message) from exc
        return b"".join(self._parts)

    def _feed_compressed(self, data: bytes) -> None:
        if self._zlib is None and data:
            raw = self.coding == "deflate" and (data[0] & 0x0F) != 8
            self._zlib = zlib.decompressobj(-zlib.MAX_WBITS if raw else zlib.MAX_WBITS | 32)
        inflater = self._zlib
        while data and inflater is not None:
            self._keep(inflater.decompress(data, CHUNK))
            data = inflater.unconsumed_tail
            if inflater.eof and inflater.unused_data.strip(b"\x00"):
                data = inflater.unused_data  # a further gzip member
                inflater = self._zlib = zlib.decompressobj(zlib.MAX_WBITS | 32)

    def _keep(self, piece: bytes) -> None:
        if not piece:
            return
        self._size += len(piece)
        if self._size > self._max_bytes:
            raise fetch_error(
                self._source, self._url, f"decoded body exceeds the cap of {self._max_bytes} bytes"
            )
        self._parts.append(piece)
