"""A generic JSON webhook: for a CMS, a chat bridge, or anything we have no adapter for.

The body is a template (option ``body``, a TOML inline table) whose string values may
name {title} {url} {summary} {text} {published} {source} {key}; by default every field
is sent. The receiver can trust the call: with the ``signing_key`` secret, the header
``X-Syndicator-Signature: sha256=<hex>`` carries an HMAC-SHA256 of the exact raw body
(the same scheme as GitHub's ``X-Hub-Signature-256``), so it must be checked against the
bytes received, before any JSON parsing.

With ``idempotent = true`` the receiver promises to honour ``Idempotency-Key`` (the
delivery key, stable across retries), and the engine may resend after a crash.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import string
from typing import Any
from urllib.parse import urlsplit

from pydantic import field_validator
from syndicator_adapters._common import compose, make_session, raise_for_status, receipt, send

from syndicator.adapter import Adapter, AdapterOptions, Target
from syndicator.models import Article, Post, Receipt
from syndicator.secrets import redact, remember

log = logging.getLogger(__name__)

PLACEHOLDERS = frozenset({"title", "url", "summary", "text", "published", "source", "key"})
DEFAULT_BODY: dict[str, Any] = {
    "title": "{title}",
    "url": "{url}",
    "summary": "{summary}",
    "text": "{text}",
    "published": "{published}",
    "source": "{source}",
}
DEFAULT_TEMPLATE = "{title}\n\n{summary}\n\n{url}"


def _placeholders(value: Any) -> set[str]:
    if isinstance(value, str):
        return {name for _, name, _, _ in string.Formatter().parse(value) if name is not None}
    if isinstance(value, dict):
        return set().union(*(_placeholders(v) for v in value.values()))
    if isinstance(value, list):
        return set().union(*(_placeholders(v) for v in value))
    return set()


def fill(value: Any, fields: dict[str, str]) -> Any:
    """The body template with every string's placeholders replaced, recursively."""
    if isinstance(value, str):
        return value.format_map(fields)
    if isinstance(value, dict):
        return {k: fill(v, fields) for k, v in value.items()}
    if isinstance(value, list):
        return [fill(v, fields) for v in value]
    return value


def signature(body: bytes, key: str) -> str:
    """``sha256=<hex>``: HMAC-SHA256 of the raw body with the signing key."""
    return "sha256=" + hmac.new(key.encode(), body, hashlib.sha256).hexdigest()


class WebhookOptions(AdapterOptions):
    body: dict[str, Any] | None = None
    signature_header: str = "X-Syndicator-Signature"
    idempotent: bool = False

    @field_validator("body")
    @classmethod
    def _known_placeholders(cls, value: dict[str, Any] | None) -> dict[str, Any] | None:
        if value is None:
            return None
        try:
            unknown = _placeholders(value) - PLACEHOLDERS
        except ValueError as exc:  # an unbalanced brace
            raise ValueError(f"bad template: {exc}") from None
        if unknown:
            raise ValueError(
                f"unknown placeholder {{{sorted(unknown)[0]}}} "
                f"(use {', '.join('{' + p + '}' for p in sorted(PLACEHOLDERS))})"
            )
        return value


class WebhookAdapter(Adapter):
    rule = "plain"
    Options = WebhookOptions
    secrets = frozenset({"url", "signing_key"})
    required_secrets = frozenset({"url"})

    def __init__(self, target: Target) -> None:
        super().__init__(target)
        # A per-target promise: the engine should read this instance attribute (the
        # class default stays False, so a receiver that ignores the key is never resent).
        self.__dict__["idempotent"] = bool(target.options.idempotent)
        self._session = make_session()

    def render(self, article: Article) -> Post:
        fitted = compose(article, self.target, rule="plain", default_template=DEFAULT_TEMPLATE)
        fields = {
            "title": article.title,
            "url": article.url,
            "summary": article.summary or fitted.text,
            "text": fitted.text,
            "published": article.published.isoformat() if article.published else "",
            "source": article.site_name or article.source,
            "key": article.key,
        }
        payload = fill(self.options.body or DEFAULT_BODY, fields)
        return Post(
            target=self.target.name,
            adapter="webhook",
            text=fitted.text,
            rule="plain",
            length=fitted.length,
            limit=fitted.limit,
            extra={"body": payload},
            link=article.url,
            title=article.title,
        )

    def publish(self, post: Post, *, key: str) -> Receipt:
        url = self.target.secret("url")
        remember(urlsplit(url).path)  # urllib3 logs the path, not the whole URL
        raw = json.dumps(post.extra.get("body", {}), ensure_ascii=False).encode("utf-8")
        headers = {"Content-Type": "application/json; charset=utf-8"}
        if self.target.has_secret("signing_key"):
            headers[self.options.signature_header] = signature(
                raw, self.target.secret("signing_key")
            )
        if self.options.idempotent:
            headers["Idempotency-Key"] = key
        response = send(self._session, "POST", url, platform="webhook", data=raw, headers=headers)
        raise_for_status(response, platform="webhook", auth_statuses=(401, 403))
        remote_id = ""
        try:
            data = response.json()
            if isinstance(data, dict) and data.get("id") is not None:
                remote_id = redact(str(data["id"]))
        except ValueError:
            pass
        return receipt(remote_id=remote_id, detail=f"HTTP {response.status_code}")

    def verify(self) -> str:
        raise NotImplementedError("a webhook has no harmless call to check it")

    def close(self) -> None:
        self._session.close()
