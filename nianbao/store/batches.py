"""The batches a `nianbao run --batch` submitted, their lines and answers; mixed into `Store`.

A batch is recorded (with every custom_id -> report and request) in the transaction right
after the provider accepted it, so a run killed while waiting finds it with `open_batches`
and polls it instead of submitting again. Answers are stored per line when collected:
the replay of a report reads them back by request digest.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from nianbao.store.db import Database
from nianbao.store.migrations import now

COLLECTED = "collected"  # answers stored: nothing more to fetch


@dataclass(frozen=True)
class BatchRecord:
    id: int
    batch_id: str
    round: int
    status: str
    n_requests: int


@dataclass(frozen=True)
class BatchLine:
    """One line to record: custom_id -> the report and the exact request."""

    custom_id: str
    content_hash: str
    source_path: str
    request_key: str
    request: dict[str, Any]


class BatchLedger:
    """Batches and their lines; mixed into `Store`."""

    db: Database

    def record_batch(
        self,
        batch_id: str,
        input_file_id: str,
        fingerprint: str,
        run_id: int,
        round_no: int,
        lines: list[BatchLine],
    ) -> int:
        """A batch the provider accepted, with all its lines, in one transaction."""
        stamp = now()
        with self.db.transaction() as conn:
            row = conn.execute(
                "INSERT INTO llm_batches (batch_id, input_file_id, config_fingerprint, run_id,"
                " round, status, n_requests, created_at, updated_at)"
                " VALUES (?, ?, ?, ?, ?, 'validating', ?, ?, ?) RETURNING id",
                (batch_id, input_file_id, fingerprint, run_id, round_no, len(lines), stamp, stamp),
            ).fetchone()
            ident = int(row[0])
            conn.executemany(
                "INSERT INTO llm_batch_items (batch, custom_id, content_hash, source_path,"
                " request_key, request) VALUES (?, ?, ?, ?, ?, ?)",
                [
                    (
                        ident,
                        line.custom_id,
                        line.content_hash,
                        line.source_path,
                        line.request_key,
                        json.dumps(line.request, ensure_ascii=False, sort_keys=True, default=str),
                    )
                    for line in lines
                ],
            )
            return ident

    def open_batches(self, fingerprint: str) -> list[BatchRecord]:
        """Batches of this configuration whose answers are not collected yet, oldest first."""
        with self.db.reading() as conn:
            rows = conn.execute(
                "SELECT id, batch_id, round, status, n_requests FROM llm_batches"
                " WHERE config_fingerprint = ? AND status != ? ORDER BY id",
                (fingerprint, COLLECTED),
            ).fetchall()
        return [BatchRecord(r[0], r[1], r[2], r[3], r[4]) for r in rows]

    def batches(self, fingerprint: str | None = None) -> list[BatchRecord]:
        where, params = (
            ("WHERE config_fingerprint = ?", (fingerprint,)) if fingerprint else ("", ())
        )
        with self.db.reading() as conn:
            rows = conn.execute(
                f"SELECT id, batch_id, round, status, n_requests FROM llm_batches {where}"
                " ORDER BY id",
                params,
            ).fetchall()
        return [BatchRecord(r[0], r[1], r[2], r[3], r[4]) for r in rows]

    def note_batch_status(self, ident: int, status: str, error: str | None = None) -> None:
        with self.db.transaction() as conn:
            conn.execute(
                "UPDATE llm_batches SET status = ?, error = COALESCE(?, error), updated_at = ?"
                " WHERE id = ?",
                (status, error, now(), ident),
            )

    def batch_custom_ids(self, ident: int) -> dict[str, str]:
        """custom_id -> request digest of a batch's lines."""
        with self.db.reading() as conn:
            rows = conn.execute(
                "SELECT custom_id, request_key FROM llm_batch_items WHERE batch = ?", (ident,)
            ).fetchall()
        return {r[0]: r[1] for r in rows}

    def collect_batch(
        self,
        ident: int,
        results: dict[str, tuple[dict[str, Any] | None, str | None]],
        state: tuple[str, str | None, str | None, str | None],
    ) -> None:
        """Store every line's answer or error and mark the batch collected, in one
        transaction. `results`: custom_id -> (body, error); `state`: (provider status,
        output file id, error file id, the batch's own error)."""
        status, output_id, error_id, error = state
        with self.db.transaction() as conn:
            conn.executemany(
                "UPDATE llm_batch_items SET answer = ?, error = ?"
                " WHERE batch = ? AND custom_id = ?",
                [
                    (
                        None if body is None else json.dumps(body, ensure_ascii=False),
                        problem,
                        ident,
                        custom_id,
                    )
                    for custom_id, (body, problem) in results.items()
                ],
            )
            conn.execute(
                "UPDATE llm_batches SET status = ?, output_file_id = ?, error_file_id = ?,"
                " error = ?, updated_at = ? WHERE id = ?",
                (
                    COLLECTED,
                    output_id,
                    error_id,
                    f"{status}: {error}" if error else status,
                    now(),
                    ident,
                ),
            )

    def batch_answers(self, fingerprint: str) -> dict[str, dict[str, Any]]:
        """Request digest -> completion body, from every collected batch of this
        configuration (a failed line is not an answer: a later run asks again)."""
        with self.db.reading() as conn:
            rows = conn.execute(
                "SELECT i.request_key, i.answer FROM llm_batch_items i"
                " JOIN llm_batches b ON b.id = i.batch"
                " WHERE b.config_fingerprint = ? AND i.answer IS NOT NULL ORDER BY b.id",
                (fingerprint,),
            ).fetchall()
        return {r[0]: json.loads(r[1]) for r in rows}

    def batch_errors(self, ident: int) -> dict[str, str]:
        """Request digest -> why its line has no answer, for one collected batch."""
        with self.db.reading() as conn:
            rows = conn.execute(
                "SELECT request_key, error FROM llm_batch_items"
                " WHERE batch = ? AND answer IS NULL AND error IS NOT NULL",
                (ident,),
            ).fetchall()
        return {r[0]: r[1] for r in rows}
