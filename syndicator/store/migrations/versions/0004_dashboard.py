"""The dashboard: its users, and the indexes its lists read by.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-04
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "users",
        sa.Column("name", sa.String(100), primary_key=True),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("password_hash", sa.Text, nullable=False),
        sa.Column("created_at", sa.DateTime, nullable=False),
    )
    op.create_index("ix_deliveries_updated", "deliveries", ["updated_at"])
    op.create_index("ix_deliveries_article", "deliveries", ["article_id", "target"])
    op.create_index("ix_articles_first_seen", "articles", ["first_seen"])


def downgrade() -> None:
    op.drop_index("ix_articles_first_seen", "articles")
    op.drop_index("ix_deliveries_article", "deliveries")
    op.drop_index("ix_deliveries_updated", "deliveries")
    op.drop_table("users")
