"""The data that crosses module boundaries: articles in, posts out, receipts back.

Everything here is a plain frozen dataclass so that sources, the pipeline, adapters and
the store can exchange values without sharing behaviour. Adapters depend on this
module and on ``syndicator.text``, nothing else of the engine.
"""

from __future__ import annotations

import enum
import hashlib
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class Article:
    """One news article, as extracted from a feed item or an article page.

    ``key`` is the stable identity (guid, else canonical URL, else a content hash) and
    ``url`` the canonical link that posts point to. ``text`` is the cleaned body (plain
    text, paragraphs separated by blank lines); ``summary`` is the feed's own teaser,
    cleaned, when it had one. ``image_path`` is set by the engine once the lead image
    has been downloaded and checked, so that rendering never touches the network.
    """

    key: str
    url: str
    title: str
    source: str = ""
    guid: str | None = None
    summary: str = ""
    text: str = ""
    published: datetime | None = None
    image_url: str | None = None
    image_path: Path | None = None
    categories: tuple[str, ...] = ()
    language: str | None = None
    author: str | None = None
    site_name: str | None = None

    def with_changes(self, **changes: Any) -> Article:
        return replace(self, **changes)

    @property
    def content_hash(self) -> str:
        """A digest of the title and teaser, to notice an edited article. The body is
        left out: a feed item and the same article enriched from its page must match."""
        digest = hashlib.sha256()
        for part in (self.title, self.summary):
            digest.update(part.encode("utf-8"))
            digest.update(b"\x00")
        return digest.hexdigest()[:16]


@dataclass(frozen=True)
class Media:
    """A file attached to a post. ``data`` is held in memory; the engine writes it to
    the media folder and records ``path`` in the post log."""

    filename: str
    mime: str
    data: bytes = field(repr=False, default=b"")
    alt: str = ""
    path: Path | None = None

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()


@dataclass(frozen=True)
class Post:
    """Exactly what an adapter will send. ``render`` builds it, ``publish`` sends it
    unchanged. ``length`` is measured with ``rule`` (the platform's own way of
    counting) and never exceeds ``limit``. ``extra`` holds platform payload pieces
    that are not the main text (Bluesky facets, a link card, a Matrix HTML body); it
    must be JSON-serialisable because the post log stores it."""

    target: str
    adapter: str
    text: str
    rule: str
    length: int
    limit: int
    media: tuple[Media, ...] = ()
    extra: dict[str, Any] = field(default_factory=dict)
    link: str = ""
    title: str = ""


@dataclass(frozen=True)
class Receipt:
    """What the platform answered: its id for the post and where a person can see it."""

    remote_id: str = ""
    remote_url: str = ""
    detail: str = ""


class DeliveryState(enum.StrEnum):
    """The life of one (article, target) delivery; see DESIGN.md's invariants."""

    PENDING = "pending"  # due to be sent (at ``due_at``)
    HELD = "held"  # waiting for an operator's approval
    SENDING = "sending"  # claimed: a process is (or was, before a crash) sending it
    RETRY = "retry"  # a transient failure; due again at ``due_at``
    SENT = "sent"
    FAILED = "failed"  # rejected for good, or out of attempts
    UNKNOWN = "unknown"  # a crash mid-send on a platform without idempotency
    SKIPPED = "skipped"  # never to be sent; ``reason`` says why
    REJECTED = "rejected"  # an operator said no

    @property
    def is_final(self) -> bool:
        return self in _FINAL_STATES


_FINAL_STATES = frozenset(
    {DeliveryState.SENT, DeliveryState.FAILED, DeliveryState.SKIPPED, DeliveryState.REJECTED}
)
