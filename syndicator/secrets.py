"""Secrets: where they come from, and keeping them out of every output.

A secret is written in the config as ``env:NAME`` or ``file:PATH``, never as the value
itself. Each resolved value is remembered in a process-wide set so that ``redact`` can
scrub it from log records, stored error messages and exception text, whatever code path
produced them.
"""

from __future__ import annotations

import logging
import os
import stat
import threading
from pathlib import Path

from syndicator.errors import ConfigError

log = logging.getLogger(__name__)

_known: set[str] = set()
_lock = threading.Lock()
MASK = "***"
_MIN_SECRET_LENGTH = 4  # shorter values would mask ordinary words


def remember(value: str) -> None:
    """Mark ``value`` as secret so ``redact`` hides it from now on."""
    if len(value) >= _MIN_SECRET_LENGTH:
        with _lock:
            _known.add(value)


def redact(text: str) -> str:
    """Replace every known secret in ``text`` by ``***`` (longest first, so a secret
    that contains another is hidden whole)."""
    if not text or not _known:
        return text
    with _lock:
        values = sorted(_known, key=len, reverse=True)
    for value in values:
        if value in text:
            text = text.replace(value, MASK)
    return text


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
    elif reference.startswith("file:"):
        path = Path(reference[5:]).expanduser()
        if not path.is_absolute() and base_dir is not None:
            path = base_dir / path
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
