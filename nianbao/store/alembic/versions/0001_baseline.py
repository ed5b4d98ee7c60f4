"""Baseline: the schema of the store's last hand-written migration (schema_version 1).

An existing store made by that migration is stamped with this revision (see
`nianbao.store.migrations`), not re-created; a new database gets these tables.

Revision ID: 0001
Revises:
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def _count(name: str) -> sa.Column:
    return sa.Column(name, sa.Integer, nullable=False, server_default=sa.text("0"))


def _amount(name: str) -> sa.Column:
    return sa.Column(name, sa.Double, nullable=False, server_default=sa.text("0"))


def _result_fk(cascade: bool = True) -> sa.Column:
    return sa.Column(
        "result_id",
        sa.Integer,
        sa.ForeignKey("results.id", ondelete="CASCADE" if cascade else None),
        nullable=False,
    )


def upgrade() -> None:
    op.create_table(
        "reports",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("content_hash", sa.Text, nullable=False, unique=True),
        sa.Column("source_path", sa.Text, nullable=False),
        sa.Column("source_name", sa.Text, nullable=False),
        sa.Column("media", sa.Text, nullable=False),
        sa.Column("source_text", sa.Text),
        sa.Column("size_bytes", sa.Integer, nullable=False),
        sa.Column("created_at", sa.Text, nullable=False),
        sa.Column("superseded_by", sa.Integer, sa.ForeignKey("reports.id")),
    )
    op.create_table(
        "source_paths",
        sa.Column("path", sa.Text, primary_key=True),
        sa.Column("report_id", sa.Integer, sa.ForeignKey("reports.id"), nullable=False),
        sa.Column("seen_at", sa.Text, nullable=False),
    )
    op.create_index("source_paths_report", "source_paths", ["report_id"])
    op.create_table(
        "runs",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("backend", sa.Text, nullable=False),
        sa.Column("model", sa.Text),
        sa.Column("prompt_version", sa.Text),
        sa.Column("parser_version", sa.Text),
        sa.Column("config_fingerprint", sa.Text, nullable=False),
        sa.Column("config_json", sa.Text, nullable=False),
        sa.Column("started_at", sa.Text, nullable=False),
        sa.Column("finished_at", sa.Text),
        sa.Column("status", sa.Text, nullable=False, server_default=sa.text("'running'")),
        _count("n_files"),
        _count("n_done"),
        _count("n_skipped"),
        _count("n_failed"),
        _amount("seconds"),
        _count("llm_calls"),
        _count("cached_calls"),
        _count("input_tokens"),
        _count("output_tokens"),
        _amount("cost_usd"),
        sa.CheckConstraint(
            "status IN ('running', 'ok', 'partial', 'interrupted')", name="runs_status"
        ),
    )
    op.create_table(
        "results",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("report_id", sa.Integer, sa.ForeignKey("reports.id"), nullable=False),
        sa.Column("run_id", sa.Integer, sa.ForeignKey("runs.id"), nullable=False),
        sa.Column("config_fingerprint", sa.Text, nullable=False),
        sa.Column("status", sa.Text, nullable=False),
        sa.Column("review_status", sa.Text, nullable=False, server_default=sa.text("'pending'")),
        sa.Column("error_kind", sa.Text),
        sa.Column("error", sa.Text),
        sa.Column("organ", sa.Text),
        sa.Column("year", sa.Integer),
        sa.Column("template", sa.Text),
        _count("n_broken"),
        _count("n_disagreements"),
        _count("n_low_confidence"),
        _count("n_flagged"),
        _count("n_warnings"),
        _amount("seconds"),
        sa.Column("created_at", sa.Text, nullable=False),
        sa.Column("current", sa.Integer, nullable=False, server_default=sa.text("1")),
        _count("version"),
        sa.CheckConstraint(
            "status IN ('accepted', 'needs_review', 'failed')", name="results_status"
        ),
        sa.CheckConstraint(
            "review_status IN ('pending', 'accepted', 'accepted_with_source_error')",
            name="results_review_status",
        ),
    )
    op.create_index("results_report", "results", ["report_id", "current"])
    op.create_index("results_fingerprint", "results", ["config_fingerprint", "report_id"])
    op.create_index("results_queue", "results", ["current", "status", "review_status"])
    op.create_index("results_series", "results", ["organ", "year"])
    op.create_table(
        "extractions",
        sa.Column("id", sa.Integer, primary_key=True),
        _result_fk(),
        sa.Column("backend", sa.Text, nullable=False),
        sa.Column("extractor_version", sa.Text, nullable=False),
        _count("llm_calls"),
        _count("cached_calls"),
        _count("input_tokens"),
        _count("output_tokens"),
        _amount("cost_usd"),
        _amount("seconds"),
        sa.Column("extraction", sa.LargeBinary, nullable=False),
        sa.UniqueConstraint("result_id", "backend", name="extractions_result_backend"),
    )
    op.create_table(
        "cells",
        _result_fk(),
        sa.Column("key", sa.Text, nullable=False),
        sa.Column("value", sa.Text),
        sa.Column("status", sa.Text, nullable=False),
        sa.Column("reasons", sa.Text, nullable=False, server_default=sa.text("'[]'")),
        sa.Column("agreement", sa.Text, nullable=False),
        sa.Column("parser_value", sa.Text),
        sa.Column("llm_value", sa.Text),
        sa.Column("span_start", sa.Integer),
        sa.Column("span_end", sa.Integer),
        sa.Column("snippet", sa.Text),
        sa.Column("method", sa.Text),
        sa.Column("alignment", sa.Text),
        sa.Column("confidence", sa.Double),
        sa.Column("review_state", sa.Text, nullable=False, server_default=sa.text("'none'")),
        sa.Column("reviewed_value", sa.Text),
        _count("version"),
        sa.PrimaryKeyConstraint("result_id", "key", name="cells_pk"),
        sa.CheckConstraint("status IN ('verified', 'flagged')", name="cells_status"),
        sa.CheckConstraint(
            "review_state IN ('none', 'fixed', 'accepted')", name="cells_review_state"
        ),
        sqlite_with_rowid=False,
    )
    op.create_table(
        "findings",
        sa.Column("id", sa.Integer, primary_key=True),
        _result_fk(),
        sa.Column("origin", sa.Text, nullable=False),
        sa.Column("rule", sa.Text, nullable=False),
        sa.Column("family", sa.Text, nullable=False),
        sa.Column("severity", sa.Text, nullable=False),
        sa.Column("status", sa.Text, nullable=False),
        sa.Column("cells", sa.Text, nullable=False),
        sa.Column("equation", sa.Text, nullable=False),
        sa.CheckConstraint("origin IN ('rules', 'series')", name="findings_origin"),
    )
    op.create_index("findings_result", "findings", ["result_id"])
    op.create_table(
        "suspects",
        _result_fk(),
        sa.Column("rank", sa.Integer, nullable=False),
        sa.Column("body", sa.Text, nullable=False),
        sa.PrimaryKeyConstraint("result_id", "rank", name="suspects_pk"),
    )
    op.create_table(
        "decisions",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("result_id", sa.Integer, sa.ForeignKey("results.id"), nullable=False),
        sa.Column("kind", sa.Text, nullable=False),
        sa.Column("key", sa.Text),
        sa.Column("old_value", sa.Text),
        sa.Column("new_value", sa.Text),
        sa.Column("old_state", sa.Text),
        sa.Column("new_state", sa.Text),
        sa.Column("reviewer", sa.Text, nullable=False),
        sa.Column("reason", sa.Text),
        sa.Column("created_at", sa.Text, nullable=False),
        sa.Column("undoes", sa.Integer, sa.ForeignKey("decisions.id")),
        sa.Column("undone_by", sa.Integer, sa.ForeignKey("decisions.id")),
        sa.Column("version_after", sa.Integer, nullable=False),
        sa.Column("findings_json", sa.Text),
        sa.CheckConstraint(
            "kind IN ('fix', 'accept_cell', 'accept_report', 'accept_with_source_error', 'undo')",
            name="decisions_kind",
        ),
    )
    op.create_index("decisions_result", "decisions", ["result_id"])


def downgrade() -> None:
    for table in (
        "decisions",
        "suspects",
        "findings",
        "cells",
        "extractions",
        "results",
        "runs",
        "source_paths",
        "reports",
    ):
        op.drop_table(table)
