"""Bluesky rich-text facets: links and hashtags with UTF-8 byte offsets.

Bluesky does no server-side auto-linking: a URL without a link facet is plain text.
Detection follows the reference client (``packages/api/src/rich-text/detection.ts``)
so that a post looks the same as one written in the app; offsets are UTF-8 bytes,
start inclusive, end exclusive (app.bsky.richtext.facet).

Mentions need a handle-to-DID lookup (network), which ``render`` must not do: they
are detected, and emitted only when a ``resolve_handle`` callable is given.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from typing import Any

from syndicator.text.urls import tlds

__all__ = ["bluesky_facets", "detect_facets"]

LINK = "app.bsky.richtext.facet#link"
TAG = "app.bsky.richtext.facet#tag"
MENTION = "app.bsky.richtext.facet#mention"
MAX_TAG_LENGTH = 64  # UTF-16 units, as upstream compares ``tag.length``

_ZW = "\u00ad\u2060\u200a\u200b\u200c\u200d\u20e2"


@cache
def _patterns() -> dict[str, Any]:
    import regex

    return {
        "mention": regex.compile(r"(^|\s|\()(@)([a-zA-Z0-9.-]+)(\b)", regex.M),
        "url": regex.compile(
            r"(^|\s|\()((https?://[\S]+)|((?P<domain>[a-z][a-z0-9]*(\.[a-z0-9]+)+)[\S]*))",
            regex.I | regex.M,
        ),
        "tag": regex.compile(
            rf"(^|\s)[#＃]((?!\ufe0f)[^\s{_ZW}]*[^\d\s\p{{P}}{_ZW}]+[^\s{_ZW}]*)?",
            regex.M,
        ),
        "trailing_punct": regex.compile(r"\p{P}+$"),
    }


@cache
def _tld_set() -> frozenset[str]:
    country, generic = tlds()
    return frozenset(t.lower() for t in country + generic)


def _valid_domain(domain: str) -> bool:
    return domain.rsplit(".", 1)[-1].lower() in _tld_set()


def _byte_index(text: str, start: int, end: int) -> dict[str, int]:
    byte_start = len(text[:start].encode("utf-8"))
    return {"byteStart": byte_start, "byteEnd": byte_start + len(text[start:end].encode("utf-8"))}


def detect_facets(
    text: str, *, resolve_handle: Callable[[str], str | None] | None = None
) -> list[dict[str, Any]]:
    """Mention (only with ``resolve_handle``), link and tag facets, in text order."""
    pats = _patterns()
    facets: list[tuple[int, dict[str, Any]]] = []
    if resolve_handle is not None and "@" in text:
        for m in pats["mention"].finditer(text):
            handle = m.group(3)
            if not _valid_domain(handle) and not handle.endswith(".test"):
                continue
            did = resolve_handle(handle)
            if did:
                start = m.start(3) - 1
                facet = {
                    "index": _byte_index(text, start, m.end(3)),
                    "features": [{"$type": MENTION, "did": did}],
                }
                facets.append((start, facet))
    for m in pats["url"].finditer(text):
        uri = m.group(2)
        start, end = m.start(2), m.end(2)
        if not uri.startswith("http"):
            domain = m.group("domain")
            if not domain or not _valid_domain(domain):
                continue
            uri = "https://" + uri
        if uri[-1] in ".,;:!?":
            uri, end = uri[:-1], end - 1
        if uri.endswith(")") and "(" not in uri:
            uri, end = uri[:-1], end - 1
        facets.append(
            (
                start,
                {"index": _byte_index(text, start, end), "features": [{"$type": LINK, "uri": uri}]},
            )
        )
    if "#" in text or "＃" in text:
        for m in pats["tag"].finditer(text):
            tag = m.group(2)
            if not tag:
                continue
            tag = pats["trailing_punct"].sub("", tag.strip())
            units = len(tag.encode("utf-16-le")) // 2
            if not tag or units > MAX_TAG_LENGTH:
                continue
            start = m.start(2) - 1
            facets.append(
                (
                    start,
                    {
                        "index": _byte_index(text, start, start + 1 + len(tag)),
                        "features": [{"$type": TAG, "tag": tag}],
                    },
                )
            )
    facets.sort(key=lambda item: item[0])
    return [f for _, f in facets]


def bluesky_facets(text: str) -> list[dict[str, Any]]:
    """Link and tag facets for a Bluesky post (mentions are left out: resolving a
    handle needs the network, which rendering must not touch)."""
    return detect_facets(text)
