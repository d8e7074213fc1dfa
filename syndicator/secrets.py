"""Secrets: where they come from, and keeping them out of every output.

A secret is written in the config as ``env:NAME`` or ``file:PATH``, never as the value
itself. Each resolved value is remembered in a process-wide set so that ``redact`` can
scrub it from log records, stored error messages and exception text, whatever code path
produced them.
"""

from __future__ import annotations

import json
import logging
import os
import re
import stat
import threading
from pathlib import Path
from typing import NamedTuple

from syndicator.errors import ConfigError

log = logging.getLogger(__name__)

_known: set[str] = set()
_lock = threading.Lock()
MASK = "***"
_MIN_SECRET_LENGTH = 4  # shorter values would mask ordinary words
FRAGMENT = 8  # a run of this many characters of a secret is masked wherever it appears


class _Index(NamedTuple):
    """What ``redact`` looks for, rebuilt when a secret is remembered: one pattern
    for every secret in every form a server may echo it (as it is, percent-encoded
    in either case of hex, JSON-escaped), longest first; and every run of
    ``FRAGMENT`` characters of every secret (of its secret part: the scheme and host
    of a webhook URL are public), so a part of a secret, cut anywhere, is masked too."""

    pattern: re.Pattern[str] | None
    fragments: frozenset[str]


_index = _Index(None, frozenset())


def remember(value: str) -> None:
    """Mark ``value`` as secret so ``redact`` hides it from now on."""
    global _index
    if len(value) < _MIN_SECRET_LENGTH:
        return
    with _lock:
        if value in _known:
            return
        _known.add(value)
        _index = _build_index(_known)


def _forms(value: str) -> set[str]:
    from urllib.parse import quote, quote_plus

    forms = {value, quote(value, safe=""), quote(value), quote_plus(value)}
    forms.add(json.dumps(value)[1:-1])
    forms.add(json.dumps(value, ensure_ascii=False)[1:-1])
    return forms


def _as_pattern(form: str) -> str:
    """``form`` as a regular expression, its percent-escapes matched in either case."""
    return "".join(
        f"%[{part[1].upper()}{part[1].lower()}][{part[2].upper()}{part[2].lower()}]"
        if part.startswith("%") and len(part) == 3
        else re.escape(part)
        for part in re.split(r"(%[0-9A-Fa-f]{2})", form)
        if part
    )


def _secret_part(value: str) -> str:
    """The part of ``value`` that is secret: all of it, but for a URL its path and
    query (a webhook's scheme and host are public and appear in ordinary text)."""
    scheme, sep, rest = value.partition("://")
    if sep and scheme.isalpha() and "/" in rest:
        return "/" + rest.split("/", 1)[1]
    return value


def _build_index(values: set[str]) -> _Index:
    forms = sorted({form for value in values for form in _forms(value)}, key=len, reverse=True)
    pattern = re.compile("|".join(_as_pattern(form) for form in forms)) if forms else None
    fragments = {
        part[i : i + FRAGMENT]
        for value in values
        for part in _forms(_secret_part(value))
        for i in range(len(part) - FRAGMENT + 1)
    }
    return _Index(pattern, frozenset(fragments))


def redact(text: str) -> str:
    """Replace every known secret in ``text`` by ``***``: whole (in any form a
    server may echo it), and any run of ``FRAGMENT`` or more of its characters (a
    secret cut by whoever shortened the text before us)."""
    index = _index
    if not text or index.pattern is None:
        return text
    text = index.pattern.sub(MASK, text)
    if index.fragments and len(text) >= FRAGMENT:
        text = _mask_fragments(text, index.fragments)
    return text


def _mask_fragments(text: str, fragments: frozenset[str]) -> str:
    spans: list[list[int]] = []
    for i in range(len(text) - FRAGMENT + 1):
        if text[i : i + FRAGMENT] in fragments:
            if spans and i <= spans[-1][1]:
                spans[-1][1] = i + FRAGMENT
            else:
                spans.append([i, i + FRAGMENT])
    if not spans:
        return text
    pieces, at = [], 0
    for start, end in spans:
        pieces += [text[at:start], MASK]
        at = end
    pieces.append(text[at:])
    return "".join(pieces)


def shorten(text: str, limit: int) -> str:
    """``text`` made fit to keep (an error body, a platform's message): whitespace
    folded, every secret redacted, and only then cut to ``limit`` characters, so a
    cut can never leave part of a secret behind. Every place that keeps a platform's
    words calls this."""
    folded = " ".join(text.split())
    return redact(folded)[:limit]


def secret_file(reference: str, base_dir: Path | None = None) -> Path | None:
    """The file a ``file:PATH`` reference names (relative to ``base_dir``); None for
    any other reference."""
    if not reference.startswith("file:"):
        return None
    path = Path(reference[5:]).expanduser()
    return base_dir / path if not path.is_absolute() and base_dir is not None else path


def readable_by_others(path: Path) -> bool:
    """Whether users other than the owner may read ``path`` (its group or anyone)."""
    try:
        return bool(path.stat().st_mode & (stat.S_IRGRP | stat.S_IROTH))
    except OSError:
        return False


def resolve(reference: str, *, where: str, base_dir: Path | None = None) -> str:
    """Turn ``env:NAME`` or ``file:PATH`` into the secret's value.

    ``where`` names the config key (``targets[1].secrets.access_token``) so that an
    error tells the operator exactly what to fix, without ever printing a value.
    """
    value, warning = read_secret(reference, where=where, base_dir=base_dir)
    if warning:
        log.warning("%s", warning)
    return value


def read_secret(
    reference: str, *, where: str, base_dir: Path | None = None
) -> tuple[str, str | None]:
    """The secret's value and a warning about how it is kept (a file others may
    read), or ``ConfigError`` naming the key and the variable or path. ``syndicator
    check`` calls this for every secret, so what would fail at send time fails there."""
    warning = None
    if reference.startswith("env:"):
        name = reference[4:]
        value = os.environ.get(name)
        if value is None:
            raise ConfigError(f"{where}: environment variable {name} is not set")
    elif (path := secret_file(reference, base_dir)) is not None:
        try:
            mode = path.stat().st_mode
            value = path.read_text(encoding="utf-8").strip()
        except (OSError, UnicodeDecodeError) as exc:
            reason = getattr(exc, "strerror", None) or "not UTF-8 text"
            raise ConfigError(f"{where}: cannot read secret file {path}: {reason}") from None
        if mode & (stat.S_IRGRP | stat.S_IROTH):
            warning = f"{where}: secret file {path} is readable by other users (chmod 600 it)"
    else:
        raise ConfigError(
            f"{where}: expected 'env:NAME' or 'file:PATH' (secrets are never written in the config)"
        )
    if not value:
        source = f"environment variable {reference[4:]}" if reference.startswith("env:") else "file"
        raise ConfigError(f"{where}: the secret is empty ({source})")
    remember(value)
    return value, warning


class RedactingFilter(logging.Filter):
    """A logging filter that scrubs secrets from the final message of every record."""

    def filter(self, record: logging.LogRecord) -> bool:
        if _known:
            message = record.getMessage()
            cleaned = redact(message)
            if cleaned != message:
                record.msg, record.args = cleaned, None
            if record.exc_info and record.exc_info[1] is not None:
                record.exc_text = redact(logging.Formatter().formatException(record.exc_info))
                record.exc_info = None
        return True


def install_log_redaction() -> None:
    """Attach the redacting filter to every handler of the root logger."""
    root = logging.getLogger()
    for handler in root.handlers:
        if not any(isinstance(f, RedactingFilter) for f in handler.filters):
            handler.addFilter(RedactingFilter())
