"""Articles and posts to JSON and back, for the post log.

Media bytes are never stored in the database: a post's media are written to the media
folder first, and the JSON keeps their path, type, alt text and digest.
"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any

from syndicator.models import Article, Media, Post

_ARTICLE_FIELDS = tuple(Article.__dataclass_fields__)


def article_to_json(article: Article) -> str:
    # Fields are read directly: ``asdict`` deep-copies every value, which made
    # encoding the largest cost of recording a big poll round.
    data = {name: getattr(article, name) for name in _ARTICLE_FIELDS}
    data["published"] = article.published.isoformat() if article.published else None
    data["image_path"] = str(article.image_path) if article.image_path else None
    data["categories"] = list(article.categories)
    return json.dumps(data, ensure_ascii=False)


def article_from_json(text: str) -> Article:
    data = json.loads(text)
    published = data.get("published")
    data["published"] = datetime.fromisoformat(published) if published else None
    data["image_path"] = Path(data["image_path"]) if data.get("image_path") else None
    data["categories"] = tuple(data.get("categories") or ())
    known = Article.__dataclass_fields__
    return Article(**{k: v for k, v in data.items() if k in known})


def media_to_dict(media: Media) -> dict[str, Any]:
    return {
        "filename": media.filename,
        "mime": media.mime,
        "alt": media.alt,
        "path": str(media.path) if media.path else None,
        "sha256": media.sha256 if media.data else None,
        "bytes": len(media.data),
    }


def post_to_json(post: Post) -> str:
    data = {
        "target": post.target,
        "adapter": post.adapter,
        "text": post.text,
        "rule": post.rule,
        "length": post.length,
        "limit": post.limit,
        "link": post.link,
        "title": post.title,
        "extra": post.extra,
        "media": [media_to_dict(m) for m in post.media],
    }
    return json.dumps(data, ensure_ascii=False)


def post_from_json(text: str) -> Post:
    """Rebuild a stored post, reading its media back from the media folder."""
    data = json.loads(text)
    media = []
    for item in data.get("media", []):
        path = Path(item["path"]) if item.get("path") else None
        payload = path.read_bytes() if path is not None and path.exists() else b""
        media.append(
            Media(
                filename=item["filename"],
                mime=item["mime"],
                data=payload,
                alt=item.get("alt", ""),
                path=path,
            )
        )
    return Post(
        target=data["target"],
        adapter=data["adapter"],
        text=data["text"],
        rule=data["rule"],
        length=data["length"],
        limit=data["limit"],
        media=tuple(media),
        extra=data.get("extra") or {},
        link=data.get("link", ""),
        title=data.get("title", ""),
    )
