"""A post log exactly as syndicator made it before Alembic (schema version 3): its
tables frozen as the pre-Alembic ``store/schema.py`` defined them, and a little of
everything in them (a poll state, an article under two keys, a sent delivery with its
events, a pause, a cached token). Never edit these tables: they are history."""

from __future__ import annotations

import json
from datetime import datetime

from sqlalchemy import (
    Boolean,
    Column,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    create_engine,
    insert,
)

metadata = MetaData()

meta = Table(
    "meta",
    metadata,
    Column("key", String(64), primary_key=True),
    Column("value", Text, nullable=False),
)

sources = Table(
    "sources",
    metadata,
    Column("name", String(200), primary_key=True),
    Column("url", Text, nullable=False, default=""),
    Column("etag", Text),
    Column("last_modified", Text),
    Column("baselined_at", DateTime),
    Column("last_polled_at", DateTime),
    Column("last_success_at", DateTime),
    Column("next_poll_at", DateTime),
    Column("failures", Integer, nullable=False, default=0),
    Column("last_error", Text),
    Column("articles_seen", Integer, nullable=False, default=0),
)

articles = Table(
    "articles",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("key", String(512), nullable=False, unique=True),
    Column("url", Text, nullable=False),
    Column("guid", Text),
    Column("title", Text, nullable=False, default=""),
    Column("source", String(200), nullable=False, default=""),
    Column("published", DateTime),
    Column("first_seen", DateTime, nullable=False),
    Column("updated_at", DateTime),
    Column("content_hash", String(32), nullable=False, default=""),
    Column("revision", Integer, nullable=False, default=0),
    # Set while the article's deliveries are still to be planned ("first": recorded by
    # its source's first poll, "next": by a later one); cleared in the transaction that
    # creates them. A crash in between leaves it set, and the next start plans exactly
    # those articles. (Added in schema v3.)
    Column("plan", String(8)),
    Column("data", Text, nullable=False, default="{}"),
)

# Every identity an article is known by (guid:..., url:...), so that the same story
# reached through a feed and a list page, or under a new guid, is one article.
article_keys = Table(
    "article_keys",
    metadata,
    Column("key", String(512), primary_key=True),
    Column("article_id", Integer, ForeignKey("articles.id"), nullable=False),
)

deliveries = Table(
    "deliveries",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("article_id", Integer, ForeignKey("articles.id"), nullable=False),
    Column("target", String(200), nullable=False),
    Column("seq", Integer, nullable=False, default=0),  # >0 for a deliberate `post --again`
    Column("state", String(16), nullable=False),
    Column("reason", Text, nullable=False, default=""),
    Column("attempts", Integer, nullable=False, default=0),
    Column("idem_key", String(64), nullable=False),
    Column("created_at", DateTime, nullable=False),
    Column("updated_at", DateTime, nullable=False),
    Column("due_at", DateTime),
    Column("claimed_at", DateTime),
    Column("claimed_by", String(100)),
    Column("sent_at", DateTime),
    Column("text", Text, nullable=False, default=""),
    Column("length", Integer),
    Column("post", Text, nullable=False, default="{}"),
    Column("remote_id", Text),
    Column("remote_url", Text),
    Column("error", Text),
    UniqueConstraint("article_id", "target", "seq", name="uq_delivery"),
)
Index("ix_deliveries_due", deliveries.c.state, deliveries.c.due_at)
Index("ix_deliveries_target_sent", deliveries.c.target, deliveries.c.sent_at)

# What happened to each delivery, in order: the answer to "why wasn't this posted?".
events = Table(
    "events",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("delivery_id", Integer, ForeignKey("deliveries.id"), nullable=False, index=True),
    Column("at", DateTime, nullable=False),
    Column("kind", String(32), nullable=False),
    Column("detail", Text, nullable=False, default=""),
)

# Tokens shared by every process using this store (see adapter.SharedCache).
shared_cache = Table(
    "shared_cache",
    metadata,
    Column("key", String(200), primary_key=True),
    Column("value", Text, nullable=False),
    Column("expires_at", Float, nullable=False),
)

# Who runs the service on this store, for stores where no OS lock is available.
leases = Table(
    "leases",
    metadata,
    Column("name", String(64), primary_key=True),
    Column("holder", String(200), nullable=False),
    Column("expires_at", Float, nullable=False),
    Column("active", Boolean, nullable=False, default=True),
)


target_pauses = Table(
    "target_pauses",
    metadata,
    Column("target", String(200), primary_key=True),
    Column("until", DateTime, nullable=False),
    Column("reason", Text, nullable=False, default=""),
)

WHEN = datetime(2026, 11, 28, 9, 30, 15, 123_456)  # naive UTC, as the store keeps it
ARTICLE_URL = "https://news.example.edu/2026-11/28/c_1.htm"


def make_v3_store(url: str, *, version: int = 3) -> None:
    """Create the store at ``url`` as version 3 left it, with one of everything."""
    engine = create_engine(url)
    with engine.begin() as connection:
        metadata.create_all(connection)
        connection.execute(insert(meta).values(key="schema_version", value=str(version)))
        connection.execute(
            insert(sources).values(
                name="news", url="https://news.example.edu/feed", etag='"v1"',
                last_polled_at=WHEN, next_poll_at=WHEN, failures=0, articles_seen=1,
            )
        )  # fmt: skip
        connection.execute(
            insert(articles).values(
                id=1, key=f"url:{ARTICLE_URL}", url=ARTICLE_URL, guid="g-1", title="Story 1",
                source="news", published=WHEN, first_seen=WHEN, content_hash="h", revision=0,
                data=json.dumps({"key": f"url:{ARTICLE_URL}", "url": ARTICLE_URL,
                                 "title": "Story 1", "source": "news"}),
            )
        )  # fmt: skip
        connection.execute(
            insert(article_keys),
            [{"key": f"url:{ARTICLE_URL}", "article_id": 1}, {"key": "guid:g-1", "article_id": 1}],
        )
        connection.execute(
            insert(deliveries).values(
                id=1, article_id=1, target="outbox", seq=0, state="sent", reason="",
                attempts=1, idem_key="k" * 32, created_at=WHEN, updated_at=WHEN, sent_at=WHEN,
                text="Story 1 " + ARTICLE_URL, length=30, post="{}", remote_url="file:///x",
            )
        )  # fmt: skip
        connection.execute(
            insert(events),
            [
                {"delivery_id": 1, "at": WHEN, "kind": "pending", "detail": ""},
                {"delivery_id": 1, "at": WHEN, "kind": "sent", "detail": "file:///x"},
            ],
        )
        connection.execute(
            insert(target_pauses).values(target="mastodon", until=WHEN, reason="rate limited")
        )
        connection.execute(insert(shared_cache).values(key="k", value="v", expires_at=1e12))
    engine.dispose()
