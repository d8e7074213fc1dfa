"""What Meta's three publishing APIs share: the Graph API error object and how its
codes map onto our kinds, the usage headers, and a client that reads both (the
container flow of Instagram and Threads is in ``_containers``).

Sources (developers.facebook.com): "Handling Errors" (graph-api/guides/error-handling:
``{"error": {"message", "type", "code", "error_subcode", "is_transient",
"fbtrace_id"}}``; 190 = token invalid or expired, subcode 463 expired; 10 and 200-299 =
permission; 4, 17, 32, 613 and 80001-80014 = rate limits; 1, 2 = temporary),
"Rate Limiting" (graph-api/overview/rate-limiting: ``X-App-Usage`` and ``X-Page-Usage``
give ``call_count``, ``total_cputime``, ``total_time`` as percentages; the
``X-Business-Use-Case-Usage`` object adds ``estimated_time_to_regain_access`` in
minutes).
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Callable, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

import requests

from syndicator.adapter import SharedCache
from syndicator.errors import AlreadyPosted, AuthFailed, RateLimited, Rejected, Transient
from syndicator.secrets import redact

from ._common import json_object

log = logging.getLogger(__name__)

_RATE_LIMIT_CODES = frozenset({4, 17, 32, 613, *range(80001, 80015)})
_PERMISSION_CODES = frozenset({10, *range(200, 300)})
_AUTH_CODES = frozenset({102, 190})
_TRANSIENT_CODES = frozenset({1, 2})
_DUPLICATE_CODE = 506  # "Duplicate status message"
#: Instagram's "The account has reached its publishing limit" (code 9, this subcode).
_IG_PUBLISH_LIMIT_SUBCODE = 2207042
#: How much of a usage window we use up before pausing the target (per cent).
PAUSE_AT_PERCENT = 90
_DEFAULT_PAUSE = timedelta(minutes=15)
_USAGE_HEADERS = ("x-app-usage", "x-page-usage", "x-ad-account-usage")


_GRAPH_ID = re.compile(r"[0-9]{1,40}(?:_[0-9]{1,40})?")


def is_graph_id(value: str) -> bool:
    """Whether ``value`` looks like a Graph object id (digits, or page_post digits): only
    such a value is put into a URL path or kept in the shared cache."""
    return _GRAPH_ID.fullmatch(value) is not None


def graph_error(response: requests.Response, *, platform: str) -> None:
    """Raise the kind that a Graph API error answer means; return when it is none."""
    if response.status_code < 400:
        return
    error = json_object(response).get("error")
    error = error if isinstance(error, dict) else {}
    code = _int(error.get("code"))
    subcode = _int(error.get("error_subcode"))
    message = redact(str(error.get("message") or f"HTTP {response.status_code}"))
    detail = f"{platform} answered HTTP {response.status_code}: {message}"
    if code is not None:
        detail += f" (code {code}" + (f", subcode {subcode})" if subcode else ")")
    if code in _RATE_LIMIT_CODES or subcode == _IG_PUBLISH_LIMIT_SUBCODE:
        raise RateLimited(detail, retry_at=_regain_at(response.headers), platform_message=message)
    if code in _AUTH_CODES:
        raise AuthFailed(detail + ": renew the access_token", platform_message=message)
    if code in _PERMISSION_CODES:
        raise AuthFailed(detail + ": the token lacks a permission", platform_message=message)
    if code == _DUPLICATE_CODE:
        raise AlreadyPosted(detail)
    if code in _TRANSIENT_CODES or error.get("is_transient") or response.status_code >= 500:
        raise Transient(detail, platform_message=message)
    if response.status_code == 429:
        raise RateLimited(detail, retry_at=_regain_at(response.headers), platform_message=message)
    if response.status_code == 401:
        raise AuthFailed(detail, platform_message=message)
    raise Rejected(detail, platform_message=message)


def _int(value: object) -> int | None:
    try:
        return int(str(value))
    except ValueError:
        return None


def usage_percent(headers: Mapping[str, str]) -> tuple[int, int]:
    """The highest usage any header reports (per cent of a window) and the longest
    ``estimated_time_to_regain_access`` (minutes); ``(0, 0)`` when none is sent."""
    lowered = {k.lower(): v for k, v in headers.items()}
    highest, regain = 0, 0
    for name in _USAGE_HEADERS:
        highest = max(highest, _max_percent(_loads(lowered.get(name))))
    buc = _loads(lowered.get("x-business-use-case-usage"))
    if isinstance(buc, dict):
        for entries in buc.values():
            for entry in entries if isinstance(entries, list) else []:
                if isinstance(entry, dict):
                    highest = max(highest, _max_percent(entry))
                    regain = max(regain, _int(entry.get("estimated_time_to_regain_access")) or 0)
    return highest, regain


def _loads(value: str | None) -> Any:
    if not value:
        return None
    try:
        return json.loads(value)
    except ValueError:
        return None


def _max_percent(usage: Any) -> int:
    if not isinstance(usage, dict):
        return 0
    keys = ("call_count", "total_cputime", "total_time", "acc_id_util_pct")
    return max((_int(usage.get(k)) or 0 for k in keys), default=0)


def _regain_at(headers: Mapping[str, str]) -> datetime | None:
    _, regain = usage_percent(headers)
    return datetime.now(UTC) + timedelta(minutes=regain) if regain else None


class UsageGuard:
    """Pauses a target *before* Meta's limit: each answer's usage headers are kept in
    the shared cache, and while the last reading is at ``PAUSE_AT_PERCENT`` or more,
    ``check`` raises ``RateLimited`` without calling the platform (the engine then
    pauses the target until the usage has had time to fall)."""

    def __init__(self, cache: SharedCache, key: str, *, platform: str) -> None:
        self._cache, self._key, self._platform = cache, key, platform

    def observe(self, headers: Mapping[str, str]) -> None:
        percent, regain = usage_percent(headers)
        if percent < PAUSE_AT_PERCENT:
            return
        pause = timedelta(minutes=regain) if regain else _DEFAULT_PAUSE
        until = datetime.now(UTC) + pause
        self._cache.put(
            self._key, f"{percent}|{until.isoformat()}", ttl_seconds=pause.total_seconds()
        )
        log.warning("%s usage at %d%%: pausing until %s", self._platform, percent, until)

    def check(self) -> None:
        value = self._cache.get(self._key)
        if not value:
            return
        percent, _, until = value.partition("|")
        raise RateLimited(
            f"{self._platform}: usage at {percent}% of the platform's limit; paused "
            "before reaching it",
            retry_at=datetime.fromisoformat(until),
        )


class GraphClient:
    """Calls on one Graph API host (graph.facebook.com, graph.instagram.com or
    graph.threads.net) at a pinned version, the token sent as a Bearer header (never
    in a URL, so never in a log line), every answer's usage headers observed."""

    def __init__(
        self,
        *,
        root: str,
        version: str,
        token: Callable[[], str],
        platform: str,
        guard: UsageGuard | None = None,
    ) -> None:
        from ._common import make_session

        self._root = f"{root.rstrip('/')}/{version}"
        self._token = token
        self.platform = platform
        self.guard = guard
        self._session = make_session()

    def call(self, method: str, path: str, **kwargs: Any) -> dict[str, Any]:
        from ._common import send

        headers = {"Authorization": f"Bearer {self._token()}"}
        response = send(
            self._session,
            method,
            f"{self._root}/{path.lstrip('/')}",
            platform=self.platform,
            headers=headers,
            **kwargs,
        )
        if self.guard is not None:
            self.guard.observe(response.headers)
        graph_error(response, platform=self.platform)
        return json_object(response)

    def close(self) -> None:
        self._session.close()
