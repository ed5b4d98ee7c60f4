"""Uploads and jobs: each distinct content becomes one job, stored, then sent to the queue."""

from __future__ import annotations

import hashlib
from typing import Annotated, Any

from fastapi import APIRouter, Depends, File, HTTPException, Request, UploadFile

from nianbao.service import views
from nianbao.service.auth import Principal, Role, require
from nianbao.service.limits import Refused, check_content, check_name, check_suffix
from nianbao.service.settings import Settings
from nianbao.store import Store

router = APIRouter(tags=["jobs"])
CHUNK = 1 << 20

Submitter = Annotated[Principal, Depends(require(Role.SUBMITTER))]
Anyone = Annotated[Principal, Depends(require(Role.SUBMITTER, Role.REVIEWER))]


def _read(upload: UploadFile, name: str, limit: int) -> bytes:
    """The part's bytes, refusing (413) as soon as it passes `limit`."""
    parts, size = [], 0
    while chunk := upload.file.read(CHUNK):
        size += len(chunk)
        if size > limit:
            raise Refused(413, f"{name}: larger than {limit // (1024 * 1024)} MB")
        parts.append(chunk)
    return b"".join(parts)


@router.post("/reports", status_code=202)
def upload(
    request: Request,
    who: Submitter,
    files: Annotated[list[UploadFile], File(description="one or more report files")],
) -> dict[str, Any]:
    """Upload reports (multipart field `files`, repeated): a job per distinct content.

    All or nothing: a request with one refused file stores none. The same content uploaded
    again returns its existing job (`duplicate`: true).
    """
    settings: Settings = request.app.state.settings
    store: Store = request.app.state.store
    if len(files) > settings.max_files:
        raise Refused(413, f"{len(files)} files in one request; send at most {settings.max_files}")
    checked = []
    for part in files:
        name = check_name(part.filename)
        suffix = check_suffix(name)
        body = _read(part, name, settings.max_upload_bytes)
        check_content(name, suffix, body)
        checked.append((name, suffix, body))
    waiting = store.jobs_waiting()
    if waiting + len(checked) > settings.max_queue:
        raise HTTPException(
            429,
            f"the queue is full ({waiting} reports waiting, limit {settings.max_queue}): "
            f"try again in {settings.retry_after}s",
            headers={"Retry-After": str(settings.retry_after)},
        )
    out = []
    for name, suffix, body in checked:
        digest = hashlib.sha256(body).hexdigest()
        submitted = store.submit_job(digest, name, suffix, body, who.token_id)
        if submitted.send:
            try:
                request.app.state.sender.send(submitted.job.id)
            except Exception as exc:  # Redis down: the job stays queued in the store
                raise HTTPException(
                    503,
                    f"the queue does not answer ({exc.__class__.__name__}); job "
                    f"{submitted.job.id} is kept: upload again to send it",
                    headers={"Retry-After": str(settings.retry_after)},
                ) from None
        out.append({**views.job(submitted.job), "duplicate": not submitted.created})
    return {"jobs": out}


@router.get("/jobs/{job_id}")
def job_status(request: Request, job_id: int, _who: Anyone) -> dict[str, Any]:
    """Where a job stands: queued, running, done (see `report_id`) or failed (see `error`)."""
    return views.job(request.app.state.store.job(job_id))


@router.get("/jobs")
def job_counts(request: Request, _who: Anyone) -> dict[str, Any]:
    """How many jobs are in each state."""
    return {"counts": request.app.state.store.job_counts()}


Admin = Annotated[Principal, Depends(require(Role.ADMIN))]


@router.post("/jobs/requeue")
def requeue(request: Request, _who: Admin) -> dict[str, Any]:
    """Send every job the store says needs a worker to the queue again (after Redis lost its
    data, say): queued ones, and ones whose worker died. Safe to repeat: a delivery only works
    on a job it claims in the store, and one worker holds a claim at a time."""
    store: Store = request.app.state.store
    waiting = store.queued_jobs()
    for job_id in waiting:
        request.app.state.sender.send(job_id)
    return {"sent": len(waiting)}
