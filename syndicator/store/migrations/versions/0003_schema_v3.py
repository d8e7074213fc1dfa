"""The post log as schema version 3 left it: the baseline of Alembic's history.

Stores made before Alembic (``meta.schema_version`` 1 to 3) are brought to version 3
by ``migrate._bridge_to_v3`` and stamped with this revision, so their tables are never
created twice. The numbering goes on from here: the next revision is 0004.

Revision ID: 0003
Revises:
Create Date: 2026-12-04
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "meta",
        sa.Column("key", sa.String(64), primary_key=True),
        sa.Column("value", sa.Text, nullable=False),
    )
    op.create_table(
        "sources",
        sa.Column("name", sa.String(200), primary_key=True),
        sa.Column("url", sa.Text, nullable=False),
        sa.Column("etag", sa.Text),
        sa.Column("last_modified", sa.Text),
        sa.Column("baselined_at", sa.DateTime),
        sa.Column("last_polled_at", sa.DateTime),
        sa.Column("last_success_at", sa.DateTime),
        sa.Column("next_poll_at", sa.DateTime),
        sa.Column("failures", sa.Integer, nullable=False),
        sa.Column("last_error", sa.Text),
        sa.Column("articles_seen", sa.Integer, nullable=False),
    )
    _create_articles()
    _create_deliveries_and_events()
    op.create_table(
        "shared_cache",
        sa.Column("key", sa.String(200), primary_key=True),
        sa.Column("value", sa.Text, nullable=False),
        sa.Column("expires_at", sa.Float, nullable=False),
    )
    op.create_table(
        "leases",
        sa.Column("name", sa.String(64), primary_key=True),
        sa.Column("holder", sa.String(200), nullable=False),
        sa.Column("expires_at", sa.Float, nullable=False),
        sa.Column("active", sa.Boolean, nullable=False),
    )
    op.create_table(
        "target_pauses",
        sa.Column("target", sa.String(200), primary_key=True),
        sa.Column("until", sa.DateTime, nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
    )


def _create_articles() -> None:
    op.create_table(
        "articles",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("key", sa.String(512), nullable=False, unique=True),
        sa.Column("url", sa.Text, nullable=False),
        sa.Column("guid", sa.Text),
        sa.Column("title", sa.Text, nullable=False),
        sa.Column("source", sa.String(200), nullable=False),
        sa.Column("published", sa.DateTime),
        sa.Column("first_seen", sa.DateTime, nullable=False),
        sa.Column("updated_at", sa.DateTime),
        sa.Column("content_hash", sa.String(32), nullable=False),
        sa.Column("revision", sa.Integer, nullable=False),
        sa.Column("plan", sa.String(8)),
        sa.Column("data", sa.Text, nullable=False),
    )
    op.create_table(
        "article_keys",
        sa.Column("key", sa.String(512), primary_key=True),
        sa.Column("article_id", sa.Integer, sa.ForeignKey("articles.id"), nullable=False),
    )


def _create_deliveries_and_events() -> None:
    op.create_table(
        "deliveries",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("article_id", sa.Integer, sa.ForeignKey("articles.id"), nullable=False),
        sa.Column("target", sa.String(200), nullable=False),
        sa.Column("seq", sa.Integer, nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("attempts", sa.Integer, nullable=False),
        sa.Column("idem_key", sa.String(64), nullable=False),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.Column("updated_at", sa.DateTime, nullable=False),
        sa.Column("due_at", sa.DateTime),
        sa.Column("claimed_at", sa.DateTime),
        sa.Column("claimed_by", sa.String(100)),
        sa.Column("sent_at", sa.DateTime),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("length", sa.Integer),
        sa.Column("post", sa.Text, nullable=False),
        sa.Column("remote_id", sa.Text),
        sa.Column("remote_url", sa.Text),
        sa.Column("error", sa.Text),
        sa.UniqueConstraint("article_id", "target", "seq", name="uq_delivery"),
    )
    op.create_index("ix_deliveries_due", "deliveries", ["state", "due_at"])
    op.create_index("ix_deliveries_target_sent", "deliveries", ["target", "sent_at"])
    op.create_table(
        "events",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("delivery_id", sa.Integer, sa.ForeignKey("deliveries.id"), nullable=False),
        sa.Column("at", sa.DateTime, nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("detail", sa.Text, nullable=False),
    )
    op.create_index("ix_events_delivery_id", "events", ["delivery_id"])


def downgrade() -> None:
    for table in (
        "target_pauses",
        "leases",
        "shared_cache",
        "events",
        "deliveries",
        "article_keys",
        "articles",
        "sources",
        "meta",
    ):
        op.drop_table(table)
