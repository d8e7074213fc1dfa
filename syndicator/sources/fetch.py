"""One place where syndicator talks HTTP to news sites.

Every fetch is bounded three ways: connect/read timeouts per packet, an overall
deadline (a server dripping one byte at a time is cut off), and a cap on the
*decoded* body size (a gzip bomb stops at the cap, it is never inflated in full).
Conditional GET with the stored ETag/Last-Modified keeps polls cheap, and what the
server says about caching (``max-age``) and back-off (``Retry-After``) is returned
for the scheduler.

Two transports give the same results and errors: the lean client of
``lite_http`` (our own HTTP/1.1 reader, keep-alive) for every fetch, and
``requests`` (imported only then) when the environment configured a proxy when
the session was made.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from urllib.parse import urljoin

from syndicator.sources.guard import FetchGuard, FetchRefused, host_of, parse_allow_list
from syndicator.sources.http_session import HttpSession
from syndicator.sources.lite_http import Guarded, Key, LiteClient, Sent, target_of
from syndicator.sources.responses import (
    FetchResult,
    decoded_body,
    fetch_error,
    parse_max_age,
    parse_retry_after,
    result_of,
)
from syndicator.sources.wire import DeadlineExceeded, Head, ProtocolError, Wire, iter_body

__all__ = [
    "DEFAULT_USER_AGENT",
    "FetchResult",
    "HttpSession",
    "fetch",
    "fetch_image",
    "make_session",
    "parse_max_age",
    "parse_retry_after",
    "request_tail",
    "transport_failure",
]

log = logging.getLogger(__name__)

DEFAULT_USER_AGENT = "syndicator/0.1 (+https://github.com/syndicator/syndicator)"
_ACCEPT = (
    "application/rss+xml, application/atom+xml, application/feed+json, "
    "application/xml;q=0.9, text/xml;q=0.9, text/html;q=0.9, */*;q=0.5"
)
_REDIRECTS = frozenset((301, 302, 303, 307, 308))
_SMALL = 64 * 1024  # a redirect body up to this size is read so the connection is kept


def make_session(
    user_agent: str | None = None, *, pool_size: int = 64, allow_private: Sequence[str] = ()
) -> HttpSession:
    """A session for one poller: a clear User-Agent, gzip/deflate only (the
    encodings whose inflation we bound ourselves), at most 5 redirects, no
    automatic retries (the scheduler owns back-off). ``pool_size`` idle
    connections are kept per host (set it to the poll concurrency);
    ``allow_private``: the ``[fetch] allow_private`` networks of the guard."""
    headers = {
        "User-Agent": user_agent or DEFAULT_USER_AGENT,
        "Accept": _ACCEPT,
        "Accept-Encoding": "gzip, deflate",
    }
    guard = FetchGuard(parse_allow_list(allow_private))
    return HttpSession(headers, pool_size=pool_size, max_redirects=5, guard=guard)


def fetch(
    session: HttpSession,
    url: str,
    *,
    etag: str | None = None,
    last_modified: str | None = None,
    timeout: float = 10.0,
    deadline: float = 30.0,
    max_bytes: int = 10_000_000,
    source: str = "",
    sent: Sent | None = None,
    own_host: str | None = None,
) -> FetchResult:
    """GET ``url`` within the bounds above. Raises ``SourceError`` naming
    ``source`` on HTTP >= 400 (with ``retry_after`` from a 429/503), a timeout,
    the deadline, the size cap, a response that is not HTTP, or a URL or address
    the session's guard refuses (checked for ``url`` and every redirect, and at
    connect time). ``own_host``: the host the fetch is made for, whose addresses
    are allowed even when private (the source's configured host); None: the host
    of ``url`` itself (a URL the caller chose); "": none. ``sent``: the
    conditional sweep already wrote this request (its ``ends_at`` set); the fetch
    goes on from its answer."""
    own = host_of(url) if own_host is None else own_host
    guarded = Guarded(session.guard, own)
    _check(guarded, url, source)
    if session.proxied:
        from syndicator.sources.fetch_requests import fetch_with_requests

        return fetch_with_requests(
            session.requests_session(),
            url,
            etag,
            last_modified,
            timeout,
            deadline,
            max_bytes,
            source,
            lambda target: _check(guarded, target, source),
        )
    ends_at = sent.wire.ends_at if sent is not None else time.monotonic() + deadline
    tail = request_tail(session, etag, last_modified)
    lite = session.lite
    for _ in range(session.max_redirects + 1):
        try:
            target = target_of(url)
            request = (target.start + tail).encode("latin-1")
        except ValueError as exc:
            raise fetch_error(source, url, f"cannot fetch: {exc}") from exc
        try:
            wire, head = lite.send(target, request, timeout, ends_at, sent, guarded)
        except (OSError, ProtocolError) as exc:
            raise transport_failure(exc, source, url, "cannot fetch", timeout, deadline) from exc
        sent = None  # a redirect's next request goes out here
        status, get = head.status, head.headers.get
        hint = get("retry-after")
        retry_after = parse_retry_after(hint) if hint else None
        location = get("location") if status in _REDIRECTS else None
        if location or status >= 400:
            _skip_body(wire, head, lite, target.key)  # the wire is kept or closed
            if location:
                url = _redirect(url, location, source)
                _check(guarded, url, source)
                continue
            reason = f"HTTP {status} {head.reason}".strip()
            if retry_after is not None:
                reason += f", retry after {retry_after:g}s"
            raise fetch_error(source, url, reason, retry_after)
        try:
            body = (
                _read_body(wire, head, url, max_bytes, timeout, deadline, source)
                if head.length
                else b""
            )
        except BaseException:
            wire.close()
            raise
        if head.keep_alive:
            lite.release(target.key, wire)
        else:
            wire.close()
        log.debug("fetched %s: %s, %d bytes", url, status, len(body))
        return result_of(url, status, body, get, etag, last_modified, retry_after)
    raise fetch_error(source, url, "too many redirects")


def request_tail(session: HttpSession, etag: str | None, last_modified: str | None) -> str:
    """The request's headers after its request line and Host: fixed ones, then the
    validators of a conditional GET, then the blank line."""
    tail = session.header_block
    if etag:
        tail += f"If-None-Match: {etag}\r\n"
    if last_modified:
        tail += f"If-Modified-Since: {last_modified}\r\n"
    return tail + "\r\n"


def _check(guarded: Guarded, url: str, source: str) -> None:
    """Refuse ``url`` for its scheme, host spelling or literal address."""
    reason = guarded.guard.url_refusal(url, guarded.own_host)
    if reason:
        raise fetch_error(source, url, f"refused: {reason}")


def _redirect(url: str, location: str, source: str) -> str:
    try:
        target = urljoin(url, location.strip())
    except ValueError as exc:
        raise fetch_error(source, url, f"bad redirect Location {location[:200]!r}") from exc
    if not target.lower().startswith(("http://", "https://")):
        raise fetch_error(source, target, "redirect to a non-HTTP URL")
    return target


def transport_failure(
    exc: BaseException, source: str, url: str, what: str, timeout: float, deadline: float
) -> Exception:
    """The SourceError for a transport failure, saying which bound was hit."""
    if isinstance(exc, FetchRefused):
        return fetch_error(source, url, f"refused: {exc.reason}")
    if isinstance(exc, DeadlineExceeded):
        return fetch_error(source, url, f"deadline of {deadline:g}s exceeded")
    if isinstance(exc, TimeoutError):
        return fetch_error(source, url, f"timed out after {timeout:g}s")
    if isinstance(exc, ProtocolError):
        return fetch_error(source, url, f"not a valid HTTP response: {exc}")
    return fetch_error(source, url, f"{what}: {exc}")


def _skip_body(wire: Wire, head: Head, lite: LiteClient, key: Key) -> None:
    """Read the (small) body of a redirect or an error so its connection can serve
    the next request; a long, unframed or broken one costs the connection instead."""
    if head.keep_alive and 0 <= head.length <= _SMALL:
        try:
            for _ in iter_body(wire, head):
                pass
        except (OSError, ProtocolError):
            wire.close()
            return
        lite.release(key, wire)
    else:
        wire.close()


def _read_body(
    wire: Wire,
    head: Head,
    url: str,
    max_bytes: int,
    timeout: float,
    deadline: float,
    source: str,
) -> bytes:
    if head.length > max_bytes:
        raise fetch_error(
            source, url, f"body of {head.length} bytes exceeds the cap of {max_bytes}"
        )
    try:
        body = decoded_body(
            iter_body(wire, head),
            head.headers.get("content-encoding", ""),
            max_bytes=max_bytes,
            source=source,
            url=url,
        )
    except ProtocolError as exc:
        raise fetch_error(source, url, f"connection broken while reading: {exc}") from exc
    except OSError as exc:
        raise transport_failure(
            exc, source, url, "connection broken while reading", timeout, deadline
        ) from exc
    if time.monotonic() >= wire.ends_at:
        raise fetch_error(source, url, f"deadline of {deadline:g}s exceeded")
    return body


def fetch_image(
    session: HttpSession,
    url: str,
    *,
    max_bytes: int = 5_000_000,
    max_pixels: int = 40_000_000,
    timeout: float = 10.0,
    deadline: float = 20.0,
    source: str = "",
    own_host: str,
) -> tuple[bytes, str]:
    """Download a lead image within the size cap and return ``(data, mime)``; the
    declared dimensions are checked before any pixel is decoded. ``own_host``: the
    host of the article's source (see ``fetch``); an image elsewhere must be on a
    public address."""
    from syndicator.sources.images import image_mime

    result = fetch(
        session,
        url,
        timeout=timeout,
        deadline=deadline,
        max_bytes=max_bytes,
        source=source,
        own_host=own_host,
    )
    return result.body, image_mime(result.body, max_pixels=max_pixels, source=source, url=url)
