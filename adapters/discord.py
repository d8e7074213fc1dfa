"""Discord through a channel webhook (``POST {webhook url}?wait=true``).

The webhook URL is the credential (its last path segment is a token), so it is only a
secret, never an option, and never printed. A message is the fitted ``content`` (≤ 2000,
rule "discord") plus one embed carrying the title, the link, a longer description and
the lead image when the article has a public image URL (Discord fetches it itself).
Embed limits (webhook.mdx, message.mdx): title 256, description 4096, all embed text
together 6000. ``allowed_mentions: {"parse": []}`` keeps an "@everyone" in a headline
from pinging a whole server. ``wait=true`` makes Discord answer with the message (and
report a failure) instead of a blind 204.
"""

from __future__ import annotations

import dataclasses
import logging
from datetime import UTC, datetime, timedelta
from typing import Any, Literal
from urllib.parse import urlsplit

from syndicator_adapters._common import (
    compose,
    json_object,
    make_session,
    raise_for_status,
    receipt,
    send,
)

from syndicator.adapter import Adapter, AdapterOptions, Target
from syndicator.errors import AuthFailed, RateLimited, Rejected
from syndicator.models import Article, Post, Receipt
from syndicator.secrets import redact, remember

log = logging.getLogger(__name__)

DEFAULT_TEMPLATE = "{title}\n{url}"
TITLE_LIMIT = 256
DESCRIPTION_LIMIT = 4096
EMBED_TOTAL_LIMIT = 6000


class DiscordOptions(AdapterOptions):
    embed: bool = True
    picture: Literal["lead", "none"] = "lead"
    username: str | None = None


class DiscordAdapter(Adapter):
    rule = "discord"
    Options = DiscordOptions
    secrets = frozenset({"url"})
    required_secrets = frozenset({"url"})

    def __init__(self, target: Target) -> None:
        super().__init__(target)
        self._session = make_session()

    @property
    def _options(self) -> DiscordOptions:
        return self.options

    def render(self, article: Article) -> Post:
        fitted = compose(article, self.target, rule="discord", default_template=DEFAULT_TEMPLATE)
        extra: dict[str, Any] = {}
        if self._options.embed:
            extra["embed"] = self._embed(article)
        return Post(
            target=self.target.name,
            adapter="discord",
            text=fitted.text,
            rule="discord",
            length=fitted.length,
            limit=fitted.limit,
            extra=extra,
            link=article.url,
            title=article.title,
        )

    def _embed(self, article: Article) -> dict[str, Any]:
        from syndicator.text import truncate

        title = truncate(" ".join(article.title.split()), TITLE_LIMIT, "discord")
        budget = min(DESCRIPTION_LIMIT, EMBED_TOTAL_LIMIT - len(title))
        description = ""
        if article.text or article.summary:
            only_summary = dataclasses.replace(self.target, template="{summary}", hashtags=())
            description = compose(
                article.with_changes(categories=()),
                only_summary,
                rule="discord",
                default_template="{summary}",
                limit=budget,
            ).text.strip()
        embed: dict[str, Any] = {"title": title, "url": article.url}
        if description:
            embed["description"] = description
        if self._options.picture == "lead" and article.image_url:
            embed["image"] = {"url": article.image_url}
        if article.published:
            embed["timestamp"] = article.published.astimezone(UTC).isoformat()
        return embed

    def publish(self, post: Post, *, key: str) -> Receipt:
        url = self.target.secret("url")
        remember(urlsplit(url).path)  # urllib3 logs the path, not the whole URL
        body: dict[str, Any] = {"content": post.text, "allowed_mentions": {"parse": []}}
        if post.extra.get("embed"):
            body["embeds"] = [post.extra["embed"]]
        if self._options.username:
            body["username"] = self._options.username
        response = send(
            self._session, "POST", url, platform="discord", params={"wait": "true"}, json=body
        )
        data = json_object(response)
        _raise_for_discord(response, data)
        message_id = str(data.get("id") or "")
        channel, guild = data.get("channel_id"), data.get("guild_id")
        link = (
            f"https://discord.com/channels/{guild}/{channel}/{message_id}"
            if guild and channel and message_id
            else ""
        )
        return receipt(remote_id=message_id, remote_url=link)

    def verify(self) -> str:
        raise NotImplementedError("a Discord webhook has no harmless call to check it")

    def close(self) -> None:
        self._session.close()


def _raise_for_discord(response: Any, data: dict[str, Any]) -> None:
    """Discord errors are ``{"message", "code", "errors"?}``; a 429 carries
    ``retry_after`` in float seconds (and a ``Retry-After`` header)."""
    status = response.status_code
    if status < 400:
        return
    message = redact(str(data.get("message") or ""))
    if data.get("errors"):
        message += " " + redact(_first_errors(data["errors"]))
    text = f"discord answered HTTP {status}: {message.strip()}"
    if status == 429 and data.get("retry_after") is not None:
        retry_at = datetime.now(UTC) + timedelta(seconds=float(data["retry_after"]))
        raise RateLimited(text, retry_at=retry_at, platform_message=message)
    if status == 404 or data.get("code") in (10015, 50027):  # Unknown / invalid webhook
        raise AuthFailed(text + " (the webhook was deleted or its URL is wrong)")
    if status == 400:
        raise Rejected(text, platform_message=message)
    raise_for_status(response, platform="discord", message=message)


def _first_errors(errors: Any, path: str = "") -> str:
    """The first few leaf messages of Discord's nested ``errors`` object."""
    found: list[str] = []

    def walk(node: Any, where: str) -> None:
        if len(found) >= 3 or not isinstance(node, dict):
            return
        for item in node.get("_errors", []):
            found.append(f"{where or 'body'}: {item.get('message', '')}")
        for name, child in node.items():
            if name != "_errors":
                walk(child, f"{where}.{name}" if where else name)

    walk(errors, path)
    return "; ".join(found)
