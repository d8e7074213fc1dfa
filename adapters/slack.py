"""Slack through an incoming webhook (``POST https://hooks.slack.com/services/...``).

The message is one ``section`` block in mrkdwn: the title as a bold link, then the
fitted summary, plus a plain ``text`` fallback for notifications. Slack's formatting
docs ask for exactly three escapes in text, ``&`` ``<`` ``>``, because ``<...>`` is its
link and mention syntax: an unescaped ``<!channel>`` in a headline would ping everyone.
A section's text is capped at 3000 characters (after escaping, as sent).

Errors are plain-text bodies (api.slack.com changelog 2016-05-17): ``invalid_payload``
(400), ``action_prohibited`` (403), ``channel_not_found`` (404), ``channel_is_archived``
(410), ``rollup_error`` (500), and ``no_service`` / ``invalid_token`` for a revoked hook.
"""

from __future__ import annotations

import dataclasses
import logging
from typing import Any
from urllib.parse import quote, urlsplit

from syndicator_adapters._common import compose, make_session, raise_for_status, receipt, send

from syndicator.adapter import Adapter, AdapterOptions, Target
from syndicator.errors import AuthFailed, Rejected
from syndicator.models import Article, Post, Receipt
from syndicator.secrets import remember, shorten

log = logging.getLogger(__name__)

SECTION_LIMIT = 3000
DEFAULT_TEMPLATE = "{summary}"
#: Bodies that mean the webhook itself is gone or barred: an operator must act.
_DEAD_HOOK = {"no_service", "invalid_token", "channel_not_found", "channel_is_archived",
              "action_prohibited", "no_team", "team_disabled"}  # fmt: skip


class SlackOptions(AdapterOptions):
    unfurl_links: bool = False


def escape(text: str) -> str:
    """Slack's three control characters, and nothing else (Slack decodes only these)."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def link(url: str, label: str) -> str:
    """``<url|label>``: the URL may not hold ``|`` or ``>``, the label no ``>``."""
    safe_url = escape(quote(url, safe=":/?#[]@!$&'()*+,;=%~"))
    return f"<{safe_url}|{escape(label.replace('|', '¦'))}>"


class SlackAdapter(Adapter):
    rule = "plain"
    Options = SlackOptions
    secrets = frozenset({"url"})
    required_secrets = frozenset({"url"})

    def __init__(self, target: Target) -> None:
        super().__init__(target)
        self._session = make_session()

    def render(self, article: Article) -> Post:
        head = f"*{link(article.url, ' '.join(article.title.split()))}*"
        text = head
        budget = SECTION_LIMIT - len(head) - 1
        # Escaping can only lengthen the text: fit, escape, and shrink until it fits.
        while budget > 0 and (article.text or article.summary or self.target.template):
            template = self.target.template or DEFAULT_TEMPLATE
            body = compose(
                article,
                dataclasses.replace(self.target, template=template),
                rule="plain",
                default_template=DEFAULT_TEMPLATE,
                limit=budget,
            ).text.strip()
            text = f"{head}\n{escape(body)}" if body else head
            if len(text) <= SECTION_LIMIT:
                break
            budget -= len(text) - SECTION_LIMIT
        return Post(
            target=self.target.name,
            adapter="slack",
            text=text,
            rule="plain",
            length=len(text),
            limit=SECTION_LIMIT,
            extra={"fallback": escape(f"{article.title} {article.url}")},
            link=article.url,
            title=article.title,
        )

    def publish(self, post: Post, *, key: str) -> Receipt:
        url = self.target.secret("url")
        remember(urlsplit(url).path)  # urllib3 logs the path, not the whole URL
        body: dict[str, Any] = {
            "text": post.extra.get("fallback") or post.text,
            "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": post.text}}],
            "unfurl_links": self.options.unfurl_links,
        }
        response = send(self._session, "POST", url, platform="slack", json=body)
        if response.status_code == 200:
            return receipt(detail=shorten(response.text, 100))
        reason = shorten(response.text, 200)
        text = f"slack answered HTTP {response.status_code}: {reason}"
        if reason in _DEAD_HOOK or response.status_code in (404, 410):
            raise AuthFailed(
                text + " (the webhook was revoked, or its channel is gone or archived)",
                platform_message=reason,
            )
        if response.status_code == 400:
            raise Rejected(text, platform_message=reason)
        raise_for_status(response, platform="slack", message=reason)
        raise Rejected(text, platform_message=reason)  # an unexpected 2xx/3xx

    def verify(self) -> str:
        raise NotImplementedError("a Slack incoming webhook has no harmless call to check it")

    def close(self) -> None:
        self._session.close()
