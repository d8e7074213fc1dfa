"""Error types the engine understands.

Adapters translate every platform answer into one of the ``PublishError`` kinds below,
and the delivery engine decides from the kind alone: retry later, retry at the time the
platform named, or record the failure for good. Messages are shown to operators and
stored in the post log, so they must never contain a secret (see ``secrets.redact``).
"""

from __future__ import annotations

from datetime import datetime


class SyndicatorError(Exception):
    """Base of every error syndicator raises on purpose."""


class ConfigError(SyndicatorError):
    """The configuration is wrong. ``problems`` lists every problem, each naming the
    file, the key path and what was expected."""

    def __init__(self, problems: list[str] | str) -> None:
        self.problems = [problems] if isinstance(problems, str) else list(problems)
        super().__init__("\n".join(self.problems))


class UsageError(SyndicatorError):
    """The command line asks for something that does not exist or cannot be done
    (``--to`` a target not configured, ``retry`` of a delivery that is not there):
    exit 2 with the message, like argparse's own usage errors."""


class SourceError(SyndicatorError):
    """A source could not be read (network, HTTP status, size cap, parse failure)."""

    def __init__(self, source: str, message: str, *, retry_after: float | None = None) -> None:
        self.source = source
        self.retry_after = retry_after
        super().__init__(f"source {source!r}: {message}")


class ExtractionError(SyndicatorError):
    """An article page could not be turned into an article."""


class RenderError(SyndicatorError):
    """A post could not be rendered (for example, no font covers the title)."""


class PublishError(SyndicatorError):
    """Base of what ``Adapter.publish`` raises. ``platform_message`` is the platform's
    own words, kept for the post log."""

    retryable = True

    def __init__(self, message: str, *, platform_message: str = "") -> None:
        self.platform_message = platform_message or message
        super().__init__(message)


class Transient(PublishError):
    """A passing failure (timeout, 5xx): retry with exponential backoff."""


class RateLimited(PublishError):
    """The platform asked us to wait. ``retry_at`` is when it said we may try again,
    or ``None`` when it did not say (the engine then backs off)."""

    def __init__(
        self, message: str, *, retry_at: datetime | None, platform_message: str = ""
    ) -> None:
        self.retry_at = retry_at
        super().__init__(message, platform_message=platform_message)


class Rejected(PublishError):
    """The platform refused this post for good (too long, invalid, forbidden)."""

    retryable = False


class AuthFailed(PublishError):
    """The credentials are wrong or expired: not retried until an operator acts."""

    retryable = False


class SecretMissing(AuthFailed):
    """A secret the adapter needs cannot be had (not configured, an unset variable,
    a missing file): nothing was sent, and no retry helps until the operator fixes it."""


class AlreadyPosted(PublishError):
    """The platform says this exact post already exists (Weibo 20019, X's duplicate
    403). The delivery counts as sent; ``remote_url`` is filled when known."""

    retryable = False

    def __init__(self, message: str, *, remote_id: str = "", remote_url: str = "") -> None:
        self.remote_id = remote_id
        self.remote_url = remote_url
        super().__init__(message)
