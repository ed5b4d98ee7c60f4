"""work_items: units of work that queue workers claim (one worker per item, leased).

Also drops `schema_version`, the hand-written migrations' ledger, from a store that was
adopted from them: Alembic's `alembic_version` is the one record of the schema now.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "work_items",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("key", sa.Text, nullable=False, unique=True),
        sa.Column("payload", sa.Text, nullable=False, server_default=sa.text("'{}'")),
        sa.Column("state", sa.Text, nullable=False, server_default=sa.text("'queued'")),
        sa.Column("worker", sa.Text),
        sa.Column("attempts", sa.Integer, nullable=False, server_default=sa.text("0")),
        sa.Column("lease_until", sa.Text),
        sa.Column("error", sa.Text),
        sa.Column("result_id", sa.Integer, sa.ForeignKey("results.id")),
        sa.Column("created_at", sa.Text, nullable=False),
        sa.Column("updated_at", sa.Text, nullable=False),
        sa.CheckConstraint(
            "state IN ('queued', 'claimed', 'done', 'failed')", name="work_items_state"
        ),
    )
    op.create_index("work_items_ready", "work_items", ["state", "id"])
    op.execute("DROP TABLE IF EXISTS schema_version")


def downgrade() -> None:
    op.drop_index("work_items_ready", table_name="work_items")
    op.drop_table("work_items")
