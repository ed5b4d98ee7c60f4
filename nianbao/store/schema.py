"""The store's schema, once, as SQLAlchemy Core metadata: the same tables on SQLite and Postgres.

This is the schema as it stands after the newest migration. The migrations themselves are
Alembic revisions in `nianbao/store/alembic/versions/` (frozen: a user's database has run
them); `tests/test_store_schema.py` checks that upgrading an empty database to the newest
revision gives exactly these tables, on both engines. To add a column: add it here and in a
new revision (docs/store.md shows one).

Types: text for values ("373.9265" keeps its decimals), Double for measurements (Postgres
`REAL` would be single precision), TEXT timestamps in ISO form (sortable, identical on both).
"""

from __future__ import annotations

from sqlalchemy import (
    CheckConstraint,
    Column,
    Double,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    PrimaryKeyConstraint,
    Table,
    Text,
    UniqueConstraint,
    text,
)

metadata = MetaData()


def _count(name: str) -> Column:
    return Column(name, Integer, nullable=False, server_default=text("0"))


def _amount(name: str) -> Column:
    return Column(name, Double, nullable=False, server_default=text("0"))


# One row per distinct content (sha256 of the raw bytes); every path that held it is in
# source_paths. A file whose content changed becomes a new report; the old one is kept
# (history) and marked superseded_by the new one.
reports = Table(
    "reports",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("content_hash", Text, nullable=False, unique=True),
    Column("source_path", Text, nullable=False),
    Column("source_name", Text, nullable=False),
    Column("media", Text, nullable=False),
    Column("source_text", Text),  # NULL when the bytes could not be decoded
    Column("size_bytes", Integer, nullable=False),
    Column("created_at", Text, nullable=False),
    Column("superseded_by", Integer, ForeignKey("reports.id")),
)

source_paths = Table(
    "source_paths",
    metadata,
    Column("path", Text, primary_key=True),
    Column("report_id", Integer, ForeignKey("reports.id"), nullable=False),
    Column("seen_at", Text, nullable=False),
    Index("source_paths_report", "report_id"),
)

runs = Table(
    "runs",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("backend", Text, nullable=False),  # parser | llm | both | targeted
    Column("model", Text),
    Column("prompt_version", Text),
    Column("parser_version", Text),
    Column("config_fingerprint", Text, nullable=False),
    Column("config_json", Text, nullable=False),
    Column("started_at", Text, nullable=False),
    Column("finished_at", Text),
    Column("status", Text, nullable=False, server_default=text("'running'")),
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
    CheckConstraint("status IN ('running', 'ok', 'partial', 'interrupted')", name="runs_status"),
)

# One processing of one report by one run: the reconciled verdict. `current` marks the result
# the review screen and the export use (the newest per report).
results = Table(
    "results",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("report_id", Integer, ForeignKey("reports.id"), nullable=False),
    Column("run_id", Integer, ForeignKey("runs.id"), nullable=False),
    Column("config_fingerprint", Text, nullable=False),
    Column("status", Text, nullable=False),
    Column("review_status", Text, nullable=False, server_default=text("'pending'")),
    Column("error_kind", Text),  # source | backend | internal (failed only)
    Column("error", Text),
    Column("organ", Text),
    Column("year", Integer),
    Column("template", Text),
    _count("n_broken"),
    _count("n_disagreements"),
    _count("n_low_confidence"),
    _count("n_flagged"),
    _count("n_warnings"),
    _amount("seconds"),
    Column("created_at", Text, nullable=False),
    Column("current", Integer, nullable=False, server_default=text("1")),
    _count("version"),  # bumped by every review decision
    CheckConstraint("status IN ('accepted', 'needs_review', 'failed')", name="results_status"),
    CheckConstraint(
        "review_status IN ('pending', 'accepted', 'accepted_with_source_error')",
        name="results_review_status",
    ),
    Index("results_report", "report_id", "current"),
    Index("results_fingerprint", "config_fingerprint", "report_id"),
    Index("results_queue", "current", "status", "review_status"),
    Index("results_series", "organ", "year"),
)

# Each backend's own reading, whole (values, provenance, usage) for audit and re-use.
extractions = Table(
    "extractions",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("result_id", Integer, ForeignKey("results.id", ondelete="CASCADE"), nullable=False),
    Column("backend", Text, nullable=False),
    Column("extractor_version", Text, nullable=False),
    _count("llm_calls"),
    _count("cached_calls"),
    _count("input_tokens"),
    _count("output_tokens"),
    _amount("cost_usd"),
    _amount("seconds"),
    Column("extraction", LargeBinary, nullable=False),  # zlib-compressed Extraction JSON
    UniqueConstraint("result_id", "backend", name="extractions_result_backend"),
)

# One row per canonical key of a result. Values are text ("8", "373.9265", NULL for null) so
# amounts keep their exact decimals; the layout says which type to read back.
cells = Table(
    "cells",
    metadata,
    Column("result_id", Integer, ForeignKey("results.id", ondelete="CASCADE"), nullable=False),
    Column("key", Text, nullable=False),
    Column("value", Text),
    Column("status", Text, nullable=False),
    Column("reasons", Text, nullable=False, server_default=text("'[]'")),
    Column("agreement", Text, nullable=False),  # agree | disagree | parser_only | ...
    Column("parser_value", Text),
    Column("llm_value", Text),
    Column("span_start", Integer),
    Column("span_end", Integer),
    Column("snippet", Text),
    Column("method", Text),
    Column("alignment", Text),
    Column("confidence", Double),
    Column("review_state", Text, nullable=False, server_default=text("'none'")),
    Column("reviewed_value", Text),
    _count("version"),  # optimistic lock for reviewers
    # How far the cell is proven (rules.proof.ProofLevel: read_confirmed, blank_proven, …)
    # and, for an unproven one, the id ("d1", …) of the one decision that settles it with
    # its cause. NULL in results stored before proof levels existed.
    Column("proof", Text),
    Column("cause", Text),
    # Where the value sits on the page of a PDF or a scan: 1-based page (NULL for text
    # without pages) and its box, JSON [x0, y0, x1, y1] in page fractions.
    Column("page", Integer),
    Column("box", Text),
    PrimaryKeyConstraint("result_id", "key", name="cells_pk"),
    CheckConstraint("status IN ('verified', 'flagged')", name="cells_status"),
    CheckConstraint("review_state IN ('none', 'fixed', 'accepted')", name="cells_review_state"),
    sqlite_with_rowid=False,
)

# The findings currently standing for a result: replaced when a decision re-checks.
findings = Table(
    "findings",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("result_id", Integer, ForeignKey("results.id", ondelete="CASCADE"), nullable=False),
    Column("origin", Text, nullable=False),
    Column("rule", Text, nullable=False),
    Column("family", Text, nullable=False),
    Column("severity", Text, nullable=False),
    Column("status", Text, nullable=False),
    Column("cells", Text, nullable=False),
    Column("equation", Text, nullable=False),
    CheckConstraint("origin IN ('rules', 'series')", name="findings_origin"),
    Index("findings_result", "result_id"),
)

suspects = Table(
    "suspects",
    metadata,
    Column("result_id", Integer, ForeignKey("results.id", ondelete="CASCADE"), nullable=False),
    Column("rank", Integer, nullable=False),
    Column("body", Text, nullable=False),  # rules.findings.Suspect as JSON
    PrimaryKeyConstraint("result_id", "rank", name="suspects_pk"),
)

# The audit trail: every reviewer action, never updated except to note its undo.
decisions = Table(
    "decisions",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("result_id", Integer, ForeignKey("results.id"), nullable=False),
    Column("kind", Text, nullable=False),
    Column("key", Text),  # NULL for report-level decisions
    Column("old_value", Text),
    Column("new_value", Text),
    Column("old_state", Text),  # cell review_state or report review_status
    Column("new_state", Text),
    Column("reviewer", Text, nullable=False),
    Column("reason", Text),
    Column("created_at", Text, nullable=False),
    Column("undoes", Integer, ForeignKey("decisions.id")),
    Column("undone_by", Integer, ForeignKey("decisions.id")),
    Column("version_after", Integer, nullable=False),  # cell (or report) version it left
    Column("findings_json", Text),  # what the re-check found after this decision
    CheckConstraint(
        "kind IN ('fix', 'accept_cell', 'accept_report', 'accept_with_source_error', 'undo')",
        name="decisions_kind",
    ),
    Index("decisions_result", "result_id"),
)

# Units of work for queue workers on any number of machines: `Store.claim` hands each to one
# worker at a time (Postgres: SELECT ... FOR UPDATE SKIP LOCKED), with a lease, so a worker
# killed mid-report loses its claim when the lease runs out and the item is retried.
work_items = Table(
    "work_items",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("key", Text, nullable=False, unique=True),  # the caller's idempotency key
    Column("payload", Text, nullable=False, server_default=text("'{}'")),  # JSON
    Column("state", Text, nullable=False, server_default=text("'queued'")),
    Column("worker", Text),
    _count("attempts"),
    Column("lease_until", Text),  # ISO UTC, like every timestamp here
    Column("error", Text),
    Column("result_id", Integer, ForeignKey("results.id")),
    Column("created_at", Text, nullable=False),
    Column("updated_at", Text, nullable=False),
    CheckConstraint("state IN ('queued', 'claimed', 'done', 'failed')", name="work_items_state"),
    Index("work_items_ready", "state", "id"),
)

# Who may use the HTTP API. Only the sha256 of a token's secret is kept; `name` is what the
# audit trail records for a reviewer's decisions.
api_tokens = Table(
    "api_tokens",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("name", Text, nullable=False),
    Column("role", Text, nullable=False),
    Column("secret_hash", Text, nullable=False, unique=True),
    Column("created_at", Text, nullable=False),
    Column("revoked_at", Text),
    CheckConstraint("role IN ('submitter', 'reviewer', 'admin')", name="api_tokens_role"),
)

# One uploaded content (sha256 of its bytes): the upload area is this table, so workers on
# other machines need only the store and the queue. Where a job stands (queued, in work,
# done, failed, attempts) is its work item `job:<id>` in work_items: one claim mechanism.
jobs = Table(
    "jobs",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("content_hash", Text, nullable=False, unique=True),
    Column("name", Text, nullable=False),  # the uploaded file's name, for display only
    Column("suffix", Text, nullable=False),  # which reader reads it (.txt, .docx, ...)
    Column("size_bytes", Integer, nullable=False),
    Column("body", LargeBinary, nullable=False),
    Column("submitted_by", Integer, ForeignKey("api_tokens.id")),
    Column("created_at", Text, nullable=False),
)

# `nianbao run --batch`: the batches submitted to the provider's batch interface, so a run
# killed while waiting finds its open batch again instead of submitting a second one.
llm_batches = Table(
    "llm_batches",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("batch_id", Text, nullable=False, unique=True),  # the provider's id
    Column("input_file_id", Text, nullable=False),
    Column("config_fingerprint", Text, nullable=False),
    Column("run_id", Integer, ForeignKey("runs.id")),
    Column("round", Integer, nullable=False),  # 1: first requests; 2...: what they led to
    Column("status", Text, nullable=False),  # the provider's, then 'collected'
    Column("output_file_id", Text),
    Column("error_file_id", Text),
    Column("error", Text),
    _count("n_requests"),
    Column("created_at", Text, nullable=False),
    Column("updated_at", Text, nullable=False),
    Index("llm_batches_open", "config_fingerprint", "status"),
)

# One line of a batch: custom_id -> the report and the exact request, then its answer (the
# completion body, JSON) or why it has none.
llm_batch_items = Table(
    "llm_batch_items",
    metadata,
    Column("batch", Integer, ForeignKey("llm_batches.id", ondelete="CASCADE"), nullable=False),
    Column("custom_id", Text, nullable=False),
    Column("content_hash", Text, nullable=False),  # the report (reports.content_hash)
    Column("source_path", Text, nullable=False),
    Column("request_key", Text, nullable=False),  # digest of the request (the cache's key)
    Column("request", Text, nullable=False),  # the request body as sent, JSON
    Column("answer", Text),  # the completion body, JSON; NULL until collected or if failed
    Column("error", Text),
    PrimaryKeyConstraint("batch", "custom_id", name="llm_batch_items_pk"),
    Index("llm_batch_items_key", "request_key"),
)
