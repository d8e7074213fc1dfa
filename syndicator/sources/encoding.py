"""Bytes to text for pages and feeds whose charset may be declared anywhere.

Chinese news sites still serve GBK/GB2312, declared in the HTTP header, in a
``<meta>`` tag or nowhere at all. GB2312 and GBK are decoded as GB18030 (their
superset), because pages labelled GB2312 routinely contain GBK-only characters.
"""

from __future__ import annotations

import codecs
import re

__all__ = ["charset_from_content_type", "decode_body", "normalise_encoding", "sniff_encoding"]

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


def decode_body(body: bytes, encoding: str | None = None) -> str:
    """Decode a page: a BOM wins, then ``encoding`` (the HTTP header's charset),
    then the document's own declaration, then UTF-8 if it is valid, then GB18030
    if that is valid, else Windows-1252 (which decodes anything)."""
    for bom, name in _BOMS:
        if body.startswith(bom):
            return body.decode(name, errors="replace").lstrip("\ufeff")
    declared = normalise_encoding(encoding) or sniff_encoding(body)
    if declared:
        # utf-16 declared in a meta tag of an 8-bit page is a known lie (WHATWG).
        if declared.startswith("utf-16"):
            declared = "utf-8"
        return body.decode(declared, errors="replace")
    for guess in ("utf-8", "gb18030"):
        try:
            return body.decode(guess)
        except UnicodeDecodeError:
            continue
    return body.decode("cp1252", errors="replace")
