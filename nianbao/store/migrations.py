"""The store's schema as numbered migrations, applied in order and recorded in `schema_version`.

Append a migration to change the schema; never edit one that has shipped (a user's database
has already run it). Each migration runs in its own transaction with its version row.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import UTC, datetime

from nianbao.store.types import StoreError


@dataclass(frozen=True)
class Migration:
    version: int
    description: str
    sql: str


MIGRATIONS: tuple[Migration, ...] = (
    Migration(
        1,
        "reports, runs, results, extractions, cells, findings, suspects, decisions",
        """
        -- One row per distinct content (sha256 of the raw bytes); every path that held it is in
        -- source_paths. A file whose content changed becomes a new report; the old one is kept
        -- (history) and marked superseded_by the new one.
        CREATE TABLE reports (
            id            INTEGER PRIMARY KEY,
            content_hash  TEXT NOT NULL UNIQUE,
            source_path   TEXT NOT NULL,
            source_name   TEXT NOT NULL,
            media         TEXT NOT NULL,
            source_text   TEXT,              -- NULL when the bytes could not be decoded
            size_bytes    INTEGER NOT NULL,
            created_at    TEXT NOT NULL,
            superseded_by INTEGER REFERENCES reports(id)
        );
        CREATE TABLE source_paths (
            path       TEXT PRIMARY KEY,
            report_id  INTEGER NOT NULL REFERENCES reports(id),
            seen_at    TEXT NOT NULL
        );
        CREATE INDEX source_paths_report ON source_paths(report_id);

        CREATE TABLE runs (
            id                 INTEGER PRIMARY KEY,
            backend            TEXT NOT NULL,     -- parser | llm | both
            model              TEXT,
            prompt_version     TEXT,
            parser_version     TEXT,
            config_fingerprint TEXT NOT NULL,
            config_json        TEXT NOT NULL,
            started_at         TEXT NOT NULL,
            finished_at        TEXT,
            status             TEXT NOT NULL DEFAULT 'running'
                CHECK (status IN ('running', 'ok', 'partial', 'interrupted')),
            n_files            INTEGER NOT NULL DEFAULT 0,
            n_done             INTEGER NOT NULL DEFAULT 0,
            n_skipped          INTEGER NOT NULL DEFAULT 0,
            n_failed           INTEGER NOT NULL DEFAULT 0,
            seconds            REAL NOT NULL DEFAULT 0,
            llm_calls          INTEGER NOT NULL DEFAULT 0,
            cached_calls       INTEGER NOT NULL DEFAULT 0,
            input_tokens       INTEGER NOT NULL DEFAULT 0,
            output_tokens      INTEGER NOT NULL DEFAULT 0,
            cost_usd           REAL NOT NULL DEFAULT 0
        );

        -- One processing of one report by one run: the reconciled verdict. `current` marks the
        -- result the review screen and the export use (the newest per report).
        CREATE TABLE results (
            id                 INTEGER PRIMARY KEY,
            report_id          INTEGER NOT NULL REFERENCES reports(id),
            run_id             INTEGER NOT NULL REFERENCES runs(id),
            config_fingerprint TEXT NOT NULL,
            status             TEXT NOT NULL
                CHECK (status IN ('accepted', 'needs_review', 'failed')),
            review_status      TEXT NOT NULL DEFAULT 'pending'
                CHECK (review_status IN ('pending', 'accepted', 'accepted_with_source_error')),
            error_kind         TEXT,              -- source | backend | internal (failed only)
            error              TEXT,
            organ              TEXT,
            year               INTEGER,
            template           TEXT,
            n_broken           INTEGER NOT NULL DEFAULT 0,
            n_disagreements    INTEGER NOT NULL DEFAULT 0,
            n_low_confidence   INTEGER NOT NULL DEFAULT 0,
            n_flagged          INTEGER NOT NULL DEFAULT 0,
            n_warnings         INTEGER NOT NULL DEFAULT 0,
            seconds            REAL NOT NULL DEFAULT 0,
            created_at         TEXT NOT NULL,
            current            INTEGER NOT NULL DEFAULT 1,
            version            INTEGER NOT NULL DEFAULT 0   -- bumped by every review decision
        );
        CREATE INDEX results_report ON results(report_id, current);
        CREATE INDEX results_fingerprint ON results(config_fingerprint, report_id);
        CREATE INDEX results_queue ON results(current, status, review_status);
        CREATE INDEX results_series ON results(organ, year);

        -- Each backend's own reading, whole (values, provenance, usage) for audit and re-use.
        CREATE TABLE extractions (
            id                INTEGER PRIMARY KEY,
            result_id         INTEGER NOT NULL REFERENCES results(id) ON DELETE CASCADE,
            backend           TEXT NOT NULL,
            extractor_version TEXT NOT NULL,
            llm_calls         INTEGER NOT NULL DEFAULT 0,
            cached_calls      INTEGER NOT NULL DEFAULT 0,
            input_tokens      INTEGER NOT NULL DEFAULT 0,
            output_tokens     INTEGER NOT NULL DEFAULT 0,
            cost_usd          REAL NOT NULL DEFAULT 0,
            seconds           REAL NOT NULL DEFAULT 0,
            extraction        BLOB NOT NULL,     -- zlib-compressed Extraction JSON
            UNIQUE (result_id, backend)
        );

        -- One row per canonical key of a result. Values are text ("8", "373.9265", NULL for
        -- null) so amounts keep their exact decimals; the layout says which type to read back.
        CREATE TABLE cells (
            result_id      INTEGER NOT NULL REFERENCES results(id) ON DELETE CASCADE,
            key            TEXT NOT NULL,
            value          TEXT,
            status         TEXT NOT NULL CHECK (status IN ('verified', 'flagged')),
            reasons        TEXT NOT NULL DEFAULT '[]',
            agreement      TEXT NOT NULL,   -- agree | disagree | parser_only | llm_only | single
            parser_value   TEXT,
            llm_value      TEXT,
            span_start     INTEGER,
            span_end       INTEGER,
            snippet        TEXT,
            method         TEXT,
            alignment      TEXT,
            confidence     REAL,
            review_state   TEXT NOT NULL DEFAULT 'none'
                CHECK (review_state IN ('none', 'fixed', 'accepted')),
            reviewed_value TEXT,
            version        INTEGER NOT NULL DEFAULT 0,  -- optimistic lock for reviewers
            PRIMARY KEY (result_id, key)
        ) WITHOUT ROWID;

        -- The findings currently standing for a result: replaced when a decision re-checks.
        CREATE TABLE findings (
            id        INTEGER PRIMARY KEY,
            result_id INTEGER NOT NULL REFERENCES results(id) ON DELETE CASCADE,
            origin    TEXT NOT NULL CHECK (origin IN ('rules', 'series')),
            rule      TEXT NOT NULL,
            family    TEXT NOT NULL,
            severity  TEXT NOT NULL,
            status    TEXT NOT NULL,
            cells     TEXT NOT NULL,
            equation  TEXT NOT NULL
        );
        CREATE INDEX findings_result ON findings(result_id);

        CREATE TABLE suspects (
            result_id INTEGER NOT NULL REFERENCES results(id) ON DELETE CASCADE,
            rank      INTEGER NOT NULL,
            body      TEXT NOT NULL,       -- rules.findings.Suspect as JSON
            PRIMARY KEY (result_id, rank)
        );

        -- The audit trail: every reviewer action, never updated except to note its undo.
        CREATE TABLE decisions (
            id            INTEGER PRIMARY KEY,
            result_id     INTEGER NOT NULL REFERENCES results(id),
            kind          TEXT NOT NULL CHECK (kind IN
                ('fix', 'accept_cell', 'accept_report', 'accept_with_source_error', 'undo')),
            key           TEXT,               -- NULL for report-level decisions
            old_value     TEXT,
            new_value     TEXT,
            old_state     TEXT,               -- cell review_state or report review_status
            new_state     TEXT,
            reviewer      TEXT NOT NULL,
            reason        TEXT,
            created_at    TEXT NOT NULL,
            undoes        INTEGER REFERENCES decisions(id),
            undone_by     INTEGER REFERENCES decisions(id),
            version_after INTEGER NOT NULL,   -- cell (or report) version this decision left
            findings_json TEXT                -- what the re-check found after this decision
        );
        CREATE INDEX decisions_result ON decisions(result_id);
        """,
    ),
    Migration(
        2,
        "cells.proof (rules.proof.ProofLevel) and cells.cause (the decision that settles it)",
        """
        -- How far each cell is proven (read_confirmed, blank_proven, ambiguous, …) and, for an
        -- unproven one, the id of the one decision ("d1", …) that settles it with its cause.
        -- NULL in results stored before proof levels existed.
        ALTER TABLE cells ADD COLUMN proof TEXT;
        ALTER TABLE cells ADD COLUMN cause TEXT;
        """,
    ),
    Migration(
        3,
        "cells.page, cells.box: where a value sits on the page of a PDF or a scan",
        """
        ALTER TABLE cells ADD COLUMN page INTEGER;  -- 1-based; NULL for text without pages
        ALTER TABLE cells ADD COLUMN box TEXT;      -- JSON [x0, y0, x1, y1], page fractions
        """,
    ),
)


def current_version(conn: sqlite3.Connection) -> int:
    conn.execute(
        "CREATE TABLE IF NOT EXISTS schema_version ("
        " version INTEGER PRIMARY KEY, description TEXT NOT NULL, applied_at TEXT NOT NULL)"
    )
    row = conn.execute("SELECT MAX(version) FROM schema_version").fetchone()
    return int(row[0] or 0)


def _up_to_date(conn: sqlite3.Connection) -> bool:
    """Read-only check, so opening a store that a run is writing to takes no write lock."""
    exists = conn.execute(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_version'"
    ).fetchone()
    if exists is None:
        return False
    row = conn.execute("SELECT MAX(version) FROM schema_version").fetchone()
    version, latest = int(row[0] or 0), MIGRATIONS[-1].version
    if version > latest:
        raise SchemaTooNew(
            f"the store has schema version {version}, newer than this nianbao knows "
            f"({latest}): upgrade nianbao"
        )
    return version == latest


class SchemaTooNew(StoreError, sqlite3.DatabaseError):
    """A store written by a newer nianbao: refuse rather than misread it (also a
    DatabaseError, so callers that guard the database itself catch it too)."""


def migrate(conn: sqlite3.Connection) -> list[int]:
    """Apply every migration newer than the database; return the versions applied."""
    if _up_to_date(conn):
        return []
    applied = []
    for migration in MIGRATIONS:
        # Re-read inside the loop: another process may have migrated meanwhile.
        conn.execute("BEGIN IMMEDIATE")
        try:
            if migration.version <= current_version(conn):
                conn.execute("COMMIT")
                continue
            for statement in _statements(migration.sql):
                conn.execute(statement)
            conn.execute(
                "INSERT INTO schema_version (version, description, applied_at) VALUES (?, ?, ?)",
                (migration.version, migration.description, now()),
            )
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        applied.append(migration.version)
    return applied


def _statements(sql: str) -> list[str]:
    """Split a migration into statements (executescript would commit our transaction)."""
    out, buf = [], ""
    for line in sql.splitlines(keepends=True):
        buf += line
        if sqlite3.complete_statement(buf):
            out.append(buf.strip())
            buf = ""
    if buf.strip():
        raise ValueError(f"incomplete SQL statement in a migration: {buf.strip()[:60]}")
    return out


def now() -> str:
    """UTC timestamp with milliseconds, sortable as text."""
    return datetime.now(UTC).isoformat(timespec="milliseconds")
