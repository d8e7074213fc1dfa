"""The site's name as a public post shows it (kept apart from ``_common`` so that the
share-card adapter does not import ``requests`` for it)."""

from __future__ import annotations

from urllib.parse import urlsplit

from syndicator.models import Article


def site_label(article: Article) -> str:
    """What the page or feed calls itself (``og:site_name``, the feed's title, the
    ``<title>`` suffix), else the host name; never ``article.source``, the config's
    internal key for the source ("bit-list")."""
    name = (article.site_name or "").strip()
    return name or (urlsplit(article.url).hostname or "").removeprefix("www.")
