"""The post log's tables, as the code reads and writes them today.

Stores are brought to this schema by Alembic revisions (``store/migrations``): a new
column or table is an edit here *and* a new revision there, never an edit of an old
revision, so every existing post log can be carried forward.
``tests/store/test_migrations.py`` fails when the two disagree.
"""

from __future__ import annotations

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
    # Which worker polls the source now, and until when its claim holds unless its
    # heartbeat renews it (revision 0005; PostgreSQL stores shared by workers).
    Column("lease_holder", String(200)),
    Column("lease_until", DateTime),
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
    # Until when the claim of a delivery in ``sending`` holds unless its worker's
    # heartbeat renews it; after that, recovery settles it (revision 0005).
    Column("lease_until", DateTime),
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
Index("ix_deliveries_target_claimed", deliveries.c.target, deliveries.c.claimed_at)

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


# A whole target paused: the platform said "wait until T" (a rate limit names a time
# for the account, not for one post), or its credentials were refused.
target_pauses = Table(
    "target_pauses",
    metadata,
    Column("target", String(200), primary_key=True),
    Column("until", DateTime, nullable=False),
    Column("reason", Text, nullable=False, default=""),
)


# The dashboard's users: a name, a role (viewer, editor, admin) and an argon2 hash.
# (Revision 0004.)
users = Table(
    "users",
    metadata,
    Column("name", String(100), primary_key=True),
    Column("role", String(16), nullable=False),
    Column("password_hash", Text, nullable=False),
    Column("created_at", DateTime, nullable=False),
)

# The dashboard's lists: deliveries by last change, an article's deliveries, articles
# newest first (revision 0004).
Index("ix_deliveries_updated", deliveries.c.updated_at)
Index("ix_deliveries_article", deliveries.c.article_id, deliveries.c.target)
Index("ix_articles_first_seen", articles.c.first_seen)


# The ``syndicator run`` processes sharing a PostgreSQL store, each renewing its
# heartbeat; one whose heartbeat is older than ``[service] lease`` is dead, and its
# claims are taken over (revision 0005).
workers = Table(
    "workers",
    metadata,
    Column("id", String(200), primary_key=True),
    Column("host", String(200), nullable=False),
    Column("pid", Integer, nullable=False),
    Column("version", String(32), nullable=False, default=""),
    Column("started", DateTime, nullable=False),
    Column("heartbeat", DateTime, nullable=False),
)

# One row per target, locked (SELECT ... FOR UPDATE) while a worker checks the
# target's pacing and claims its next delivery, so two workers never both find the
# spacing free (revision 0005).
target_locks = Table(
    "target_locks",
    metadata,
    Column("target", String(200), primary_key=True),
)
