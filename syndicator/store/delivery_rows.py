"""One delivery as the post log holds it (``DeliveryRow``), and the query every
reader of deliveries starts from. The writes are in ``deliveries``."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Row, Select, select

from syndicator.clock import as_utc
from syndicator.models import DeliveryState
from syndicator.store import schema

d = schema.deliveries
a = schema.articles


@dataclass(frozen=True)
class DeliveryRow:
    id: int
    article_id: int
    target: str
    seq: int
    state: DeliveryState
    reason: str
    attempts: int
    idem_key: str
    created_at: datetime
    updated_at: datetime
    due_at: datetime | None
    sent_at: datetime | None
    text: str
    length: int | None
    post: str
    remote_id: str | None
    remote_url: str | None
    error: str | None
    article_url: str = ""
    article_title: str = ""

    @property
    def shown_at(self) -> datetime:
        """The moment ``syndicator log`` shows and sorts by: sent, else last changed."""
        return self.sent_at or self.updated_at

    def as_dict(self) -> dict[str, object]:
        """The JSON shape of ``syndicator log --json``."""

        def iso(moment: datetime | None) -> str | None:
            return moment.isoformat() if moment else None

        return {
            "id": self.id,
            "article_id": self.article_id,
            "article_url": self.article_url,
            "article_title": self.article_title,
            "target": self.target,
            "state": self.state.value,
            "reason": self.reason,
            "text": self.text,
            "length": self.length,
            "remote_id": self.remote_id,
            "remote_url": self.remote_url,
            "attempts": self.attempts,
            "error": self.error,
            "created_at": iso(self.created_at),
            "due_at": iso(self.due_at),
            "sent_at": iso(self.sent_at),
        }


_COLUMNS = (*d.c, a.c.url.label("article_url"), a.c.title.label("article_title"))


def row_of(row: Row) -> DeliveryRow:
    m = row._mapping
    return DeliveryRow(
        id=m["id"],
        article_id=m["article_id"],
        target=m["target"],
        seq=m["seq"],
        state=DeliveryState(m["state"]),
        reason=m["reason"] or "",
        attempts=m["attempts"],
        idem_key=m["idem_key"],
        created_at=as_utc(m["created_at"]),  # type: ignore[arg-type]
        updated_at=as_utc(m["updated_at"]),  # type: ignore[arg-type]
        due_at=as_utc(m["due_at"]),
        sent_at=as_utc(m["sent_at"]),
        text=m["text"] or "",
        length=m["length"],
        post=m["post"] or "{}",
        remote_id=m["remote_id"],
        remote_url=m["remote_url"],
        error=m["error"],
        article_url=m["article_url"] or "",
        article_title=m["article_title"] or "",
    )


def select_rows() -> Select[Any]:
    return select(*_COLUMNS).select_from(d.join(a, a.c.id == d.c.article_id))
