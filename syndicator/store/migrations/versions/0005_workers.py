"""Several workers on one store: the workers' registry, leases on sources and
deliveries, and a lock row per target for pacing across workers.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-10
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "workers",
        sa.Column("id", sa.String(200), primary_key=True),
        sa.Column("host", sa.String(200), nullable=False),
        sa.Column("pid", sa.Integer, nullable=False),
        sa.Column("version", sa.String(32), nullable=False),
        sa.Column("started", sa.DateTime, nullable=False),
        sa.Column("heartbeat", sa.DateTime, nullable=False),
    )
    op.create_table(
        "target_locks",
        sa.Column("target", sa.String(200), primary_key=True),
    )
    op.add_column("sources", sa.Column("lease_holder", sa.String(200)))
    op.add_column("sources", sa.Column("lease_until", sa.DateTime))
    op.add_column("deliveries", sa.Column("lease_until", sa.DateTime))
    op.create_index("ix_deliveries_target_claimed", "deliveries", ["target", "claimed_at"])


def downgrade() -> None:
    op.drop_index("ix_deliveries_target_claimed", "deliveries")
    with op.batch_alter_table("deliveries") as batch:
        batch.drop_column("lease_until")
    with op.batch_alter_table("sources") as batch:
        batch.drop_column("lease_until")
        batch.drop_column("lease_holder")
    op.drop_table("target_locks")
    op.drop_table("workers")
