"""Stable identities for articles: guid, else canonical URL, else a content hash.

The store deduplicates on these keys, so the same article must get the same key on
every poll even when a feed or list page decorates its links with tracking
parameters, a fragment, an upper-case host or an explicit default port.
"""

from __future__ import annotations

import hashlib
from urllib.parse import unquote_plus, urlsplit, urlunsplit

__all__ = ["article_key", "canonical_url", "guid_key", "url_key"]

# Query parameters that identify a campaign or a click, never the article itself.
_TRACKING_NAMES = frozenset(
    {
        "spm",
        "from",
        "fbclid",
        "gclid",
        "dclid",
        "gbraid",
        "wbraid",
        "msclkid",
        "yclid",
        "twclid",
        "igshid",
        "mc_cid",
        "mc_eid",
        "_hsenc",
        "_hsmi",
        "mkt_tok",
        "ref_src",
        "scene",
        "isappinstalled",
        "share_token",
        "share_source",
        "vd_source",
        "wfr",
    }
)
_TRACKING_PREFIXES = ("utm_", "pk_", "mtm_")
_DEFAULT_PORTS = {"http": 80, "https": 443}


def _is_tracking(name: str) -> bool:
    lowered = name.lower()
    return lowered in _TRACKING_NAMES or lowered.startswith(_TRACKING_PREFIXES)


def canonical_url(url: str) -> str:
    """The URL an article is known by: scheme and host lower-cased, default port
    and fragment dropped, tracking parameters removed (the rest keep their order
    and their exact encoding), an empty path written as "/".

    >>> canonical_url("HTTPS://News.Example.edu:443/a?id=7&utm_source=x#top")
    'https://news.example.edu/a?id=7'
    """
    url = url.strip()
    try:
        parts = urlsplit(url)
    except ValueError:  # "http://example.c[o.test/": not a URL we can take apart
        return url.split("#", 1)[0]
    if not parts.scheme or not parts.netloc:
        return url.split("#", 1)[0]
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").rstrip(".")
    if ":" in host:  # an IPv6 literal keeps its brackets
        host = f"[{host}]"
    try:
        port = parts.port
    except ValueError:  # a port that is not a number: leave the URL alone
        return urlunsplit((scheme, parts.netloc.lower(), parts.path or "/", parts.query, ""))
    netloc = host
    if parts.username is not None:
        userinfo = parts.netloc.rsplit("@", 1)[0]
        netloc = f"{userinfo}@{host}"
    if port is not None and port != _DEFAULT_PORTS.get(scheme):
        netloc = f"{netloc}:{port}"
    kept = [
        piece
        for piece in parts.query.split("&")
        if piece and not _is_tracking(unquote_plus(piece.split("=", 1)[0]))
    ]
    return urlunsplit((scheme, netloc, parts.path or "/", "&".join(kept), ""))


def guid_key(guid: str) -> str:
    return f"guid:{guid.strip()}"


def url_key(url: str) -> str:
    return f"url:{canonical_url(url)}"


def article_key(*, guid: str | None, url: str | None, title: str, text: str) -> str:
    """``guid:<guid>`` when the item has one, else ``url:<canonical URL>``, else
    ``hash:<sha256 of title and text>`` (an item with neither guid nor link can
    only be recognised by what it says)."""
    if guid and guid.strip():
        return guid_key(guid)
    if url and url.strip():
        return url_key(url)
    digest = hashlib.sha256(f"{title.strip()}\x00{text.strip()}".encode()).hexdigest()
    return f"hash:{digest[:32]}"
