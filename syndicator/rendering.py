"""From an article to a stored, checkable post: the lead image fetched once (so that
``render`` stays pure), the adapter's ``render``, and the media written to the media
folder under content-addressed names."""

from __future__ import annotations

import hashlib
import logging
import os
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
    article: Article,
    *,
    session: Any,
    media_dir: Path,
    max_bytes: int,
    timeout: float,
    own_host: str,
) -> Article:
    """Download the article's lead image once into the media folder. A broken, huge,
    unreachable or refused image (the fetch guard: ``own_host`` is the host of the
    article's source) is logged and left out: the post goes without it."""
    if not article.image_url or article.image_path is not None:
        return article
    from syndicator.sources.fetch import fetch_image

    digest = hashlib.sha256(article.image_url.encode()).hexdigest()[:24]
    folder = media_dir / "images"
    for existing in folder.glob(f"{digest}.*") if folder.exists() else ():
        return replace(article, image_path=existing)
    try:
        data, mime = fetch_image(
            session,
            article.image_url,
            max_bytes=max_bytes,
            timeout=timeout,
            source=article.source,
            own_host=own_host,
        )
    except SyndicatorError as exc:
        log.warning("lead image of %s left out: %s", article.url, exc)
        return article
    except Exception as exc:  # an odd image costs the image, never the article
        log.warning(
            "lead image %s of %s left out: unexpected %s: %s",
            article.image_url,
            article.url,
            type(exc).__name__,
            exc,
            exc_info=True,
        )
        return article
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
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
    """Write a medium once, named by its digest and then its own name
    (``<24 hex>-2020-02-09-<slug>-poster.png``): the same bytes are stored once, an
    edited article's new card is a new file (a path the post log holds never changes),
    a name published at ``[media] public_url`` cannot be guessed, and an editor still
    reads which story it is. The share-card folder links it under its own name alone."""
    if not media.data:
        return media
    suffix = _UNSAFE_NAME.sub("", Path(media.filename).suffix) or _EXTENSIONS.get(media.mime, "")
    stem = _UNSAFE_NAME.sub("-", Path(media.filename).stem).strip("-.")[:120]
    name = f"{media.sha256[:24]}-{stem}" if stem else media.sha256[:24]
    path = media_dir / "posts" / f"{name}{suffix}"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        _write_atomically(path, media.data)
    return replace(media, path=path)


def _write_atomically(path: Path, data: bytes) -> None:
    """Write ``data`` whole or not at all, readable by the owner only (0600): media
    may be cards of posts held for approval, not yet public."""
    temporary = path.with_name(path.name + ".part")
    descriptor = os.open(temporary, os.O_CREAT | os.O_TRUNC | os.O_WRONLY, 0o600)
    with os.fdopen(descriptor, "wb") as file:
        file.write(data)
    temporary.replace(path)
