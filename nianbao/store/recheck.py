"""The current values of a stored result (reviewed ones in place) and their re-check."""

from __future__ import annotations

import sqlite3

from nianbao.core.models import CanonicalReport, CellValue, Meta
from nianbao.store.series import refresh_series
from nianbao.store.values import decode
from nianbao.store.writer_check import write_check
from rules.engine import check
from rules.findings import CheckResult, Status
from rules.narrative import narrative_figures


def current_values(conn: sqlite3.Connection, result_id: int) -> CanonicalReport:
    """The result's report with every reviewed value in place."""
    row = conn.execute(
        "SELECT organ, year, template FROM results WHERE id = ?", (result_id,)
    ).fetchone()
    template = row["template"]
    cells: dict[str, CellValue] = {}
    for c in conn.execute(
        "SELECT key, value, review_state, reviewed_value FROM cells WHERE result_id = ?",
        (result_id,),
    ):
        text = c["reviewed_value"] if c["review_state"] == "fixed" else c["value"]
        cells[c["key"]] = decode(template, c["key"], text)
    meta = Meta(organ=row["organ"], year=row["year"], template=template)
    return CanonicalReport(meta=meta, cells=cells)


def recheck(conn: sqlite3.Connection, result_id: int) -> CheckResult:
    """Check the current values; replace the stored findings; update the result's counts and
    bump its version (every change a reviewer could have missed)."""
    text = conn.execute(
        "SELECT p.source_text FROM results r JOIN reports p ON p.id = r.report_id WHERE r.id = ?",
        (result_id,),
    ).fetchone()[0]
    outcome = check(current_values(conn, result_id), narrative_figures(text) if text else None)
    write_check(conn, result_id, outcome.findings, outcome.suspects)
    refresh_series(conn, result_id)
    broken = sum(1 for f in outcome.errors if f.status is Status.FAILED)
    conn.execute(
        "UPDATE results SET n_broken = ?, version = version + 1,"
        " n_warnings = (SELECT COUNT(*) FROM findings f WHERE f.result_id = results.id"
        "   AND f.severity = 'warning'),"
        " n_flagged = (SELECT COUNT(*) FROM cells c WHERE c.result_id = results.id"
        "   AND c.status = 'flagged' AND c.review_state = 'none')"
        " WHERE id = ?",
        (broken, result_id),
    )
    return outcome
