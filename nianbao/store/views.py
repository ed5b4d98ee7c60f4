"""Reading the store: the review queue, one report's view, reviewed values, gold export."""

from __future__ import annotations

import json
import zlib
from collections.abc import Iterator
from typing import Any

from nianbao.core.layout import layout_for
from nianbao.core.models import CanonicalReport, CellValue, Extraction
from nianbao.store.db import Conn, Database, Row
from nianbao.store.recheck import current_values
from nianbao.store.types import (
    CellView,
    DecisionView,
    ReportSummary,
    ReportView,
    StoreError,
    UnknownReport,
)
from nianbao.store.values import decode
from rules.findings import Finding, Severity, Status, Suspect

# The status a reviewer filters on: the pipeline's verdict until a person accepted the report.
EFFECTIVE_STATUS = (
    "CASE WHEN r.status = 'failed' THEN 'failed'"
    " WHEN r.review_status != 'pending' THEN 'reviewed' ELSE r.status END"
)
STATUSES = ("needs_review", "accepted", "reviewed", "failed")
# Most urgent first: broken identities, then disagreements, then low confidence.
URGENCY = (
    "CASE WHEN r.n_broken > 0 THEN 0 WHEN r.n_disagreements > 0 THEN 1"
    " WHEN r.n_low_confidence > 0 THEN 2 ELSE 3 END,"
    " r.n_broken DESC, r.n_disagreements DESC, r.n_low_confidence DESC, r.n_flagged DESC, p.id"
)
_SUMMARY_COLS = (
    "p.id AS report_id, r.id AS result_id, p.source_name, p.source_path, r.organ, r.year,"
    " r.template, r.status, r.review_status, r.n_broken, r.n_disagreements,"
    " r.n_low_confidence, r.n_flagged, r.n_warnings, r.error, r.version"
)
_CURRENT = "FROM results r JOIN reports p ON p.id = r.report_id WHERE r.current = 1" + (
    " AND p.superseded_by IS NULL"
)


def summary(row: Row) -> ReportSummary:
    return ReportSummary(**{k: row[k] for k in row.keys()})  # noqa: SIM118 - Row


def _filters(
    template: str | None, year: int | None, organ: str | None, status: str | None
) -> tuple[str, list[Any]]:
    where, params = "", []
    if template is not None:
        where += " AND r.template = ?"
        params.append(str(template))
    if year is not None:
        where += " AND r.year = ?"
        params.append(int(year))
    if organ:
        where += " AND r.organ LIKE ?"
        params.append(f"%{''.join(organ.split())}%")
    if status is not None:
        if status not in STATUSES:
            raise StoreError(f"unknown status {status!r}: expected one of {', '.join(STATUSES)}")
        where += f" AND {EFFECTIVE_STATUS} = ?"
        params.append(status)
    return where, params


def finding(row: Row) -> Finding:
    return Finding(
        rule=row["rule"],
        family=row["family"],
        severity=Severity(row["severity"]),
        status=Status(row["status"]),
        cells=json.loads(row["cells"]),
        equation=row["equation"],
    )


def decision(row: Row) -> DecisionView:
    return DecisionView(**{k: row[k] for k in DecisionView.__dataclass_fields__})


class Reader:
    """Queries used by the review screen, the export and the CLI; mixed into `Store`."""

    db: Database

    def queue(
        self,
        *,
        template: str | None = None,
        year: int | None = None,
        organ: str | None = None,
        status: str | None = "needs_review",
        limit: int | None = None,
    ) -> list[ReportSummary]:
        """Current reports, most urgent first; `status` None lists every status."""
        where, params = _filters(template, year, organ, status)
        sql = f"SELECT {_SUMMARY_COLS} {_CURRENT}{where} ORDER BY {URGENCY}"
        if limit is not None:
            sql += " LIMIT ?"
            params.append(int(limit))
        with self.db.reading() as conn:
            return [summary(r) for r in conn.execute(sql, params)]

    def counts(
        self, *, template: str | None = None, year: int | None = None, organ: str | None = None
    ) -> dict[str, int]:
        """How many current reports have each status (needs_review, accepted, reviewed, failed)."""
        where, params = _filters(template, year, organ, None)
        out: dict[str, int] = dict.fromkeys(STATUSES, 0)
        with self.db.reading() as conn:
            for row in conn.execute(
                f"SELECT {EFFECTIVE_STATUS} AS s, COUNT(*) AS n {_CURRENT}{where} GROUP BY s",
                params,
            ):
                out[row["s"]] = row["n"]
        return out

    def facets(self) -> dict[str, list[Any]]:
        """The values the queue's filters can take (templates, years, organs)."""
        with self.db.reading() as conn:
            return {
                col: [
                    r[0]
                    for r in conn.execute(
                        f"SELECT DISTINCT r.{col} {_CURRENT} AND r.{col} IS NOT NULL"
                        f" ORDER BY r.{col}"
                    )
                ]
                for col in ("template", "year", "organ")
            }

    def broken_rules(self, run_id: int, limit: int = 5) -> list[tuple[str, int]]:
        """The identity families most often broken by a run's reports: (family, reports)."""
        with self.db.reading() as conn:
            return [
                (r[0], r[1])
                for r in conn.execute(
                    "SELECT f.family, COUNT(DISTINCT f.result_id) AS n FROM findings f"
                    " JOIN results r ON r.id = f.result_id WHERE r.run_id = ?"
                    " AND f.severity = 'error' AND f.status = 'failed'"
                    " GROUP BY f.family ORDER BY n DESC, f.family LIMIT ?",
                    (run_id, limit),
                )
            ]

    def extractions(self, report_id: int) -> dict[str, Extraction]:
        """Each backend's own reading of the report's current result, whole, as stored."""
        with self.db.reading() as conn:
            result_id = self._current(conn, report_id)["result_id"]
            rows = conn.execute(
                "SELECT backend, extraction FROM extractions WHERE result_id = ?", (result_id,)
            ).fetchall()
        return {
            r["backend"]: Extraction.model_validate_json(zlib.decompress(r["extraction"]))
            for r in rows
        }

    def _current(self, conn: Conn, report_id: int) -> Row:
        row = conn.execute(
            f"SELECT {_SUMMARY_COLS}, p.source_text, p.media FROM results r"
            " JOIN reports p ON p.id = r.report_id WHERE p.id = ? AND r.current = 1",
            (report_id,),
        ).fetchone()
        if row is None:
            raise UnknownReport(f"no report {report_id} in the store")
        return row

    def load_report(self, report_id: int) -> ReportView:
        """Source text, current cells (statuses, reasons, spans, both readings), findings."""
        with self.db.reading() as conn:
            row = self._current(conn, report_id)
            result_id = row["result_id"]
            findings = [
                finding(f)
                for f in conn.execute(
                    "SELECT * FROM findings WHERE result_id = ? ORDER BY origin DESC, id",
                    (result_id,),
                )
            ]
            suspects = [
                Suspect.model_validate_json(s["body"])
                for s in conn.execute(
                    "SELECT body FROM suspects WHERE result_id = ? ORDER BY rank", (result_id,)
                )
            ]
            decisions = [
                decision(d)
                for d in conn.execute(
                    "SELECT * FROM decisions WHERE result_id = ? ORDER BY id", (result_id,)
                )
            ]
            cells = self._cells(conn, result_id, row["template"]) if row["template"] else {}
        base = {k: row[k] for k in ReportSummary.__dataclass_fields__}
        return ReportView(
            summary=ReportSummary(**base),
            source_text=row["source_text"],
            media=row["media"],
            cells=cells,
            findings=findings,
            suspects=suspects,
            decisions=decisions,
        )

    def _cells(self, conn: Conn, result_id: int, template: str) -> dict[str, CellView]:
        order = {k: n for n, k in enumerate(layout_for(template).keys)}
        out = {}
        for c in conn.execute("SELECT * FROM cells WHERE result_id = ?", (result_id,)):
            key = c["key"]
            extracted = decode(template, key, c["value"])
            value = (
                decode(template, key, c["reviewed_value"])
                if c["review_state"] == "fixed"
                else extracted
            )
            span = (c["span_start"], c["span_end"]) if c["span_start"] is not None else None
            out[key] = CellView(
                key=key,
                value=value,
                extracted=extracted,
                status=c["status"],
                reasons=json.loads(c["reasons"]),
                agreement=c["agreement"],
                parser_value=decode(template, key, c["parser_value"]),
                llm_value=decode(template, key, c["llm_value"]),
                span=span,
                snippet=c["snippet"],
                method=c["method"],
                alignment=c["alignment"],
                confidence=c["confidence"],
                review_state=c["review_state"],
                version=c["version"],
                page=c["page"],
                box=tuple(json.loads(c["box"])) if c["box"] else None,
            )
        return dict(sorted(out.items(), key=lambda kv: order[kv[0]]))

    def current_values(self, conn: Conn, result_id: int) -> CanonicalReport:
        """The result's report with every reviewed value in place."""
        return current_values(conn, result_id)

    def reviewed_cells(self, report_id: int) -> dict[str, CellValue]:
        """{key: value} for every cell a person fixed or confirmed, in layout order."""
        view = self.load_report(report_id)
        return {k: c.value for k, c in view.cells.items() if c.review_state != "none"}

    def export_gold(self, report_id: int, *, require_review: bool = True) -> dict[str, Any]:
        """The reviewed report in the canonical form of eval gold labels."""
        with self.db.reading() as conn:
            row = self._current(conn, report_id)
            if row["template"] is None:
                raise StoreError(f"report {report_id} failed: nothing to export ({row['error']})")
            if require_review and row["review_status"] == "pending":
                raise StoreError(f"report {report_id} has not been accepted by a reviewer yet")
            report = self.current_values(conn, row["result_id"])
        return report.to_json_dict()

    def iter_current(
        self, statuses: list[str] | None = None
    ) -> Iterator[tuple[ReportSummary, list[Row]]]:
        """Every current result with its cell rows (effective values), one at a time."""
        where, params = "", []
        if statuses:
            unknown = [s for s in statuses if s not in STATUSES]
            if unknown:
                raise StoreError(f"unknown status {unknown[0]!r}: expected {', '.join(STATUSES)}")
            where = f" AND {EFFECTIVE_STATUS} IN ({', '.join('?' * len(statuses))})"
            params = list(statuses)
        with self.db.reading() as conn:
            ids = [
                r["result_id"]
                for r in conn.execute(
                    f"SELECT r.id AS result_id {_CURRENT}{where} ORDER BY p.id", params
                )
            ]
        for result_id in ids:
            with self.db.reading() as conn:
                head = conn.execute(
                    f"SELECT {_SUMMARY_COLS} FROM results r JOIN reports p ON p.id = r.report_id"
                    " WHERE r.id = ?",
                    (result_id,),
                ).fetchone()
                cells = conn.execute(
                    "SELECT * FROM cells WHERE result_id = ?", (result_id,)
                ).fetchall()
            yield summary(head), cells
