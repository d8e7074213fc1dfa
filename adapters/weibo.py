"""Sina Weibo through ``statuses/share``, the one posting API open to third-party apps.

What makes Weibo different (open.weibo.com/wiki/2/statuses/share, PLATFORMS.md §1):

* the text must contain a link on the app's registered *safe domain* (安全域名), so
  ``validate`` flags every source whose articles would live elsewhere;
* ``#topic#`` is forbidden, so hashtags are never added and a ``#`` pair in a title is
  turned into the full-width ``＃`` (same look, not a topic);
* errors come as ``{"error_code": ..., "error": ...}`` with no Retry-After: the hourly
  quotas (10022-10024) reopen at the top of the next hour.

The token travels as a form field (``statuses/share``) or an ``Authorization: OAuth2``
header (``verify``), never in a URL.
"""

from __future__ import annotations

import ipaddress
import logging
import re
import socket
from collections.abc import Mapping
from typing import Any, Literal
from urllib.parse import urlsplit

from pydantic import field_validator
from syndicator_adapters._common import (
    compose,
    json_object,
    lead_picture,
    make_session,
    media_data,
    raise_for_status,
    receipt,
    send,
    top_of_next_hour,
)

from syndicator.adapter import Adapter, AdapterOptions, Target
from syndicator.errors import AlreadyPosted, AuthFailed, RateLimited, Rejected, Transient
from syndicator.models import Article, Post, Receipt
from syndicator.secrets import redact

log = logging.getLogger(__name__)

DEFAULT_TEMPLATE = "【{title}】{summary} {url}"
MAX_PICTURE_BYTES = 5 * 1024 * 1024 - 1  # "< 5 MB"
_AUTH_CODES = {21301, 21314, 21315, 21316, 21317, 21319, 21321, 21327, 21332}
_RATE_CODES = {10022, 10023, 10024}
_TOPIC = re.compile(r"#[^#\n]+#")
_URL = re.compile(r"https?://[^\s<>\"'，。！？、）】]+", re.IGNORECASE)


class WeiboOptions(AdapterOptions):
    #: The app's registered safe domain (e.g. "news.example.edu.cn"); links on it
    #: or on any of its subdomains satisfy the share API.
    safe_domain: str
    picture: Literal["lead", "none"] = "lead"
    #: ``rip``: "the operating user's real IP". The operator of a bot is its server,
    #: so by default the address of this host's outbound interface is sent (found
    #: without sending a packet); set the server's public address when behind NAT.
    rip: str | None = None
    base_url: str = "https://api.weibo.com"

    @field_validator("safe_domain")
    @classmethod
    def _domain(cls, value: str) -> str:
        value = value.strip().lower().rstrip(".")
        if not value or "/" in value or ":" in value or " " in value:
            raise ValueError("expected a bare host name such as 'news.example.edu.cn'")
        return value

    @field_validator("rip")
    @classmethod
    def _ip(cls, value: str | None) -> str | None:
        if value is not None:
            ipaddress.ip_address(value)  # ValueError names the bad value
        return value


def on_domain(url: str, domain: str) -> bool:
    """True when ``url``'s host is ``domain`` or one of its subdomains."""
    host = (urlsplit(url).hostname or "").lower().rstrip(".")
    return host == domain or host.endswith("." + domain)


def neutralize_topics(text: str) -> str:
    """``#x#`` would be a topic, which ``statuses/share`` refuses: use ``＃``."""
    return _TOPIC.sub(lambda m: m.group(0).replace("#", "＃"), text) if "#" in text else text


def outbound_ip() -> str:
    """This host's address on its default route (a UDP connect sends nothing)."""
    try:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
            probe.connect(("203.0.113.1", 9))  # TEST-NET-3: never actually contacted
            return str(probe.getsockname()[0])
    except OSError:
        return "127.0.0.1"


class WeiboAdapter(Adapter):
    rule = "weibo"
    Options = WeiboOptions
    secrets = frozenset({"access_token"})
    required_secrets = frozenset({"access_token"})

    def __init__(self, target: Target) -> None:
        super().__init__(target)
        self._session = make_session()

    @property
    def _options(self) -> WeiboOptions:
        return self.options

    def validate(self, source_urls: Mapping[str, str]) -> list[str]:
        domain = self._options.safe_domain
        return [
            f"target {self.target.name!r}: source {name!r} ({url}) is not on the safe domain "
            f"{domain!r}: Weibo's statuses/share refuses posts without a link on it"
            for name, url in source_urls.items()
            if not on_domain(url, domain)
        ]

    def render(self, article: Article) -> Post:
        from syndicator.text import measure

        article = article.with_changes(
            title=neutralize_topics(article.title),
            summary=neutralize_topics(article.summary),
            text=neutralize_topics(article.text),
        )
        fitted = compose(
            article,
            self.target,
            rule="weibo",
            default_template=DEFAULT_TEMPLATE,
            hashtag_style="none",
        )
        picture = (
            lead_picture(article, max_bytes=MAX_PICTURE_BYTES)
            if self._options.picture == "lead"
            else None
        )
        text = neutralize_topics(fitted.text)  # a template may carry its own "#...#"
        return Post(
            target=self.target.name,
            adapter="weibo",
            text=text,
            rule="weibo",
            length=fitted.length if text == fitted.text else measure(text, "weibo"),
            limit=fitted.limit,
            media=(picture,) if picture else (),
            link=article.url,
            title=article.title,
        )

    def publish(self, post: Post, *, key: str) -> Receipt:
        domain = self._options.safe_domain
        if not any(on_domain(url, domain) for url in _URL.findall(post.text)):
            raise Rejected(
                f"weibo: the post has no link on the safe domain {domain!r}; "
                "statuses/share would refuse it (error 10017)"
            )
        fields = {
            "access_token": self.target.secret("access_token"),
            "status": post.text,
            "rip": self._options.rip or outbound_ip(),
        }
        url = self._options.base_url.rstrip("/") + "/2/statuses/share.json"
        if post.media:
            picture = post.media[0]
            files = {"pic": (picture.filename, media_data(picture), picture.mime)}
            response = send(self._session, "POST", url, platform="weibo", data=fields, files=files)
        else:
            response = send(self._session, "POST", url, platform="weibo", data=fields)
        data = json_object(response)
        _raise_for_weibo(response, data)
        status_id = str(data.get("idstr") or data.get("id") or "")
        if not status_id:
            raise Transient("weibo: statuses/share answered without a status id")
        return receipt(remote_id=status_id, remote_url=f"https://m.weibo.cn/status/{status_id}")

    def verify(self) -> str:
        url = self._options.base_url.rstrip("/") + "/2/account/get_uid.json"
        headers = {"Authorization": "OAuth2 " + self.target.secret("access_token")}
        response = send(self._session, "GET", url, platform="weibo", headers=headers)
        data = json_object(response)
        _raise_for_weibo(response, data)
        return f"Weibo user id {data.get('uid')}"

    def close(self) -> None:
        self._session.close()


def _raise_for_weibo(response: Any, data: dict[str, Any]) -> None:
    """Map Weibo's ``error_code`` (in a 4xx/5xx JSON body) onto the engine's kinds."""
    raw_code = data.get("error_code")
    if raw_code is None:
        raise_for_status(response, platform="weibo")
        return
    try:
        code = int(raw_code)
    except (TypeError, ValueError):
        code = -1
    message = redact(str(data.get("error") or ""))
    text = f"weibo error {raw_code}: {message}"
    if code == 20019:
        raise AlreadyPosted(text + " (this exact text is already on Weibo)")
    if code in _RATE_CODES:
        raise RateLimited(text, retry_at=top_of_next_hour(), platform_message=message)
    if code in _AUTH_CODES:
        raise AuthFailed(text + " (re-authorize the app)", platform_message=message)
    if code == 10017:
        raise Rejected(
            text + " (the text needs a link on the app's safe domain, 安全域名: "
            "check the target's safe_domain and the app settings on open.weibo.com)",
            platform_message=message,
        )
    if code == 20012:
        raise Rejected(text, platform_message=message)
    if response.status_code >= 500 or code in {10001, 10009}:
        raise Transient(text, platform_message=message)
    raise Rejected(text, platform_message=message)
