"""Writing runs and processed reports: one transaction per report, nothing half-written."""

from __future__ import annotations

import json
import re
import zlib
from collections.abc import Iterable
from typing import Any

from nianbao.core.models import CellProvenance, Extraction, ReportStatus
from nianbao.store.carry import carry_reviews
from nianbao.store.db import Conn, Database
from nianbao.store.migrations import now
from nianbao.store.series import refresh_series
from nianbao.store.types import Outcome, SourceInfo
from nianbao.store.values import encode
from nianbao.store.writer_check import write_check
from rules.findings import CheckResult, Finding, Severity, Status
from rules.proving import prove
from rules.verdict import LOW_CONFIDENCE

_SPACE = re.compile(r"\s+")

RUN_TOTALS = (
    "n_files",
    "n_done",
    "n_skipped",
    "n_failed",
    "llm_calls",
    "cached_calls",
    "input_tokens",
    "output_tokens",
    "cost_usd",
    "seconds",
)


def organ_key(organ: str | None) -> str | None:
    """The organ as stored and matched across years: whitespace removed."""
    if organ is None:
        return None
    return _SPACE.sub("", organ) or None


def agreement(parser: Extraction | None, llm: Extraction | None, key: str) -> str:
    """How the two backends' readings of one cell relate (see docs/pipeline.md)."""
    if parser is None or llm is None:
        return "single"
    if llm.scope is not None and key not in llm.scope:
        return "single"  # a targeted LLM reading was not asked about this cell
    a, b = parser.report.cells.get(key), llm.report.cells.get(key)
    if a == b:
        return "agree"
    if a is None:
        return "llm_only"
    if b is None:
        return "parser_only"
    return "disagree"


def _broken(check: CheckResult) -> int:
    return sum(
        1 for f in check.findings if f.severity is Severity.ERROR and f.status is Status.FAILED
    )


def _warnings(findings: Iterable[Finding]) -> int:
    return sum(1 for f in findings if f.severity is Severity.WARNING)


class RunWriter:
    """Runs and their results; mixed into `Store`."""

    db: Database

    # ---- runs ------------------------------------------------------------------------------
    def begin_run(self, backend: str, fingerprint: str, config: dict[str, Any]) -> int:
        with self.db.transaction() as conn:
            cur = conn.execute(
                "INSERT INTO runs (backend, model, prompt_version, parser_version,"
                " config_fingerprint, config_json, started_at) VALUES (?, ?, ?, ?, ?, ?, ?)"
                " RETURNING id",
                (
                    backend,
                    config.get("model"),
                    config.get("prompt_version"),
                    config.get("parser_version"),
                    fingerprint,
                    json.dumps(config, ensure_ascii=False, sort_keys=True),
                    now(),
                ),
            )
            return int(cur.fetchone()[0])

    def close_killed_runs(self) -> int:
        """Mark `interrupted` every run still `running`: called by a run holding the store's
        run lock, so none of them is alive (they were killed). The service's workers' runs
        (`config_json.service_worker`) are not `nianbao run`s and take no run lock: left
        alone. Returns how many."""
        with self.db.transaction() as conn:
            cur = conn.execute(
                "UPDATE runs SET status = 'interrupted', finished_at = ? WHERE status = 'running'"
                " AND config_json NOT LIKE ?",
                (now(), '%"service_worker"%'),
            )
            return int(cur.rowcount)

    def update_run(self, run_id: int, totals: dict[str, float], status: str | None = None) -> None:
        """Store the run's running totals (called now and then, and at the end)."""
        cols = [k for k in RUN_TOTALS if k in totals]
        sets = ", ".join(f"{k} = ?" for k in cols)
        params: list[Any] = [totals[k] for k in cols]
        if status is not None:
            sets += (", " if sets else "") + "status = ?, finished_at = ?"
            params += [status, now()]
        if not sets:
            return
        with self.db.transaction() as conn:
            conn.execute(f"UPDATE runs SET {sets} WHERE id = ?", [*params, run_id])

    # ---- resuming --------------------------------------------------------------------------
    def done_before(
        self, source: SourceInfo, fingerprint: str, retry_failed: bool = False
    ) -> tuple[str, str | None] | None:
        """(status, error) when this content was already processed with this configuration.

        A failure because the file itself is bad (unreadable, over its budget) counts as done
        (it would fail again) unless `retry_failed`; a failure of the backend (network,
        endpoint) or of the code does not, so a later run retries it. The path is recorded
        either way, so a copy under a new name is known.
        """
        failed_done = "r.error_kind = 'source'" if not retry_failed else "0"
        with self.db.transaction() as conn:
            row = conn.execute(
                "SELECT p.id, r.status, r.error FROM reports p"
                " JOIN results r ON r.report_id = p.id"
                " WHERE p.content_hash = ? AND r.config_fingerprint = ?"
                f" AND (r.status != 'failed' OR {failed_done})"
                " ORDER BY r.id DESC LIMIT 1",
                (source.content_hash, fingerprint),
            ).fetchone()
            if row is None:
                return None
            _note_path(conn, source.path, int(row["id"]))
            return row["status"], row["error"]

    def note_path(self, source: SourceInfo) -> None:
        """Record that `source.path` holds content already in the store (a copy)."""
        with self.db.transaction() as conn:
            row = conn.execute(
                "SELECT id FROM reports WHERE content_hash = ?", (source.content_hash,)
            ).fetchone()
            if row is not None:
                _note_path(conn, source.path, int(row["id"]))

    # ---- results ---------------------------------------------------------------------------
    def save_outcome(self, run_id: int, fingerprint: str, outcome: Outcome) -> int:
        """Store one processed report in one transaction; returns the result id."""
        report = outcome.reconciled.report
        parser, llm = outcome.sources.get("parser"), outcome.sources.get("llm")
        rows = []
        n_disagree = n_low = 0
        proof = outcome.proof or prove(outcome.reconciled, outcome.check)
        cause = proof.decision_of
        for key in report.layout.keys:
            prov = outcome.reconciled.provenance.get(key) or CellProvenance(extractor="unknown")
            agree = agreement(parser, llm, key)
            n_disagree += agree == "disagree"
            n_low += prov.confidence < LOW_CONFIDENCE
            reasons = outcome.flags.get(key, [])
            rows.append(
                (
                    key,
                    encode(report.cells[key]),
                    "flagged" if reasons else "verified",
                    json.dumps(reasons, ensure_ascii=False),
                    agree,
                    encode(parser.report.cells.get(key)) if parser else None,
                    encode(llm.report.cells.get(key)) if agree != "single" and llm else None,
                    *(prov.span or (None, None)),
                    prov.snippet,
                    prov.method,
                    prov.alignment.value,
                    prov.confidence,
                    proof.levels[key].value,
                    cause.get(key),
                    prov.page,
                    json.dumps(list(prov.box)) if prov.box is not None else None,
                )
            )
        with self.db.transaction() as conn:
            report_id = _report_row(conn, outcome.source)
            previous = _current_result(conn, report_id)
            result_id = _result_row(
                conn,
                report_id,
                run_id,
                fingerprint,
                status=outcome.status.value,
                organ=organ_key(report.meta.organ),
                year=report.meta.year,
                template=report.meta.template,
                n_broken=_broken(outcome.check),
                n_disagreements=n_disagree,
                n_low_confidence=n_low,
                n_flagged=len(outcome.flags),
                n_warnings=_warnings(outcome.check.findings),
                seconds=outcome.seconds,
            )
            for backend, extraction in outcome.sources.items():
                usage = extraction.usage
                conn.execute(
                    "INSERT INTO extractions (result_id, backend, extractor_version, llm_calls,"
                    " cached_calls, input_tokens, output_tokens, cost_usd, seconds,"
                    " extraction) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (
                        result_id,
                        backend,
                        extraction.extractor_version,
                        int(usage.get("calls", 0)),
                        int(usage.get("cached_calls", 0)),
                        int(usage.get("input_tokens", 0)),
                        int(usage.get("output_tokens", 0)),
                        float(usage.get("cost_usd", 0.0)),
                        float(usage.get("seconds", 0.0)),
                        zlib.compress(extraction.model_dump_json().encode("utf-8"), 6),
                    ),
                )
            conn.executemany(
                "INSERT INTO cells (result_id, key, value, status, reasons, agreement,"
                " parser_value, llm_value, span_start, span_end, snippet, method, alignment,"
                " confidence, proof, cause, page, box)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [(result_id, *row) for row in rows],
            )
            write_check(conn, result_id, outcome.check.findings, outcome.check.suspects)
            refresh_series(conn, result_id)
            if previous is not None:
                carry_reviews(conn, previous, result_id)
        return result_id

    def save_failure(
        self,
        run_id: int,
        fingerprint: str,
        source: SourceInfo,
        error: str,
        error_kind: str = "source",
        seconds: float = 0.0,
    ) -> int:
        """Record a file that could not be processed, with the reason; returns the result id."""
        with self.db.transaction() as conn:
            report_id = _report_row(conn, source)
            return _result_row(
                conn,
                report_id,
                run_id,
                fingerprint,
                status=ReportStatus.FAILED.value,
                error=error,
                error_kind=error_kind,
                seconds=seconds,
            )


def _note_path(conn: Conn, path: str, report_id: int) -> None:
    """Point `path` at `report_id`; a report no path points at any more is superseded."""
    row = conn.execute("SELECT report_id FROM source_paths WHERE path = ?", (path,)).fetchone()
    conn.execute(
        "INSERT INTO source_paths (path, report_id, seen_at) VALUES (?, ?, ?)"
        " ON CONFLICT(path) DO UPDATE SET report_id = excluded.report_id,"
        " seen_at = excluded.seen_at",
        (path, report_id, now()),
    )
    if row is not None and row[0] != report_id:
        old = int(row[0])
        others = conn.execute(
            "SELECT 1 FROM source_paths WHERE report_id = ? LIMIT 1", (old,)
        ).fetchone()
        if others is None:
            conn.execute("UPDATE reports SET superseded_by = ? WHERE id = ?", (report_id, old))
    conn.execute("UPDATE reports SET superseded_by = NULL WHERE id = ?", (report_id,))


def _report_row(conn: Conn, source: SourceInfo) -> int:
    row = conn.execute(
        "SELECT id, source_text FROM reports WHERE content_hash = ?", (source.content_hash,)
    ).fetchone()
    if row is None:
        cur = conn.execute(
            "INSERT INTO reports (content_hash, source_path, source_name, media, source_text,"
            " size_bytes, created_at) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id",
            (
                source.content_hash,
                source.path,
                source.name,
                source.media,
                source.text,
                source.size_bytes,
                now(),
            ),
        )
        report_id = int(cur.fetchone()[0])
    else:
        report_id = int(row["id"])
        if row["source_text"] is None and source.text is not None:
            conn.execute(
                "UPDATE reports SET source_text = ? WHERE id = ?", (source.text, report_id)
            )
    _note_path(conn, source.path, report_id)
    return report_id


def _current_result(conn: Conn, report_id: int) -> int | None:
    row = conn.execute(
        "SELECT id FROM results WHERE report_id = ? AND current = 1 AND template IS NOT NULL",
        (report_id,),
    ).fetchone()
    return None if row is None else int(row[0])


def _result_row(conn: Conn, report_id: int, run_id: int, fingerprint: str, **values: Any) -> int:
    conn.execute("UPDATE results SET current = 0 WHERE report_id = ? AND current = 1", (report_id,))
    cols = ["report_id", "run_id", "config_fingerprint", "created_at", *values]
    params = [report_id, run_id, fingerprint, now(), *values.values()]
    cur = conn.execute(
        f"INSERT INTO results ({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))})"
        " RETURNING id",
        params,
    )
    return int(cur.fetchone()[0])
