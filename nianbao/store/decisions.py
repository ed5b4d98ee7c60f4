"""Review decisions: fix or accept a cell, accept a report, undo; each its own transaction.

Every decision re-checks the identities on the reviewed values at once and stores the new
findings. A reviewer passes the version of the cell (or report) they saw; if somebody else
changed it meanwhile the decision is refused with `StaleEdit`, never silently overwritten.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass

from nianbao.core.models import CellValue
from nianbao.store.db import Conn, Database, Row
from nianbao.store.meta import check_version, get_meta, parse_meta, set_meta, undo_meta
from nianbao.store.migrations import now
from nianbao.store.recheck import recheck
from nianbao.store.types import (
    DecisionKind,
    NotClean,
    ReviewStatus,
    StaleEdit,
    StoreError,
    UnknownReport,
)
from nianbao.store.values import encode, parse_input
from rules.findings import CheckResult, Finding, Suspect


@dataclass(frozen=True)
class DecisionResult:
    """What a decision left behind: the new versions and the re-checked findings."""

    decision_id: int
    cell_version: int | None  # None for report-level decisions
    report_version: int
    findings: list[Finding]
    suspects: list[Suspect]

    @property
    def holds(self) -> bool:
        return not any(f.severity.value == "error" for f in self.findings)


class ReviewDesk:
    """Reviewer actions; mixed into `Store`."""

    db: Database

    # ---- helpers ---------------------------------------------------------------------------
    def _result(self, conn: Conn, report_id: int) -> Row:
        row = conn.execute(
            "SELECT r.*, p.source_text FROM results r JOIN reports p ON p.id = r.report_id"
            " WHERE r.report_id = ? AND r.current = 1",
            (report_id,),
        ).fetchone()
        if row is None:
            raise UnknownReport(f"no report {report_id} in the store")
        if row["template"] is None:
            raise StoreError(f"report {report_id} failed ({row['error']}): nothing to review")
        return row

    def _recheck(self, conn: Conn, result: Row) -> CheckResult:
        return recheck(conn, result["id"])

    def _log(
        self,
        conn: Conn,
        result_id: int,
        kind: DecisionKind,
        reviewer: str,
        *,
        key: str | None = None,
        old: tuple[str | None, str | None] = (None, None),  # (value, state)
        new: tuple[str | None, str | None] = (None, None),
        reason: str | None = None,
        undoes: int | None = None,
        version_after: int,
        outcome: CheckResult,
    ) -> int:
        findings = json.dumps([f.model_dump(mode="json") for f in outcome.findings])
        cur = conn.execute(
            "INSERT INTO decisions (result_id, kind, key, old_value, new_value, old_state,"
            " new_state, reviewer, reason, created_at, undoes, version_after, findings_json)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
            (
                result_id,
                kind.value,
                key,
                old[0],
                new[0],
                old[1],
                new[1],
                reviewer,
                reason,
                now(),
                undoes,
                version_after,
                findings,
            ),
        )
        return int(cur.fetchone()[0])

    @staticmethod
    def _who(reviewer: str) -> str:
        reviewer = (reviewer or "").strip()
        if not reviewer:
            raise StoreError("a decision needs the reviewer's name")
        return reviewer

    # ---- cell decisions --------------------------------------------------------------------
    def record_decision(
        self,
        report_id: int,
        key: str,
        reviewer: str,
        *,
        value: object = None,
        kind: DecisionKind | str = DecisionKind.FIX,
        expected_version: int | None = None,
        reason: str | None = None,
    ) -> DecisionResult:
        """Fix a cell to `value` (kind "fix") or confirm its current value ("accept_cell").

        `expected_version` is the cell version the reviewer saw (CellView.version); a
        different current version raises StaleEdit.
        """
        kind = DecisionKind(kind)
        if kind not in (DecisionKind.FIX, DecisionKind.ACCEPT_CELL):
            raise StoreError(f"{kind.value} is not a cell decision")
        reviewer = self._who(reviewer)
        if key.startswith("meta."):
            return self._meta_decision(report_id, key, reviewer, value, expected_version, reason)
        with self.db.transaction() as conn:
            result = self._result(conn, report_id)
            cell = conn.execute(
                "SELECT * FROM cells WHERE result_id = ? AND key = ?", (result["id"], key)
            ).fetchone()
            if cell is None:
                raise UnknownReport(f"report {report_id} has no cell {key}")
            if expected_version is not None and cell["version"] != expected_version:
                raise StaleEdit(_stale_message(conn, result["id"], key, cell))
            old_text = cell["reviewed_value"] if cell["review_state"] == "fixed" else cell["value"]
            if kind is DecisionKind.FIX:
                new_value: CellValue = parse_input(result["template"], key, value)
                new_text, state = encode(new_value), "fixed"
            else:
                new_text, state = old_text, "accepted"
            conn.execute(
                "UPDATE cells SET review_state = ?, reviewed_value = ?, version = version + 1"
                " WHERE result_id = ? AND key = ?",
                (state, new_text if state == "fixed" else None, result["id"], key),
            )
            outcome = self._recheck(conn, result)
            decision_id = self._log(
                conn,
                result["id"],
                kind,
                reviewer,
                key=key,
                old=(old_text, cell["review_state"]),
                new=(new_text, state),
                reason=reason,
                version_after=cell["version"] + 1,
                outcome=outcome,
            )
        return DecisionResult(
            decision_id,
            cell["version"] + 1,
            result["version"] + 1,
            outcome.findings,
            outcome.suspects,
        )

    def _meta_decision(
        self,
        report_id: int,
        key: str,
        reviewer: str,
        value: object,
        expected_version: int | None,
        reason: str | None,
    ) -> DecisionResult:
        """Fix `meta.organ` or `meta.year`; the result's version guards against stale edits."""
        new_text = parse_meta(key, value)
        with self.db.transaction() as conn:
            result = self._result(conn, report_id)
            check_version(result, expected_version, key)
            old_text = get_meta(conn, result["id"], key)
            set_meta(conn, result["id"], key, new_text)
            outcome = self._recheck(conn, result)
            version = result["version"] + 1
            decision_id = self._log(
                conn,
                result["id"],
                DecisionKind.FIX,
                reviewer,
                key=key,
                old=(old_text, "none"),
                new=(new_text, "fixed"),
                reason=reason,
                version_after=version,
                outcome=outcome,
            )
        return DecisionResult(decision_id, None, version, outcome.findings, outcome.suspects)

    # ---- report decisions ------------------------------------------------------------------
    def accept_report(
        self,
        report_id: int,
        reviewer: str,
        *,
        with_source_error: bool = False,
        reason: str | None = None,
        expected_version: int | None = None,
        confirm: Iterable[str] = (),
    ) -> DecisionResult:
        """Accept the report: refused (NotClean) while identities break, unless the reviewer
        says the source itself prints the error (`with_source_error`, with a reason).

        Accepting confirms, as read, every cell still flagged that nobody decided, and the
        cells in `confirm` (what the screen showed as open); undoing it un-confirms them.
        """
        reviewer = self._who(reviewer)
        if with_source_error and not (reason or "").strip():
            raise StoreError("accepting with the source's own error needs a reason")
        kind = (
            DecisionKind.ACCEPT_WITH_SOURCE_ERROR
            if with_source_error
            else DecisionKind.ACCEPT_REPORT
        )
        status = (
            ReviewStatus.ACCEPTED_WITH_SOURCE_ERROR if with_source_error else ReviewStatus.ACCEPTED
        )
        with self.db.transaction() as conn:
            result = self._result(conn, report_id)
            if expected_version is not None and result["version"] != expected_version:
                raise StaleEdit(
                    f"report {report_id} changed since you loaded it (version "
                    f"{result['version']}, you saw {expected_version}): reload and check again"
                )
            confirm_undecided(conn, result["id"], confirm)
            outcome = self._recheck(conn, result)
            broken = [f.rule for f in outcome.errors if f.status.value == "failed"]
            if broken and not with_source_error:
                raise NotClean(
                    f"report {report_id} still breaks {', '.join(broken[:5])}"
                    + (f" (+{len(broken) - 5} more)" if len(broken) > 5 else "")
                    + ": fix the cells or accept with the source's own error"
                )
            conn.execute(
                "UPDATE results SET review_status = ? WHERE id = ?", (status.value, result["id"])
            )
            version = result["version"] + 1
            decision_id = self._log(
                conn,
                result["id"],
                kind,
                reviewer,
                old=(None, result["review_status"]),
                new=(None, status.value),
                reason=reason,
                version_after=version,
                outcome=outcome,
            )
        return DecisionResult(decision_id, None, version, outcome.findings, outcome.suspects)

    # ---- undo ------------------------------------------------------------------------------
    def undo(self, decision_id: int, reviewer: str, reason: str | None = None) -> DecisionResult:
        """Reverse one decision, if nothing has changed that cell (or report) since."""
        reviewer = self._who(reviewer)
        with self.db.transaction() as conn:
            d = conn.execute("SELECT * FROM decisions WHERE id = ?", (decision_id,)).fetchone()
            if d is None:
                raise UnknownReport(f"no decision {decision_id}")
            if d["kind"] == DecisionKind.UNDO.value:
                raise StoreError(f"decision {decision_id} is an undo; record the change anew")
            if d["undone_by"] is not None:
                raise StoreError(f"decision {decision_id} was already undone")
            result = conn.execute(
                "SELECT r.*, p.source_text FROM results r JOIN reports p ON p.id = r.report_id"
                " WHERE r.id = ?",
                (d["result_id"],),
            ).fetchone()
            cell_version = None
            if d["key"] is not None and d["key"].startswith("meta."):
                undo_meta(conn, d)
                old, new = (d["new_value"], d["new_state"]), (d["old_value"], d["old_state"])
            elif d["key"] is not None:
                cell = conn.execute(
                    "SELECT * FROM cells WHERE result_id = ? AND key = ?",
                    (d["result_id"], d["key"]),
                ).fetchone()
                if cell["version"] != d["version_after"]:
                    raise StaleEdit(
                        f"{d['key']} was changed again after decision {decision_id}: "
                        "undo the later change first"
                    )
                old_state = d["old_state"]
                conn.execute(
                    "UPDATE cells SET review_state = ?, reviewed_value = ?, version = version + 1"
                    " WHERE result_id = ? AND key = ?",
                    (
                        old_state,
                        d["old_value"] if old_state == "fixed" else None,
                        d["result_id"],
                        d["key"],
                    ),
                )
                cell_version = cell["version"] + 1
                old = (d["new_value"], d["new_state"])
                new = (d["old_value"], old_state)
            else:
                if result["review_status"] != d["new_state"]:
                    raise StaleEdit(
                        f"the report's review status is now {result['review_status']}: "
                        f"decision {decision_id} no longer applies"
                    )
                conn.execute(
                    "UPDATE results SET review_status = ? WHERE id = ?",
                    (d["old_state"], d["result_id"]),
                )
                unconfirm(conn, d["result_id"])
                old, new = (None, d["new_state"]), (None, d["old_state"])
            outcome = self._recheck(conn, result)
            version = result["version"] + 1
            undo_id = self._log(
                conn,
                d["result_id"],
                DecisionKind.UNDO,
                reviewer,
                key=d["key"],
                old=old,
                new=new,
                reason=reason,
                undoes=decision_id,
                version_after=cell_version if cell_version is not None else version,
                outcome=outcome,
            )
            conn.execute("UPDATE decisions SET undone_by = ? WHERE id = ?", (undo_id, decision_id))
        return DecisionResult(undo_id, cell_version, version, outcome.findings, outcome.suspects)


def confirm_undecided(conn: Conn, result_id: int, extra: Iterable[str]) -> None:
    """Mark `accepted` every undecided cell that is flagged, or named in `extra`."""
    extra = list(extra)
    known = {r[0] for r in conn.execute("SELECT key FROM cells WHERE result_id = ?", (result_id,))}
    unknown = [k for k in extra if k not in known]
    if unknown:
        raise UnknownReport(f"no cell {', '.join(unknown[:3])} in this report")
    # `key IN ()` is SQLite's extension; Postgres needs at least one value, so none = no clause
    named = f" OR key IN ({','.join('?' * len(extra))})" if extra else ""
    conn.execute(
        "UPDATE cells SET review_state = 'accepted', version = version + 1"
        f" WHERE result_id = ? AND review_state = 'none' AND (status = 'flagged'{named})",
        (result_id, *extra),
    )


def unconfirm(conn: Conn, result_id: int) -> None:
    """Undo `confirm_undecided`: an accepted cell with no standing decision of its own."""
    conn.execute(
        "UPDATE cells SET review_state = 'none', version = version + 1"
        " WHERE result_id = ? AND review_state = 'accepted' AND NOT EXISTS ("
        "   SELECT 1 FROM decisions d WHERE d.result_id = cells.result_id AND d.key = cells.key"
        "   AND d.kind = 'accept_cell' AND d.undone_by IS NULL)",
        (result_id,),
    )


def _stale_message(conn: Conn, result_id: int, key: str, cell: Row) -> str:
    last = conn.execute(
        "SELECT reviewer, created_at, new_value FROM decisions WHERE result_id = ? AND key = ?"
        " ORDER BY id DESC LIMIT 1",
        (result_id, key),
    ).fetchone()
    who = f" by {last['reviewer']} at {last['created_at']}" if last else ""
    current = cell["reviewed_value"] if cell["review_state"] == "fixed" else cell["value"]
    shown = "null" if current is None else current
    return (
        f"{key} was changed{who} since you loaded it (now {shown}, "
        f"state {cell['review_state']}): reload before deciding"
    )
