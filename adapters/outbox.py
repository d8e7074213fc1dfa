"""The outbox: each post written as a JSON file in a folder.

Useful with no platform account at all (a person or another program picks the files
up), and the embedded default's target. Idempotent: a delivery's key names its file,
so a resend after a crash rewrites the same file instead of adding a second.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Literal

from pydantic import field_validator

from syndicator.adapter import Adapter, AdapterOptions
from syndicator.models import Article, Post, Receipt

DEFAULT_TEMPLATE = "{title}\n\n{summary}\n\n{url} {hashtags}"


class OutboxOptions(AdapterOptions):
    path: str = "outbox"
    #: Which platform's counting and limit to fit the text to (default: no real limit).
    rule: str = "plain"
    limit: int | None = None
    hashtag_style: Literal["hash", "weibo", "none"] = "hash"

    @field_validator("rule")
    @classmethod
    def _known_rule(cls, name: str) -> str:
        from syndicator.text.rules import get_rule

        return get_rule(name).name  # an unknown name: "unknown length rule ... (known: ...)"


class OutboxAdapter(Adapter):
    rule = "plain"
    idempotent = True
    Options = OutboxOptions

    @property
    def folder(self) -> Path:
        path = Path(self.options.path).expanduser()
        return path if path.is_absolute() else self.target.base_dir / path

    def render(self, article: Article) -> Post:
        from syndicator.text import fit, format_hashtags

        from ._site import site_label

        rule = self.options.rule
        tags = format_hashtags(
            [*self.target.hashtags, *article.categories], self.options.hashtag_style
        )
        fitted = fit(
            self.target.template or DEFAULT_TEMPLATE,
            title=article.title,
            url=article.url,
            summary=article.text or article.summary,
            hashtags=tags,
            rule=rule,
            limit=self.options.limit,
            extra={
                "source": site_label(article),
                "date": article.published.date().isoformat() if article.published else "",
            },
        )
        return Post(
            target=self.target.name,
            adapter="outbox",
            text=fitted.text,
            rule=rule,
            length=fitted.length,
            limit=fitted.limit,
            link=article.url,
            title=article.title,
            extra={"published": article.published.isoformat() if article.published else None},
        )

    def publish(self, post: Post, *, key: str) -> Receipt:
        self.folder.mkdir(parents=True, exist_ok=True)
        path = self.folder / f"{key}.json"
        document = {
            "target": post.target,
            "text": post.text,
            "length": post.length,
            "limit": post.limit,
            "rule": post.rule,
            "link": post.link,
            "title": post.title,
            "media": [str(m.path) for m in post.media if m.path],
            "extra": post.extra,
        }
        temporary = path.with_suffix(".part")
        temporary.write_text(json.dumps(document, ensure_ascii=False, indent=2), encoding="utf-8")
        os.replace(temporary, path)
        return Receipt(remote_id=path.name, remote_url=path.resolve().as_uri())

    def find_existing(self, post: Post, *, key: str) -> Receipt | None:
        path = self.folder / f"{key}.json"
        return (
            Receipt(remote_id=path.name, remote_url=path.resolve().as_uri())
            if path.exists()
            else None
        )

    def verify(self) -> str:
        self.folder.mkdir(parents=True, exist_ok=True)
        if not os.access(self.folder, os.W_OK):
            raise PermissionError(f"outbox folder {self.folder} is not writable")
        return f"writes to {self.folder}"
