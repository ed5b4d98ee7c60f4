"""Reading results: the queue of reports, one report's cells and evidence, exports."""

from __future__ import annotations

import json
import shutil
import tempfile
from pathlib import Path
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import FileResponse, Response
from starlette.background import BackgroundTask

from nianbao.pipeline.export import FORMATS, write_table
from nianbao.service import views
from nianbao.service.auth import Principal, Role, require
from nianbao.service.limits import Refused
from nianbao.store import STATUSES, Store

router = APIRouter(tags=["reports"])

Reader = Annotated[Principal, Depends(require(Role.SUBMITTER, Role.REVIEWER))]
Reviewer = Annotated[Principal, Depends(require(Role.REVIEWER))]
MEDIA = {
    "csv": "text/csv; charset=utf-8",
    "jsonl": "application/x-ndjson",
    "parquet": "application/vnd.apache.parquet",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def _store(request: Request) -> Store:
    return request.app.state.store


@router.get("/reports")
def reports(
    request: Request,
    _who: Reader,
    status: Annotated[str | None, Query(description=f"{', '.join(STATUSES)} or all")] = None,
    template: str | None = None,
    year: int | None = None,
    organ: str | None = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> list[dict[str, Any]]:
    """Current reports, most urgent first (the review queue's order)."""
    wanted = None if status in (None, "all") else status
    rows = _store(request).queue(
        template=template, year=year, organ=organ, status=wanted, limit=limit
    )
    return [views.summary(s) for s in rows]


@router.get("/reports/{report_id}")
def report(request: Request, report_id: int, _who: Reader) -> dict[str, Any]:
    """A report's current result: summary, cells with statuses and provenance, findings,
    suspects and the audit trail of review decisions."""
    return views.report(_store(request).load_report(report_id))


@router.get("/reports/{report_id}/cells")
def cells(request: Request, report_id: int, _who: Reader) -> dict[str, Any]:
    """The cells alone: {canonical key: value, status, reasons, version, provenance}."""
    view = _store(request).load_report(report_id)
    return {k: views.cell(c) for k, c in view.cells.items()}


@router.get("/reports/{report_id}/gold")
def gold(request: Request, report_id: int, _who: Reviewer) -> Response:
    """The accepted report as an eval gold label (a download)."""
    store = _store(request)
    label = store.export_gold(report_id)
    body = json.dumps(label, ensure_ascii=False, indent=1) + "\n"
    return Response(
        body,
        media_type="application/json",
        headers={"Content-Disposition": f'attachment; filename="report-{report_id}.gold.json"'},
    )


@router.get("/export")
def export(
    request: Request,
    _who: Reviewer,
    table: Literal["reports", "cells"] = "reports",
    format: Literal["csv", "jsonl", "parquet", "xlsx"] = "csv",
    status: Annotated[list[str] | None, Query(description="as `nianbao export --status`")] = None,
) -> FileResponse:
    """The CLI's export as a download: `reports` (a row per report) or `cells` (per cell)."""
    assert format in FORMATS
    unknown = [s for s in status or [] if s not in STATUSES]
    if unknown:
        raise Refused(422, f"unknown status {unknown[0]!r}: expected {', '.join(STATUSES)}")
    folder = Path(tempfile.mkdtemp(prefix="nianbao-export-"))
    path = folder / f"{table}.{format}"
    try:
        write_table(_store(request), format, table, path, status or None)
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    return FileResponse(
        path,
        media_type=MEDIA[format],
        filename=path.name,
        background=BackgroundTask(shutil.rmtree, folder, ignore_errors=True),
    )
