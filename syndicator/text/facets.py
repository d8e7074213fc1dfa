"""Bluesky rich-text facets: links, hashtags and cashtags with UTF-8 byte offsets.

Bluesky does no server-side auto-linking: a URL without a link facet is plain text.
Detection follows the reference client, @atproto/api 0.21 (``rich-text/detection.ts``
and ``util.ts``), down to what its JavaScript regular expressions mean: ``\\s`` is
JavaScript's whitespace (U+FEFF yes, U+0085 no), ``\\d`` and ``\\b`` are ASCII, ``^``
of the link pattern also matches after a line break, and TLDs are compared
case-sensitively against the npm ``tlds`` list (``bluesky_tlds.txt``). A post then
looks the same as one written in the app. Offsets are UTF-8 bytes, start inclusive,
end exclusive (app.bsky.richtext.facet); facets come sorted by start, as the client
sorts them.

Mentions need a handle-to-DID lookup (network), which ``render`` must not do: they
are detected, and emitted only when a ``resolve_handle`` callable is given.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any

from syndicator.text.graphemes import grapheme_count

__all__ = ["bluesky_facets", "detect_facets"]

LINK = "app.bsky.richtext.facet#link"
TAG = "app.bsky.richtext.facet#tag"
MENTION = "app.bsky.richtext.facet#mention"
MAX_TAG_GRAPHEMES = 64

# JavaScript's \s (WhiteSpace + LineTerminator) and its line terminators.
_JS_SPACE = (
    "\\t\\n\\v\\f\\r \\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000\\ufeff"
)
_JS_LINE_START = "(?:^|(?<=[\\n\\r\\u2028\\u2029]))"
_ZW = "\\u00ad\\u2060\\u200a\\u200b\\u200c\\u200d\\u20e2"
_ASCII_WORD = "[A-Za-z0-9_]"
_ASCII_BOUNDARY = f"(?:(?<={_ASCII_WORD})(?!{_ASCII_WORD})|(?<!{_ASCII_WORD})(?={_ASCII_WORD}))"


@cache
def _patterns() -> dict[str, Any]:
    import regex  # \p{P}; loaded on first use

    s, not_s = f"[{_JS_SPACE}]", f"[^{_JS_SPACE}]"
    return {
        "mention": regex.compile(f"(^|{s}|\\()(@)([a-zA-Z0-9.-]+){_ASCII_BOUNDARY}"),
        "url": regex.compile(
            f"({_JS_LINE_START}|{s}|\\()"
            f"(([hH][tT][tT][pP][sS]?://{not_s}+)"
            f"|((?P<domain>[a-zA-Z][a-zA-Z0-9]*(\\.[a-zA-Z0-9]+)+){not_s}*))"
        ),
        "tag": regex.compile(
            f"(^|{s})[#＃]((?!\\ufe0f)[^{_JS_SPACE}{_ZW}]*"
            f"[^0-9{_JS_SPACE}\\p{{P}}{_ZW}]+[^{_JS_SPACE}{_ZW}]*)?"
        ),
        "cashtag": regex.compile(
            f"(^|{s}|\\()\\$([A-Za-z][A-Za-z0-9]{{0,4}})(?={s}|$|[.,;:!?)\"'\\u2019])"
        ),
        "trailing_punct": regex.compile(r"\p{P}+$"),
        "trim": regex.compile(f"^{s}+|{s}+$"),
    }


@cache
def _tld_set() -> frozenset[str]:
    path = Path(__file__).with_name("bluesky_tlds.txt")
    lines = path.read_text(encoding="utf-8").splitlines()
    return frozenset(line.strip() for line in lines if line.strip() and not line.startswith("#"))


def _valid_domain(domain: str) -> bool:
    """The client's ``isValidDomain``: the text after the last dot is a TLD, exactly."""
    _, dot, tld = domain.rpartition(".")
    return bool(dot) and tld in _tld_set()


def _utf16_len(s: str) -> int:
    return len(s) + sum(1 for ch in s if ord(ch) > 0xFFFF)


def _index(text: str, start: int, end: int) -> dict[str, int]:
    byte_start = len(text[:start].encode("utf-8", "surrogatepass"))
    byte_end = byte_start + len(text[start:end].encode("utf-8", "surrogatepass"))
    return {"byteStart": byte_start, "byteEnd": byte_end}


def _facet(text: str, start: int, end: int, feature: dict[str, str]) -> dict[str, Any]:
    return {"index": _index(text, start, end), "features": [feature]}


def _mentions(text: str, resolve_handle: Callable[[str], str | None]) -> list[dict[str, Any]]:
    out = []
    for m in _patterns()["mention"].finditer(text):
        handle = m.group(3)
        if not _valid_domain(handle) and not handle.endswith(".test"):
            continue  # probably not a handle
        did = resolve_handle(handle)
        if did:
            out.append(_facet(text, m.start(3) - 1, m.end(3), {"$type": MENTION, "did": did}))
    return out


def _links(text: str) -> list[dict[str, Any]]:
    out = []
    for m in _patterns()["url"].finditer(text):
        uri = m.group(2)
        start, end = m.start(2), m.end(2)
        if not uri.startswith("http"):  # case-sensitive, as upstream: "HTTP://x" is no link
            domain = m.group("domain")
            if not domain or not _valid_domain(domain):
                continue
            uri = "https://" + uri
        if uri[-1] in ".,;:!?":
            uri, end = uri[:-1], end - 1
        if uri.endswith(")") and "(" not in uri:
            uri, end = uri[:-1], end - 1
        out.append(_facet(text, start, end, {"$type": LINK, "uri": uri}))
    return out


def _tags(text: str) -> list[dict[str, Any]]:
    pats = _patterns()
    out = []
    for m in pats["tag"].finditer(text):
        tag = m.group(2)
        if not tag:
            continue
        tag = pats["trailing_punct"].sub("", pats["trim"].sub("", tag))
        if not tag or (
            _utf16_len(tag) > MAX_TAG_GRAPHEMES and grapheme_count(tag) > MAX_TAG_GRAPHEMES
        ):
            continue
        start = m.end(1)
        out.append(_facet(text, start, start + 1 + len(tag), {"$type": TAG, "tag": tag}))
    return out


def _cashtags(text: str) -> list[dict[str, Any]]:
    out = []
    for m in _patterns()["cashtag"].finditer(text):
        ticker = m.group(2).upper()
        start = m.end(1)
        out.append(
            _facet(text, start, start + 1 + len(ticker), {"$type": TAG, "tag": "$" + ticker})
        )
    return out


def detect_facets(
    text: str, *, resolve_handle: Callable[[str], str | None] | None = None
) -> list[dict[str, Any]]:
    """Mention (only with ``resolve_handle``), link, tag and cashtag facets, sorted by
    start as the client sorts them (a stable sort of mentions, links, tags, cashtags)."""
    facets: list[dict[str, Any]] = []
    if resolve_handle is not None and "@" in text:
        facets += _mentions(text, resolve_handle)
    if "." in text or "://" in text:  # "http://localhost" is a link too
        facets += _links(text)
    if "#" in text or "＃" in text:
        facets += _tags(text)
    if "$" in text:
        facets += _cashtags(text)
    facets.sort(key=lambda f: f["index"]["byteStart"])
    return facets


def bluesky_facets(text: str) -> list[dict[str, Any]]:
    """Link, tag and cashtag facets for a Bluesky post (mentions are left out: resolving
    a handle needs the network, which rendering must not touch)."""
    return detect_facets(text)
