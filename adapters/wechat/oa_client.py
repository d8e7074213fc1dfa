"""The WeChat Official Account HTTP API: one shared access_token and errcode handling.

Every call carries an ``access_token`` that lives 7200 s and may be fetched only about
2000 times a day per account, and fetching a new one retires the old one for every
other holder. So the token is kept in ``Target.cache`` (shared by all processes on the
same post log), renewed five minutes early, and when WeChat still says it is invalid or
expired (40001, 40014, 42001) it is replaced once and the call repeated once.

WeChat answers HTTP 200 with ``{"errcode": N, "errmsg": "..."}``; ``raise_for_errcode``
turns N into the engine's error kinds. Neither the AppSecret nor the token ever appears
in a message: errors name the API path, never the URL with its query.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from syndicator.adapter import SharedCache
from syndicator.errors import AuthFailed, RateLimited, Rejected, Transient
from syndicator.secrets import shorten

log = logging.getLogger(__name__)

TOKEN_ERRORS = frozenset({40001, 40014, 42001})
AUTH_ERRORS = frozenset({40013, 40125, 40164, 40243, 41001, 41002, 41004, 48001, 61023})
PUBLISH_REJECTIONS = {
    53503: "the draft did not pass the publish check",
    53504: "this draft must be published on the mp.weixin.qq.com website",
    53505: "save the draft manually on the MP website before publishing",
}
RENEW_EARLY_SECONDS = 300
SHANGHAI = ZoneInfo("Asia/Shanghai")


def next_midnight_shanghai(now: datetime | None = None) -> datetime:
    """When WeChat's daily quotas reset: the next 00:00 in China (UTC+8), as UTC."""
    local = (now or datetime.now(UTC)).astimezone(SHANGHAI)
    midnight = datetime.combine(local.date() + timedelta(days=1), datetime.min.time(), SHANGHAI)
    return midnight.astimezone(UTC)


def raise_for_errcode(data: dict[str, Any], action: str) -> None:
    """Raise the error kind for a non-zero ``errcode``; return on success."""
    code = data.get("errcode", 0)
    if not code:
        return
    message = shorten(str(data.get("errmsg", "")), 300)
    said = f"{action}: WeChat errcode {code} ({message})"
    if code == -1:
        raise Transient(f"{said}: system busy, will retry", platform_message=message)
    if code == 45009:
        raise RateLimited(
            f"{said}: daily API quota reached; it resets at midnight China time",
            retry_at=next_midnight_shanghai(),
            platform_message=message,
        )
    if code in PUBLISH_REJECTIONS:
        raise Rejected(f"{said}: {PUBLISH_REJECTIONS[code]}", platform_message=message)
    if code in TOKEN_ERRORS or code in AUTH_ERRORS:
        raise AuthFailed(
            f"{said}: check the appid, the app_secret and the server IP whitelist",
            platform_message=message,
        )
    raise Rejected(said, platform_message=message)


class OfficialAccountClient:
    """Calls to ``{base_url}/cgi-bin/...`` with the shared token."""

    def __init__(
        self,
        base_url: str,
        appid: str,
        secret: Callable[[], str],
        cache: SharedCache,
        *,
        timeout: float = 20.0,
    ) -> None:
        import requests

        self.base_url = base_url.rstrip("/")
        self.appid = appid
        self._secret = secret
        self.cache = cache
        self.timeout = timeout
        self.session = requests.Session()
        self.cache_key = f"wechat_oa:access_token:{appid}"

    def close(self) -> None:
        self.session.close()

    def token(self, *, replacing: str | None = None) -> str:
        """The shared token. With ``replacing`` (a token WeChat refused), another
        process may already have renewed it; only fetch when the cache still holds the
        refused one."""
        cached = self.cache.get(self.cache_key)
        if cached and cached != replacing:
            return cached
        data = self._request(
            "GET",
            "/cgi-bin/token",
            params={
                "grant_type": "client_credential",
                "appid": self.appid,
                "secret": self._secret(),
            },
        )
        raise_for_errcode(data, "fetching the access_token")
        token = data.get("access_token")
        if not isinstance(token, str) or not token:
            raise Transient("fetching the access_token: the answer has no access_token")
        lifetime = float(data.get("expires_in", 7200))
        self.cache.put(self.cache_key, token, ttl_seconds=max(lifetime - RENEW_EARLY_SECONDS, 60))
        log.info("fetched a new WeChat access_token for appid %s", self.appid)
        return token

    def call(
        self,
        path: str,
        *,
        payload: dict[str, Any] | None = None,
        files: dict[str, tuple[str, bytes, str]] | None = None,
        params: dict[str, str] | None = None,
        action: str,
    ) -> dict[str, Any]:
        """POST to ``path`` with the token; renew the token and retry once if WeChat
        says it is invalid or expired."""
        token = self.token()
        for attempt in (1, 2):
            data = self._request(
                "POST",
                path,
                params={**(params or {}), "access_token": token},
                payload=payload,
                files=files,
            )
            if data.get("errcode") in TOKEN_ERRORS and attempt == 1:
                log.info(
                    "%s: access_token refused (errcode %s); renewing once", action, data["errcode"]
                )
                token = self.token(replacing=token)
                continue
            raise_for_errcode(data, action)
            return data
        raise AssertionError("unreachable")

    def _request(
        self,
        method: str,
        path: str,
        *,
        params: dict[str, str],
        payload: dict[str, Any] | None = None,
        files: dict[str, tuple[str, bytes, str]] | None = None,
    ) -> dict[str, Any]:
        import requests

        body: bytes | None = None
        headers = {}
        if payload is not None:
            # ensure_ascii=False: WeChat stores \\uXXXX escapes literally in articles.
            body = json.dumps(payload, ensure_ascii=False).encode("utf-8")
            headers["Content-Type"] = "application/json; charset=utf-8"
        try:
            response = self.session.request(
                method,
                self.base_url + path,
                params=params,
                data=body,
                files=files,
                headers=headers,
                timeout=self.timeout,
            )
        except requests.RequestException as exc:
            raise Transient(f"{path}: network error ({type(exc).__name__})") from None
        if response.status_code >= 500 or response.status_code == 429:
            raise Transient(f"{path}: HTTP {response.status_code}")
        if response.status_code != 200:
            raise Rejected(f"{path}: HTTP {response.status_code}")
        try:
            data = response.json()
        except ValueError:
            raise Transient(f"{path}: the answer is not JSON") from None
        if not isinstance(data, dict):
            raise Transient(f"{path}: the answer is not a JSON object")
        return data
