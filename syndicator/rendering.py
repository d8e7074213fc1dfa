"""From an article to a stored, checkable post: the lead image fetched once (so that
``render`` stays pure), the adapter's ``render``, and the media written to the media
folder under content-addressed names."""

from __future__ import annotations

import hashlib
import logging
import re
from dataclasses import replace
from pathlib import Path
from typing import Any

from syndicator.errors import RenderError, SyndicatorError
from syndicator.models import Article, Media, Post
from syndicator.targets import BoundTarget

log = logging.getLogger(__name__)

_EXTENSIONS = {
    "image/jpeg": ".jpg",
    "image/png": ".png",
    "image/gif": ".gif",
    "image/webp": ".webp",
}


def attach_lead_image(
    article: Article, *, session: Any, media_dir: Path, max_bytes: int, timeout: float
) -> Article:
    """Download the article's lead image once into the media folder. A broken, huge or
    unreachable image is logged and left out: the post goes without it."""
    if not article.image_url or article.image_path is not None:
        return article
    from syndicator.sources.fetch import fetch_image

    digest = hashlib.sha256(article.image_url.encode()).hexdigest()[:24]
    folder = media_dir / "images"
    for existing in folder.glob(f"{digest}.*") if folder.exists() else ():
        return replace(article, image_path=existing)
    try:
        data, mime = fetch_image(
            session, article.image_url, max_bytes=max_bytes, timeout=timeout, source=article.source
        )
    except SyndicatorError as exc:
        log.warning("lead image of %s left out: %s", article.url, exc)
        return article
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{digest}{_EXTENSIONS.get(mime, '.img')}"
    _write_atomically(path, data)
    return replace(article, image_path=path)


def render_post(bound: BoundTarget, article: Article, *, media_dir: Path | None) -> Post:
    """Render with the target's adapter and check the promise every adapter makes: the
    text fits the platform's limit as the platform counts it."""
    try:
        post = bound.adapter.render(article)
    except RenderError:
        raise
    except SyndicatorError as exc:
        raise RenderError(f"target {bound.name!r}: {exc}") from exc
    except Exception as exc:  # an adapter bug must not stop the other targets
        log.exception("adapter %s failed to render %s", bound.config.adapter, article.url)
        raise RenderError(f"target {bound.name!r}: render failed: {exc!r}") from exc
    if post.length > post.limit:
        raise RenderError(
            f"target {bound.name!r}: rendered text is {post.length} long by rule "
            f"{post.rule!r}, over the limit of {post.limit}"
        )
    if media_dir is not None and post.media:
        post = replace(post, media=tuple(save_media(m, media_dir) for m in post.media))
    return post


_UNSAFE_NAME = re.compile(r"[^A-Za-z0-9._-]+")


def save_media(media: Media, media_dir: Path) -> Media:
    """Write a medium once, under the adapter's own file name (a card is
    ``2020-02-09-<slug>-poster.png``, not a digest). The same bytes under the same name
    are not written again; other bytes under a name already taken (an edited article's
    new card) get the digest added, so a path the post log holds never changes."""
    if not media.data:
        return media
    suffix = _UNSAFE_NAME.sub("", Path(media.filename).suffix) or _EXTENSIONS.get(media.mime, "")
    stem = _UNSAFE_NAME.sub("-", Path(media.filename).stem).strip("-.")[:120]
    digest = media.sha256
    names = [f"{stem}{suffix}", f"{stem}-{digest[:12]}{suffix}"] if stem else []
    for name in (*names, f"{digest[:24]}{suffix}", f"{digest}{suffix}"):
        path = media_dir / "posts" / name
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            _write_atomically(path, media.data)
            return replace(media, path=path)
        if _same_bytes(path, media.data):
            return replace(media, path=path)
    raise RenderError(f"cannot store {media.filename!r}: its names are taken by other bytes")


def _same_bytes(path: Path, data: bytes) -> bool:
    try:
        return path.stat().st_size == len(data) and path.read_bytes() == data
    except OSError:
        return False


def _write_atomically(path: Path, data: bytes) -> None:
    temporary = path.with_name(path.name + ".part")
    temporary.write_bytes(data)
    temporary.replace(path)
