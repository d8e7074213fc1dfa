"""One place where syndicator talks HTTP to news sites.

Every fetch is bounded three ways: connect/read timeouts per packet, an overall
deadline (a server dripping one byte at a time is cut off), and a cap on the
*decoded* body size (a gzip bomb stops at the cap, it is never inflated in full).
Conditional GET with the stored ETag/Last-Modified keeps polls cheap, and what the
server says about caching (``max-age``) and back-off (``Retry-After``) is returned
for the scheduler.
"""

from __future__ import annotations

import http.client
import logging
import re
import time
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import urljoin, urlsplit

import requests
import urllib3

from syndicator.errors import SourceError
from syndicator.sources.deadline import Deadline, DeadlineAdapter
from syndicator.sources.encoding import charset_from_content_type
from syndicator.sources.lite_http import RETRYABLE, LiteClient, proxies_configured

__all__ = ["DEFAULT_USER_AGENT", "FetchResult", "fetch", "fetch_image", "make_session"]

log = logging.getLogger(__name__)

DEFAULT_USER_AGENT = "syndicator/0.1 (+https://github.com/syndicator/syndicator)"
_ACCEPT = (
    "application/rss+xml, application/atom+xml, application/feed+json, "
    "application/xml;q=0.9, text/xml;q=0.9, text/html;q=0.9, */*;q=0.5"
)
_CHUNK = 64 * 1024
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


def make_session(user_agent: str | None = None, *, pool_size: int = 64) -> requests.Session:
    """A session for one poller: a clear User-Agent, gzip/deflate only (the
    encodings whose inflation we bound ourselves), no automatic retries (the
    scheduler owns back-off) and connections that obey fetch deadlines.
    ``pool_size`` idle connections are kept per host (set it to the poll
    concurrency). Plain GETs of ``fetch`` take the lean client of ``lite_http``."""
    session = requests.Session()
    session.headers.update(
        {
            "User-Agent": user_agent or DEFAULT_USER_AGENT,
            "Accept": _ACCEPT,
            "Accept-Encoding": "gzip, deflate",
        }
    )
    session.max_redirects = 5
    adapter = DeadlineAdapter(pool_connections=20, pool_maxsize=pool_size, max_retries=0)
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    session.syndicator_lite = LiteClient(keep=pool_size)  # type: ignore[attr-defined]
    return session


def parse_retry_after(value: str | None) -> float | None:
    """Seconds to wait from a Retry-After header (delta-seconds or an HTTP date)."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - datetime.now(UTC)).total_seconds())


def parse_max_age(cache_control: str | None) -> float | None:
    match = _MAX_AGE.search(cache_control or "")
    return float(match.group(1)) if match else None


class _Inflater:
    """Decompresses gzip/deflate in bounded steps, so output never runs ahead of
    the cap by more than one chunk."""

    def __init__(self, coding: str) -> None:
        self.coding = coding
        self._first = True
        self._obj: Any = None

    def feed(self, data: bytes) -> Iterator[bytes]:
        if self._obj is None:
            if self.coding == "deflate" and data[:1] and (data[0] & 0x0F) != 8:
                self._obj = zlib.decompressobj(-zlib.MAX_WBITS)  # raw deflate, as IIS sends it
            else:
                self._obj = zlib.decompressobj(zlib.MAX_WBITS | 32)  # zlib or gzip header
        while data:
            out = self._obj.decompress(data, _CHUNK)
            if out:
                yield out
            data = self._obj.unconsumed_tail
            if self._obj.eof and self._obj.unused_data.strip(b"\x00"):
                data = self._obj.unused_data  # a further gzip member
                self._obj = zlib.decompressobj(zlib.MAX_WBITS | 32)


def _fail(source: str, url: str, message: str, retry_after: float | None = None) -> SourceError:
    return SourceError(source or url, f"{message} ({url})", retry_after=retry_after)


def _read_body(
    response: requests.Response, *, max_bytes: int, deadline: Deadline, source: str
) -> bytes:
    url = response.url
    length = response.headers.get("Content-Length", "")
    if length.isdigit() and int(length) > max_bytes:
        raise _fail(source, url, f"body of {int(length)} bytes exceeds the cap of {max_bytes}")
    coding = response.headers.get("Content-Encoding", "").strip().lower()
    inflater = _Inflater(coding) if coding in ("gzip", "x-gzip", "deflate") else None
    own_decoding = inflater is not None or coding in ("", "identity")
    raw = response.raw
    parts: list[bytes] = []
    size = 0
    try:
        while True:
            if deadline.check():
                break
            chunk = raw.read1(_CHUNK, decode_content=not own_decoding)
            if not chunk:
                break
            for piece in inflater.feed(chunk) if inflater else (chunk,):
                size += len(piece)
                if size > max_bytes:
                    raise _fail(source, url, f"decoded body exceeds the cap of {max_bytes} bytes")
                parts.append(piece)
    except zlib.error as exc:
        raise _fail(source, url, f"corrupt {coding} body: {exc}") from exc
    except (urllib3.exceptions.HTTPError, requests.RequestException, OSError) as exc:
        if deadline.check():
            raise _fail(source, url, f"deadline of {deadline.seconds:g}s exceeded") from exc
        raise _fail(source, url, f"connection broken while reading: {exc}") from exc
    finally:
        response.close()
    if deadline.check():
        raise _fail(source, url, f"deadline of {deadline.seconds:g}s exceeded")
    return b"".join(parts)


def fetch(
    session: requests.Session,
    url: str,
    *,
    etag: str | None = None,
    last_modified: str | None = None,
    timeout: float = 10.0,
    deadline: float = 30.0,
    max_bytes: int = 10_000_000,
    source: str = "",
) -> FetchResult:
    """GET ``url`` within the bounds above. Raises ``SourceError`` naming
    ``source`` on HTTP >= 400 (with ``retry_after`` from a 429/503), a timeout,
    the deadline or the size cap."""
    if not url.lower().startswith(("http://", "https://")):
        raise _fail(source, url, "only http:// and https:// URLs can be fetched")
    headers: dict[str, str] = {}
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    lite = getattr(session, "syndicator_lite", None)
    if lite is not None and not proxies_configured():
        return _fetch_lite(
            lite, session, url, headers, etag, last_modified, timeout, deadline, max_bytes, source
        )
    started = time.monotonic()
    with Deadline(deadline) as clock:
        try:
            response = session.get(
                url, headers=headers, stream=True, timeout=(timeout, timeout), allow_redirects=True
            )
        except requests.TooManyRedirects as exc:
            raise _fail(source, url, "too many redirects") from exc
        except requests.Timeout as exc:
            raise _fail(source, url, f"timed out after {timeout:g}s") from exc
        except (requests.RequestException, OSError) as exc:
            if clock.check():
                raise _fail(source, url, f"deadline of {deadline:g}s exceeded") from exc
            raise _fail(source, url, f"cannot fetch: {exc}") from exc
        status = response.status_code
        head = response.headers
        retry_after = parse_retry_after(head.get("Retry-After"))
        max_age = parse_max_age(head.get("Cache-Control"))
        if status >= 400:
            response.close()
            reason = f"HTTP {status} {response.reason or ''}".strip()
            if retry_after is not None:
                reason += f", retry after {retry_after:g}s"
            raise _fail(source, response.url, reason, retry_after)
        if status == 304:
            response.close()
            body = b""
        else:
            body = _read_body(response, max_bytes=max_bytes, deadline=clock, source=source)
    content_type = head.get("Content-Type", "")
    elapsed = time.monotonic() - started
    log.debug("fetched %s: %s, %d bytes in %.2fs", url, status, len(body), elapsed)
    return FetchResult(
        url=response.url,
        status=status,
        body=body,
        etag=head.get("ETag") or (etag if status == 304 else None),
        last_modified=head.get("Last-Modified") or (last_modified if status == 304 else None),
        not_modified=status == 304,
        max_age=max_age,
        retry_after=retry_after,
        content_type=content_type,
        encoding=charset_from_content_type(content_type),
    )


_REDIRECTS = (301, 302, 303, 307, 308)


def _lite_exchange(
    lite: LiteClient, url: str, headers: dict[str, str], timeout: float, ends_at: float
) -> tuple[http.client.HTTPConnection, http.client.HTTPResponse, int | None, tuple[str, str, int]]:
    """Send one GET and read the head; a kept-alive connection the server has closed
    meanwhile is replaced once by a fresh one."""
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    port = parts.port or (443 if scheme == "https" else 80)
    where = (scheme, parts.hostname or "", port)
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    host_header = parts.netloc.rsplit("@", 1)[-1]
    for attempt in (0, 1):
        conn, reused = lite.connection(*where, timeout)
        token = None
        try:
            if conn.sock is None:
                conn.connect()
            token = lite.watch(conn, ends_at)
            conn.putrequest("GET", target, skip_host=True, skip_accept_encoding=True)
            conn.putheader("Host", host_header)
            for name, value in headers.items():
                conn.putheader(name, value)
            conn.endheaders()
            return conn, conn.getresponse(), token, where
        except RETRYABLE:
            lite.unwatch(token)
            conn.close()
            if not reused or attempt:
                raise
        except BaseException:
            lite.unwatch(token)
            conn.close()
            raise
    raise AssertionError("unreachable")


def _fetch_lite(
    lite: LiteClient,
    session: requests.Session,
    url: str,
    conditional: dict[str, str],
    etag: str | None,
    last_modified: str | None,
    timeout: float,
    deadline: float,
    max_bytes: int,
    source: str,
) -> FetchResult:
    """``fetch`` on the lean client: same bounds, same errors, same result."""
    ends_at = time.monotonic() + deadline
    headers = {
        name: value if isinstance(value, str) else value.decode("latin-1")
        for name, value in session.headers.items()
    }
    headers.update(conditional)
    for _ in range(6):
        try:
            conn, response, token, where = _lite_exchange(lite, url, headers, timeout, ends_at)
        except (OSError, http.client.HTTPException) as exc:
            if time.monotonic() >= ends_at:
                raise _fail(source, url, f"deadline of {deadline:g}s exceeded") from exc
            if isinstance(exc, TimeoutError):
                raise _fail(source, url, f"timed out after {timeout:g}s") from exc
            raise _fail(source, url, f"cannot fetch: {exc}") from exc
        try:
            status, head = response.status, response.headers
            location = head.get("Location")
            if status in _REDIRECTS and location:
                response.read()  # small; lets the connection be reused
                url = urljoin(url, location.strip())
                if not url.lower().startswith(("http://", "https://")):
                    raise _fail(source, url, "redirect to a non-HTTP URL")
                continue
            retry_after = parse_retry_after(head.get("Retry-After"))
            if status >= 400:
                reason = f"HTTP {status} {response.reason or ''}".strip()
                if retry_after is not None:
                    reason += f", retry after {retry_after:g}s"
                raise _fail(source, url, reason, retry_after)
            if status == 304:
                body = response.read()  # empty; marks the response done, so the
                # connection goes back to the pool
            else:
                body = _read_lite_body(response, url, head, max_bytes, ends_at, deadline, source)
        except BaseException:
            conn.close()
            raise
        finally:
            lite.unwatch(token)
        if response.isclosed() and not response.will_close:
            lite.release(*where, conn)
        else:
            conn.close()
        content_type = head.get("Content-Type", "")
        log.debug("fetched %s: %s, %d bytes", url, status, len(body))
        return FetchResult(
            url=url,
            status=status,
            body=body,
            etag=head.get("ETag") or (etag if status == 304 else None),
            last_modified=head.get("Last-Modified") or (last_modified if status == 304 else None),
            not_modified=status == 304,
            max_age=parse_max_age(head.get("Cache-Control")),
            retry_after=retry_after,
            content_type=content_type,
            encoding=charset_from_content_type(content_type),
        )
    raise _fail(source, url, "too many redirects")


def _read_lite_body(
    response: http.client.HTTPResponse,
    url: str,
    head: Any,
    max_bytes: int,
    ends_at: float,
    deadline: float,
    source: str,
) -> bytes:
    length = head.get("Content-Length", "")
    if length.isdigit() and int(length) > max_bytes:
        raise _fail(source, url, f"body of {int(length)} bytes exceeds the cap of {max_bytes}")
    coding = head.get("Content-Encoding", "").strip().lower()
    inflater = _Inflater(coding) if coding in ("gzip", "x-gzip", "deflate") else None
    if inflater is None and coding not in ("", "identity"):
        raise _fail(source, url, f"unsupported Content-Encoding {coding!r}")
    parts: list[bytes] = []
    size = 0
    try:
        while True:
            chunk = response.read1(_CHUNK)
            if not chunk:
                break
            for piece in inflater.feed(chunk) if inflater else (chunk,):
                size += len(piece)
                if size > max_bytes:
                    raise _fail(source, url, f"decoded body exceeds the cap of {max_bytes} bytes")
                parts.append(piece)
            if time.monotonic() >= ends_at:
                break
    except zlib.error as exc:
        raise _fail(source, url, f"corrupt {coding} body: {exc}") from exc
    except (OSError, http.client.HTTPException) as exc:
        if time.monotonic() >= ends_at:
            raise _fail(source, url, f"deadline of {deadline:g}s exceeded") from exc
        raise _fail(source, url, f"connection broken while reading: {exc}") from exc
    if time.monotonic() >= ends_at:
        raise _fail(source, url, f"deadline of {deadline:g}s exceeded")
    return b"".join(parts)


def fetch_image(
    session: requests.Session,
    url: str,
    *,
    max_bytes: int = 5_000_000,
    max_pixels: int = 40_000_000,
    timeout: float = 10.0,
    deadline: float = 20.0,
    source: str = "",
) -> tuple[bytes, str]:
    """Download a lead image within the size cap and return ``(data, mime)``; the
    declared dimensions are checked before any pixel is decoded."""
    from syndicator.sources.images import image_mime

    result = fetch(
        session, url, timeout=timeout, deadline=deadline, max_bytes=max_bytes, source=source
    )
    return result.body, image_mime(result.body, max_pixels=max_pixels, source=source, url=url)
