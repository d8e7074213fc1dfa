"""``fetch`` through ``requests``, for environments that configure a proxy.

Imported only then: requests and urllib3 cost 0.2-0.3 s to import, which a poll
process without a proxy never pays. Same bounds, errors and result as the lean
client; the overall deadline is enforced by ``deadline.Deadline`` on the
session's connections (``HttpSession.requests_session`` mounts its adapter).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from typing import Any
from urllib.parse import urljoin

import requests
import urllib3

from syndicator.sources.deadline import Deadline
from syndicator.sources.responses import (
    CHUNK,
    FetchResult,
    decoded_body,
    fetch_error,
    parse_retry_after,
    result_of,
)

__all__ = ["fetch_with_requests"]

log = logging.getLogger(__name__)


def fetch_with_requests(
    session: requests.Session,
    url: str,
    etag: str | None,
    last_modified: str | None,
    timeout: float,
    deadline: float,
    max_bytes: int,
    source: str,
    check: Callable[[str], None],
) -> FetchResult:
    """``check(url)`` raises for a URL the guard refuses: it sees every redirect's
    target before it is followed. (The proxy resolves names and connects, so the
    connect-time address check of the lean client cannot be made here.)"""
    headers: dict[str, str] = {}

    def refuse_redirect(response: requests.Response, *args: Any, **kwargs: Any) -> None:
        location = response.headers.get("Location") if response.is_redirect else None
        if location:
            check(urljoin(response.url, location))

    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    with Deadline(deadline) as clock:
        try:
            response = session.get(
                url,
                headers=headers,
                stream=True,
                timeout=(timeout, timeout),
                allow_redirects=True,
                hooks={"response": refuse_redirect},
            )
        except requests.TooManyRedirects as exc:
            raise fetch_error(source, url, "too many redirects") from exc
        except requests.Timeout as exc:
            if clock.check():
                raise fetch_error(source, url, f"deadline of {deadline:g}s exceeded") from exc
            raise fetch_error(source, url, f"timed out after {timeout:g}s") from exc
        except (requests.RequestException, OSError) as exc:
            if clock.check():
                raise fetch_error(source, url, f"deadline of {deadline:g}s exceeded") from exc
            raise fetch_error(source, url, f"cannot fetch: {exc}") from exc
        status = response.status_code
        head = response.headers
        retry_after = parse_retry_after(head.get("Retry-After"))
        if status >= 400:
            response.close()
            reason = f"HTTP {status} {response.reason or ''}".strip()
            if retry_after is not None:
                reason += f", retry after {retry_after:g}s"
            raise fetch_error(source, response.url, reason, retry_after)
        if status == 304:
            response.close()
            body = b""
        else:
            body = _read_body(response, max_bytes=max_bytes, deadline=clock, source=source)
    log.debug("fetched %s through requests: %s, %d bytes", url, status, len(body))
    return result_of(response.url, status, body, head.get, etag, last_modified, retry_after)


def _read_body(
    response: requests.Response, *, max_bytes: int, deadline: Deadline, source: str
) -> bytes:
    url = response.url
    length = response.headers.get("Content-Length", "")
    if length.isdigit() and int(length) > max_bytes:
        raise fetch_error(
            source, url, f"body of {int(length)} bytes exceeds the cap of {max_bytes}"
        )
    raw = response.raw

    def chunks() -> Iterator[bytes]:
        while not deadline.check():
            chunk = raw.read1(CHUNK, decode_content=False)
            if not chunk:
                return
            yield chunk

    try:
        body = decoded_body(
            chunks(),
            response.headers.get("Content-Encoding", ""),
            max_bytes=max_bytes,
            source=source,
            url=url,
        )
    except (urllib3.exceptions.HTTPError, requests.RequestException, OSError) as exc:
        if deadline.check():
            raise fetch_error(source, url, f"deadline of {deadline.seconds:g}s exceeded") from exc
        raise fetch_error(source, url, f"connection broken while reading: {exc}") from exc
    finally:
        response.close()
    if deadline.check():
        raise fetch_error(source, url, f"deadline of {deadline.seconds:g}s exceeded")
    return body
