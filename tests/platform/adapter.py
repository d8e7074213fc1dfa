"""Adapters for the local platform (see ``server.py``), registered by the tests through a
real entry point. Three kinds, one per recovery path the engine knows:

* ``IdempotentAdapter`` sends the delivery key as ``Idempotency-Key``: the engine
  resends an interrupted delivery with the same key.
* ``CheckableAdapter`` has no key but can look on the platform for the link
  (``find_existing``): the engine asks before resending.
* ``PlainAdapter`` can do neither: an interrupted delivery becomes ``unknown``.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime

import requests

from syndicator.adapter import Adapter, AdapterOptions
from syndicator.errors import AuthFailed, RateLimited, Rejected, Transient
from syndicator.models import Article, Post, Receipt


class PlatformOptions(AdapterOptions):
    url: str
    channel: str = "main"


def retry_at(headers: requests.structures.CaseInsensitiveDict) -> datetime | None:
    """The moment a 429 names: ``X-RateLimit-Reset`` (ISO 8601), else ``Retry-After``
    as an HTTP-date or as seconds from now."""
    reset = headers.get("X-RateLimit-Reset")
    if reset:
        return datetime.fromisoformat(reset.replace("Z", "+00:00")).astimezone(UTC)
    after = headers.get("Retry-After")
    if not after:
        return None
    if after.strip().isdigit():
        return datetime.now(UTC) + timedelta(seconds=int(after))
    return parsedate_to_datetime(after).astimezone(UTC)


class PlainAdapter(Adapter):
    rule = "plain"
    Options = PlatformOptions
    secrets = frozenset({"token"})
    required_secrets = frozenset({"token"})

    @property
    def endpoint(self) -> str:
        return f"{self.options.url.rstrip('/')}/{self.options.channel}/posts"

    def render(self, article: Article) -> Post:
        text = f"{article.title} {article.url}"
        return Post(
            target=self.target.name,
            adapter="test",
            text=text,
            rule="plain",
            length=len(text),
            limit=10_000,
            link=article.url,
            title=article.title,
        )

    def headers(self, key: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.target.secret('token')}"}

    def publish(self, post: Post, *, key: str) -> Receipt:
        try:
            answer = requests.post(
                self.endpoint,
                json={"text": post.text, "link": post.link},
                headers=self.headers(key),
                timeout=10,
            )
        except requests.RequestException as exc:
            raise Transient(f"network error: {exc}") from exc
        message = answer.text[:200]
        if answer.status_code in (200, 201):
            data = answer.json()
            return Receipt(remote_id=data["id"], remote_url=data["url"])
        if answer.status_code in (401, 403):
            raise AuthFailed(f"HTTP {answer.status_code}", platform_message=message)
        if answer.status_code == 429:
            raise RateLimited(
                "HTTP 429", retry_at=retry_at(answer.headers), platform_message=message
            )
        if 400 <= answer.status_code < 500:
            raise Rejected(f"HTTP {answer.status_code}", platform_message=message)
        raise Transient(f"HTTP {answer.status_code}", platform_message=message)


class CappedAdapter(PlainAdapter):
    """A platform that documents a cap of two posts a day (as Instagram does 50)."""

    max_per_day = 2


class IdempotentAdapter(PlainAdapter):
    idempotent = True

    def headers(self, key: str) -> dict[str, str]:
        return {**super().headers(key), "Idempotency-Key": key}


class CheckableAdapter(PlainAdapter):
    def find_existing(self, post: Post, *, key: str) -> Receipt | None:
        answer = requests.get(self.endpoint, params={"link": post.link}, timeout=10)
        answer.raise_for_status()
        found = answer.json()
        if not found:
            return None
        return Receipt(remote_id=found[0]["id"], remote_url=f"{self.endpoint}/{found[0]['id']}")
