"""URL detection that agrees with the platforms that give URLs a fixed length.

X (twitter-text) counts every URL its extractor finds as 23, *including* URLs
written without a scheme ("example.com/path"), and counts in full what it does not
take for a URL (a host that is an IP address, a label longer than 63 characters, a
URL longer than 4096). Mastodon reuses the same extractor with a scheme required
and a more permissive path. Counting a post exactly means finding exactly the same
spans, so the patterns below follow twitter-text's published grammar (config v3
era, validate.yml/extract.yml conformance) piece by piece.

The TLD list is data (``tlds.txt``); the big pattern is compiled on first use so
that importing ``syndicator.text`` stays cheap.
"""

from __future__ import annotations

import re
from functools import cache, lru_cache
from pathlib import Path
from typing import NamedTuple

__all__ = ["UrlSpan", "extract_urls", "tlds"]

MAX_URL_LENGTH = 4096
MAX_LABEL_LENGTH = 63
MAX_TCO_SLUG_LENGTH = 40
DEFAULT_PROTOCOL = "https://"

_DIRECTIONAL = "\u202a-\u202e\u061c\u200e\u200f\u2066\u2067\u2068\u2069"
_INVALID = "\ufffe\ufeff\uffff"
_SPACES = "\x09-\x0d\x20\x85\xa0\u1680\u180e\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"
_PUNCT = r"!'#%&()*+,\\\-./:;<=>?@\[\]^_{|}~$"
_LATIN_ACCENTS = (
    "\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u00ff\u0100-\u024f\u0253\u0254\u0256\u0257\u0259"
    "\u025b\u0263\u0268\u026f\u0272\u0289\u028b\u02bb\u0300-\u036f\u1e00-\u1eff"
)
_CYRILLIC = "\u0400-\u04ff"
_TLD_END = r"(?=[^0-9a-zA-Z@+\-]|$)"
# Mastodon's extra URL schemes (config/initializers/twitter_regex.rb).
_MASTODON_SCHEMES = r"(?:https?|dat|dweb|ipfs|ipns|ssb|gopher|gemini)://"
_MASTODON_UCHARS = (
    "\u00a0-\ud7ff\uf900-\ufdcf\ufdf0-\uffef\U00010000-\U0001fffd\U00020000-\U0002fffd"
    "\U00030000-\U000dfffd\U000e1000-\U000efffd\ue000-\uf8ff\U000f0000-\U0010fffd"
)


class UrlSpan(NamedTuple):
    """A detected URL: ``text[start:end]`` (code point offsets)."""

    start: int
    end: int
    url: str
    has_protocol: bool


@cache
def tlds() -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(country, generic) TLDs in twitter-text's order (longer alternatives first)."""
    sections: dict[str, list[str]] = {"country": [], "generic": []}
    current = None
    for line in (Path(__file__).with_name("tlds.txt")).read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("["):
            current = line.strip("[]")
            continue
        if current is None:
            raise ValueError("tlds.txt: names before a [section] header")
        sections[current].extend(line.split())
    return tuple(sections["country"]), tuple(sections["generic"])


def _alternation(names: tuple[str, ...]) -> str:
    return "|".join(_caseless(n) for n in names)


def _caseless(name: str) -> str:
    """``name`` as a pattern matching what JavaScript's /i matches: ASCII letters are left
    to re.IGNORECASE|re.ASCII, a non-ASCII letter becomes a class of its simple case
    pair (JavaScript maps each UTF-16 unit to its upper case, never into ASCII)."""
    out = []
    for ch in name:
        if ch.isascii():
            out.append(re.escape(ch))
            continue
        pair = {ch} | {c for c in (ch.upper(), ch.lower()) if len(c) == 1 and not c.isascii()}
        out.append("[" + "".join(sorted(pair)) + "]" if len(pair) > 1 else re.escape(ch))
    return "".join(out)


@cache
def _patterns(mastodon: bool) -> dict[str, re.Pattern[str]]:
    country, generic = tlds()
    dc = f"[^{_PUNCT}{_SPACES}{_INVALID}{_DIRECTIONAL}]"  # a domain character
    gtld = f"(?:(?:{_alternation(generic)}){_TLD_END})"
    cctld = f"(?:(?:{_alternation(country)}){_TLD_END})"
    puny = r"(?:xn--[\-0-9a-z]+)"
    subdomain = f"(?:(?:{dc}(?:[_-]|{dc})*)?{dc}\\.)"
    domain_name = f"(?:(?:{dc}(?:-|{dc})*)?{dc}\\.)"
    domain = f"(?:{subdomain}*{domain_name}(?:{gtld}|{cctld}|{puny}))"
    if mastodon:
        gpc = r"[^\s<>()?]"
        balanced = f"\\((?:{gpc}+|(?:{gpc}*\\({gpc}+\\){gpc}*))\\)"
        pec = f"(?:[^\\s()?!*\"'「」<>;:=,.$%\\[\\]~&|@]|{balanced})"
        query = f"[a-z0-9!?*'();:&=+$/%#\\[\\]\\-_.,~|@\\^{_MASTODON_UCHARS}]"
        query_end = f"[a-z0-9_&=#/\\-{_MASTODON_UCHARS}]"
        scheme = _MASTODON_SCHEMES
        path = f"(?:(?:{gpc}*(?:{balanced}{gpc}*)*{pec})|(?:{gpc}+/))"
    else:
        gpc = f"[a-z{_CYRILLIC}0-9!*';:=+,.$/%#\\[\\]\\-\u2013_~|&@{_LATIN_ACCENTS}]"
        balanced = f"\\((?:{gpc}+|(?:{gpc}*\\({gpc}+\\){gpc}*))\\)"
        pec_class = f"[+\\-a-z{_CYRILLIC}0-9=_#/{_LATIN_ACCENTS}]"
        query = r"[a-z0-9!?*'@();:&=+$/%#\[\]\-_.,~|]"
        query_end = r"[a-z0-9\-_&=#/]"
        scheme = r"https?://"
        # twitter-text's JavaScript splices the ending-characters alternation into the path
        # ungrouped: a path part ends with one of those characters, or is a balanced
        # parenthesis group alone ("/*(b)" stops after "/", "/#(b)" does not).
        path = f"(?:(?:{gpc}*(?:{balanced}{gpc}*)*{pec_class}|{balanced})|(?:@{gpc}+/))"
    preceding = f"(?:[^A-Za-z0-9@\uff20$#\uff03{_INVALID}]|[{_DIRECTIONAL}]|^)"
    url = (
        f"(?P<before>{preceding})"
        f"(?P<url>(?P<protocol>{scheme})?(?P<domain>{domain})(?::(?P<port>[0-9]+))?"
        f"(?P<path>/{path}*)?(?P<query>\\?{query}*{query_end})?)"
    )
    ascii_domain = f"(?:(?:[\\-a-z0-9{_LATIN_ACCENTS}]+)\\.)+(?:{gtld}|{cctld}|{puny})"
    # JavaScript's /i (no /u) folds ASCII letters only: "ſ" is no "s", the Kelvin sign
    # no "k". Non-ASCII TLDs get their case pairs spelled out (_tld_alternation).
    # (Mastodon's Ruby grammar keeps Python's Unicode reading, as before.)
    flags = re.IGNORECASE if mastodon else re.IGNORECASE | re.ASCII
    return {
        "url": re.compile(url, flags),
        "ascii_domain": re.compile(ascii_domain, flags),
        "ascii_domain_full": re.compile(f"^{ascii_domain}$", flags),
        "tco": re.compile(f"^https?://t\\.co/([a-z0-9]+)(?:\\?{query}*{query_end})?", flags),
    }


def _utf16_len(s: str) -> int:
    return len(s) + sum(1 for ch in s if ord(ch) > 0xFFFF)


def _host_is_valid(domain: str, pats: dict[str, re.Pattern[str]]) -> bool:
    """twitter-text's ``idna.toAscii``: a host starting "xn--" (case-sensitive) must hold an
    ASCII domain somewhere, and every label, as punycode 1.4.1's ``toASCII`` writes it,
    is 1..63 long."""
    if domain[:4] == "xn--" and not pats["ascii_domain"].search(domain):
        return False
    return all(1 <= _punycode_length(label) <= MAX_LABEL_LENGTH for label in domain.split("."))


_PUNYCODE_SEPARATORS = re.compile("[\u3002\uff0e\uff61]")
_PRINTABLE_ASCII = re.compile("[\x20-\x7e]*")


def _punycode_length(label: str) -> int:
    """The UTF-16 length of punycode.js 1.4.1's ``toASCII(label)``: the ideographic and
    full-width full stops separate labels there too, and a part with anything outside
    printable ASCII becomes "xn--" + its Punycode."""
    if _PRINTABLE_ASCII.fullmatch(label):
        return len(label)
    parts = _PUNYCODE_SEPARATORS.sub(".", label).split(".")
    size = len(parts) - 1
    for part in parts:
        if _PRINTABLE_ASCII.fullmatch(part):
            size += len(part)
        else:
            size += 4 + len(part.encode("punycode"))
    return size


# Whole tokens between twitter-text's spaces (not Python's \s: U+001C-U+001F are no
# space there) holding a dot / a scheme separator, found in C.
_DOT_TOKEN = re.compile(f"(?<![^{_SPACES}])[^{_SPACES}]*\\.[^{_SPACES}]*")
_SCHEME_TOKEN = re.compile(f"(?<![^{_SPACES}])[^{_SPACES}]*://[^{_SPACES}]*")
# Mastodon's grammar stops at any Unicode whitespace (its paths exclude \s).
_MASTODON_DOT_TOKEN = re.compile(r"(?<!\S)\S*\.\S*")
_MASTODON_SCHEME_TOKEN = re.compile(r"(?<!\S)\S*://\S*")


def extract_urls(
    text: str, *, without_protocol: bool = True, mastodon: bool = False
) -> list[UrlSpan]:
    """Every URL the platform's extractor would find, in order.

    ``without_protocol`` follows twitter-text's ``extractUrlsWithoutProtocol`` (X: on,
    Mastodon: off). ``mastodon`` selects Mastodon's schemes and path grammar.
    A URL never contains whitespace, so only whitespace-free tokens holding a dot
    are scanned: the grammar's backtracking then stays local to one token, and a
    token's result can be cached.
    """
    if "." not in text:
        return []
    if without_protocol:
        tokens = _MASTODON_DOT_TOKEN if mastodon else _DOT_TOKEN
    elif "://" in text:  # a URL found without a scheme would not count
        tokens = _MASTODON_SCHEME_TOKEN if mastodon else _SCHEME_TOKEN
    else:
        return []
    found: list[UrlSpan] = []
    for match in tokens.finditer(text):
        token = match.group()
        if "." not in token.rstrip("."):  # a domain needs a dot with something after it
            continue
        offset = match.start()
        if offset:  # the space before the token may be the URL's preceding character
            token, offset = " " + token, offset - 1
        spans = _token_urls(token, without_protocol, mastodon)
        if spans:
            found.extend(
                UrlSpan(s.start + offset, s.end + offset, s.url, s.has_protocol) for s in spans
            )
    return found


@lru_cache(maxsize=8192)
def _token_urls(token: str, without_protocol: bool, mastodon: bool) -> tuple[UrlSpan, ...]:
    """The URLs of one whitespace-free token, offsets relative to it. Cached: fitting
    measures many candidate posts that share most of their tokens."""
    found: list[UrlSpan] = []
    _scan_token(token, 0, _patterns(mastodon), without_protocol, found)
    return tuple(found)


def _scan_token(
    token: str,
    offset: int,
    pats: dict[str, re.Pattern[str]],
    without_protocol: bool,
    found: list[UrlSpan],
) -> None:
    for m in pats["url"].finditer(token):
        url, protocol, domain, path = m["url"], m["protocol"], m["domain"], m["path"]
        start, end = m.start("url") + offset, m.end("url") + offset
        if not _host_is_valid(domain, pats):
            continue
        if len(protocol or DEFAULT_PROTOCOL) + _utf16_len(url) > MAX_URL_LENGTH:
            continue
        if protocol:
            tco = pats["tco"].match(url)
            if tco:
                if len(tco.group(1)) > MAX_TCO_SLUG_LENGTH:
                    continue
                url = tco.group(0)
                end = start + len(url)
            found.append(UrlSpan(start, end, url, True))
            continue
        if not without_protocol or re.search(r"[-_./]$", m["before"]):
            continue
        # Without a scheme only ASCII domains count; each one found inside the
        # (possibly non-ASCII) domain is a URL, and the last one takes the path.
        last: UrlSpan | None = None
        domain_start = m.start("domain") + offset
        for a in pats["ascii_domain"].finditer(domain):
            last = UrlSpan(domain_start + a.start(), domain_start + a.end(), a.group(), False)
            found.append(last)
        if last is not None and path and found and found[-1] is last:
            found[-1] = UrlSpan(
                last.start, end, last.url + url[m.end("domain") - m.start("url") :], False
            )
