"""Bytes to text for pages and feeds whose charset may be declared anywhere.

Chinese news sites still serve GBK/GB2312 or Big5, declared in the HTTP header, in a
``<meta>`` tag or XML declaration, or nowhere at all. GB2312 and GBK are decoded as
GB18030 (their superset), because pages labelled GB2312 routinely contain GBK-only
characters. An undeclared document that is not UTF-8 is told apart by
charset-normalizer, limited to GB18030, Big5 and Windows-1252: any Big5 byte
sequence is also valid GB18030, so only the text's content can tell them apart.
"""

from __future__ import annotations

import codecs
import re

__all__ = [
    "charset_from_content_type",
    "decode_body",
    "decode_feed",
    "normalise_encoding",
    "sniff_encoding",
]

_CHARSET_PARAM = re.compile(rb"""charset\s*=\s*["']?\s*([A-Za-z0-9._:-]+)""", re.I)
_META_CHARSET = re.compile(rb"""<meta[^>]{0,200}?charset\s*=\s*["']?\s*([A-Za-z0-9._:-]+)""", re.I)
_XML_DECL = re.compile(rb"""^\s*<\?xml[^>]{0,200}?encoding\s*=\s*["']([A-Za-z0-9._:-]+)""", re.I)
_BOMS = (
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
_SUPERSETS = {
    "gb2312": "gb18030",
    "gbk": "gb18030",
    "cp936": "gb18030",
    "x-gbk": "gb18030",
    "euc-cn": "gb18030",
    "big5": "big5hkscs",
    "ascii": "cp1252",
    "us-ascii": "cp1252",
    "iso-8859-1": "cp1252",
    "latin-1": "cp1252",
    "latin1": "cp1252",
}


def normalise_encoding(name: str | None) -> str | None:
    """A Python codec name for a declared charset, or ``None`` if it is unknown."""
    if not name:
        return None
    name = name.strip().strip("\"'").lower()
    name = _SUPERSETS.get(name, name)
    try:
        return codecs.lookup(name).name
    except LookupError:
        return None


def charset_from_content_type(content_type: str) -> str | None:
    match = _CHARSET_PARAM.search(content_type.encode("latin-1", "replace"))
    return normalise_encoding(match.group(1).decode("ascii")) if match else None


def sniff_encoding(body: bytes) -> str | None:
    """The charset a document declares about itself: BOM, XML declaration or
    ``<meta charset>`` / ``<meta http-equiv>`` within the first 4 KB."""
    for bom, name in _BOMS:
        if body.startswith(bom):
            return name
    head = body[:4096]
    for pattern in (_XML_DECL, _META_CHARSET):
        match = pattern.search(head)
        if match and (found := normalise_encoding(match.group(1).decode("ascii"))):
            return found
    return None


_GUESSES = ["gb18030", "big5", "cp1252"]
_STRAY_SHARE = 20  # at most one bad sequence per 20 non-ASCII bytes is "UTF-8 with strays"
_GUESS_SAMPLE = 200_000  # bytes charset-normalizer looks at: enough to tell, bounded in time


def _mostly_utf8(body: bytes) -> str | None:
    """``body`` as UTF-8 when it is UTF-8 but for a few stray bytes (a cut-off
    character, one pasted Latin-1 byte): replacing those beats reading the whole
    document in another charset. ``None`` when it is not UTF-8 at all."""
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError:
        pass
    text = body.decode("utf-8", errors="replace")
    non_ascii = len(body) - len(body.decode("ascii", errors="ignore"))
    return text if text.count("\ufffd") * _STRAY_SHARE <= non_ascii else None


def _undeclared(body: bytes) -> str:
    """Text of a document that names no charset: UTF-8 when it is valid UTF-8,
    else GB18030, Big5 or Windows-1252, whichever its content reads as."""
    if (text := _mostly_utf8(body)) is not None:
        return text
    from charset_normalizer import from_bytes

    best = from_bytes(body[:_GUESS_SAMPLE], cp_isolation=_GUESSES).best()
    guess = normalise_encoding(best.encoding if best is not None else None) or "gb18030"
    try:
        return body.decode(guess)
    except UnicodeDecodeError:
        return body.decode("cp1252", errors="replace")


def decode_body(body: bytes, encoding: str | None = None) -> str:
    """Decode a page: a BOM wins, then ``encoding`` (the HTTP header's charset),
    then the document's own declaration, then the content decides (``_undeclared``).
    A document declared UTF-8 that is not UTF-8 is decoded as undeclared; other
    declared charsets are trusted, with undecodable bytes replaced."""
    for bom, name in _BOMS:
        if body.startswith(bom):
            return body.decode(name, errors="replace").lstrip("\ufeff")
    declared = normalise_encoding(encoding) or sniff_encoding(body)
    if declared:
        # utf-16 declared in a meta tag of an 8-bit page is a known lie (WHATWG).
        if declared.startswith("utf-16"):
            declared = "utf-8"
        try:
            return body.decode(declared)
        except UnicodeDecodeError:
            if declared != "utf-8":
                return body.decode(declared, errors="replace")
    return _undeclared(body)  # a page declared UTF-8 that is mostly not is read by content


def decode_feed(body: bytes, content_type: str = "") -> str:
    """Decode a feed with the charset of its ``Content-Type``, else as ``decode_body``
    does (BOM, XML declaration, then its content)."""
    return decode_body(body, charset_from_content_type(content_type))
