"""Review decisions over HTTP: the store's review desk, with the signed-in token as reviewer.

Every decision carries the version the reviewer saw; a stale one is refused with 409 and a
message naming who changed the cell, never silently overwritten.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel, Field

from nianbao.service import views
from nianbao.service.auth import Principal, Role, require
from nianbao.service.limits import Refused
from nianbao.store import DecisionResult

router = APIRouter(tags=["review"])
Reviewer = Annotated[Principal, Depends(require(Role.REVIEWER))]


class CellDecision(BaseModel):
    key: str = Field(description="canonical key, e.g. t3.new.natural, or meta.organ / meta.year")
    kind: Literal["fix", "accept_cell"] = "fix"
    value: int | str | None = Field(None, description="the value for a fix; null for blank")
    expected_version: int = Field(description="the cell's `version` when you read it")
    reason: str | None = None


class ReportAcceptance(BaseModel):
    expected_version: int = Field(description="the report's `summary.version` when you read it")
    with_source_error: bool = False
    reason: str | None = Field(None, description="required with `with_source_error`")


class UndoRequest(BaseModel):
    reason: str | None = None


def _result(done: DecisionResult) -> dict[str, Any]:
    return {
        "decision_id": done.decision_id,
        "cell_version": done.cell_version,
        "report_version": done.report_version,
        "holds": done.holds,
        "findings": [views.finding(f) for f in done.findings],
    }


@router.post("/reports/{report_id}/decisions")
def decide(request: Request, report_id: int, body: CellDecision, who: Reviewer) -> dict[str, Any]:
    """Fix a cell or confirm it as read; re-checks the report's identities at once."""
    try:
        done = request.app.state.store.record_decision(
            report_id,
            body.key,
            who.name,
            kind=body.kind,
            value=body.value,
            expected_version=body.expected_version,
            reason=body.reason,
        )
    except ValueError as exc:  # the value does not parse as the cell's type
        raise Refused(422, str(exc)) from None
    return _result(done)


@router.post("/reports/{report_id}/accept")
def accept(
    request: Request, report_id: int, body: ReportAcceptance, who: Reviewer
) -> dict[str, Any]:
    """Accept the report (clean, or with the source's own error and a reason)."""
    done = request.app.state.store.accept_report(
        report_id,
        who.name,
        with_source_error=body.with_source_error,
        reason=body.reason,
        expected_version=body.expected_version,
    )
    return _result(done)


@router.post("/decisions/{decision_id}/undo")
def undo(request: Request, decision_id: int, body: UndoRequest, who: Reviewer) -> dict[str, Any]:
    """Reverse one decision, if nothing changed that cell (or report) since."""
    return _result(request.app.state.store.undo(decision_id, who.name, reason=body.reason))
