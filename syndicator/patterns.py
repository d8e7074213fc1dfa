"""Regular expressions from configs and feeds, compiled with RE2: linear time, so a
pattern or a page can never make a poll hang (no backtracking, no ReDoS)."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

__all__ = ["compile_re2"]


@lru_cache(maxsize=256)
def compile_re2(pattern: str) -> Any:
    """The compiled pattern, or ``ValueError`` with RE2's reason. RE2 is told not to
    print its own error line to stderr: the caller reports the error with its key."""
    import re2

    options = re2.Options()
    options.log_errors = False
    try:
        return re2.compile(pattern, options=options)
    except re2.error as exc:
        reason = exc.args[0] if exc.args else exc
        if isinstance(reason, bytes):  # google-re2 gives RE2's own message as bytes
            reason = reason.decode("utf-8", "replace")
        raise ValueError(f"not a valid regular expression (RE2 syntax): {reason}") from None
