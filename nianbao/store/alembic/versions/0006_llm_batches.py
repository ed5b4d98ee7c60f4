"""llm_batches and llm_batch_items: `nianbao run --batch` (the provider's batch interface).

A batch and its lines (custom_id -> report and request, then the answer) are recorded as
soon as the provider accepts the batch, so a run killed while waiting resumes by polling it.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "llm_batches",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("batch_id", sa.Text, nullable=False, unique=True),
        sa.Column("input_file_id", sa.Text, nullable=False),
        sa.Column("config_fingerprint", sa.Text, nullable=False),
        sa.Column("run_id", sa.Integer, sa.ForeignKey("runs.id")),
        sa.Column("round", sa.Integer, nullable=False),
        sa.Column("status", sa.Text, nullable=False),
        sa.Column("output_file_id", sa.Text),
        sa.Column("error_file_id", sa.Text),
        sa.Column("error", sa.Text),
        sa.Column("n_requests", sa.Integer, nullable=False, server_default=sa.text("0")),
        sa.Column("created_at", sa.Text, nullable=False),
        sa.Column("updated_at", sa.Text, nullable=False),
    )
    op.create_index("llm_batches_open", "llm_batches", ["config_fingerprint", "status"])
    op.create_table(
        "llm_batch_items",
        sa.Column(
            "batch",
            sa.Integer,
            sa.ForeignKey("llm_batches.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("custom_id", sa.Text, nullable=False),
        sa.Column("content_hash", sa.Text, nullable=False),
        sa.Column("source_path", sa.Text, nullable=False),
        sa.Column("request_key", sa.Text, nullable=False),
        sa.Column("request", sa.Text, nullable=False),
        sa.Column("answer", sa.Text),
        sa.Column("error", sa.Text),
        sa.PrimaryKeyConstraint("batch", "custom_id", name="llm_batch_items_pk"),
    )
    op.create_index("llm_batch_items_key", "llm_batch_items", ["request_key"])


def downgrade() -> None:
    op.drop_index("llm_batch_items_key", table_name="llm_batch_items")
    op.drop_table("llm_batch_items")
    op.drop_index("llm_batches_open", table_name="llm_batches")
    op.drop_table("llm_batches")
