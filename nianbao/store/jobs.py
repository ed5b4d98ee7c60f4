"""Upload jobs: the uploaded bytes (the service's upload area), and their work item.

A job is one distinct content (sha256 of its bytes) in table `jobs`. Where it stands
(queued, in work by which worker, done, failed, how many attempts) is its work item
`job:<id>` in `work_items`: the store's one claim primitive (`claims.py`), so the service
keeps no second bookkeeping. The queue (Dramatiq) only delivers "look at job N"; the claim
decides whether a delivery may work on it:
  - queued, or claimed under a lease that ran out (its worker died): take it (attempt + 1),
    at most MAX_ATTEMPTS times in all, then it is failed;
  - claimed under a live lease (a live worker renews it): someone else is on it, look again
    when the lease ends (a duplicate delivery never processes the job twice);
  - done or failed: drop the delivery.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from nianbao.store.claims import LEASE_SECONDS, MAX_ATTEMPTS, WorkQueue, insert_item
from nianbao.store.db import Database, Row
from nianbao.store.migrations import now
from nianbao.store.types import LostClaim, UnknownReport


class JobStatus(StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"  # the pipeline stored a result (the report may still be `failed`)
    FAILED = "failed"  # no usable result: the backend failed, or workers died on it


# work item state -> the job status the API shows
_STATUS = {"queued": "queued", "claimed": "running", "done": "done", "failed": "failed"}


@dataclass(frozen=True)
class JobRecord:
    id: int
    content_hash: str
    name: str
    suffix: str
    size_bytes: int
    status: str
    attempts: int
    worker: str | None
    report_id: int | None
    error: str | None
    created_at: str
    updated_at: str
    lease_until: str | None = None


@dataclass(frozen=True)
class Submitted:
    job: JobRecord
    created: bool  # False: the same content was already uploaded; this is its job
    # Send a queue message: for a new job, a failed one taken up again, and a queued one (its
    # message may have been lost with Redis; a second message for a job finds it claimed).
    send: bool


@dataclass(frozen=True)
class Claim:
    """What a worker may do with a delivered message."""

    job: JobRecord | None  # the job to work on, or None: not now
    reason: str  # why not, when `job` is None (for the worker's log)
    # When `job` is None: the end of another worker's live lease, to look again then (that
    # worker may die); None when there is nothing left to do (done, failed, unknown).
    look_again_at: str | None = None


def job_key(job_id: int) -> str:
    return f"job:{job_id}"


_SELECT = (
    "SELECT j.id, j.content_hash, j.name, j.suffix, j.size_bytes, w.state, w.attempts,"
    " w.worker, w.error, j.created_at, w.updated_at, w.lease_until,"
    " CASE WHEN w.state IN ('done', 'failed') THEN"
    " (SELECT r.id FROM reports r WHERE r.content_hash = j.content_hash) END AS report_id"
    " FROM jobs j JOIN work_items w ON w.key = 'job:' || j.id"
)


def _job(row: Row) -> JobRecord:
    return JobRecord(
        id=int(row["id"]),
        content_hash=row["content_hash"],
        name=row["name"],
        suffix=row["suffix"],
        size_bytes=int(row["size_bytes"]),
        status=_STATUS[row["state"]],
        attempts=int(row["attempts"]),
        worker=row["worker"],
        report_id=row["report_id"],
        error=row["error"],
        created_at=row["created_at"],
        updated_at=row["updated_at"],
        lease_until=row["lease_until"],
    )


class JobBook(WorkQueue):
    """Jobs; mixed into `Store`. Their state is the work queue's."""

    db: Database

    def submit_job(
        self,
        content_hash: str,
        name: str,
        suffix: str,
        body: bytes,
        submitted_by: int | None = None,
    ) -> Submitted:
        """The job for this content: a new one, or the existing one (a failed one is queued
        again, since the failure may have been the backend's). One transaction: a job is
        never without its work item."""
        stamp = now()
        with self.db.transaction(serial=False) as conn:
            inserted = conn.execute(
                "INSERT INTO jobs (content_hash, name, suffix, size_bytes, body, submitted_by,"
                " created_at) VALUES (?, ?, ?, ?, ?, ?, ?)"
                " ON CONFLICT (content_hash) DO NOTHING RETURNING id",
                (content_hash, name, suffix, len(body), body, submitted_by, stamp),
            ).fetchone()
            created = inserted is not None
            if created:
                job_id = int(inserted[0])
            else:
                job_id = int(
                    conn.execute(
                        "SELECT id FROM jobs WHERE content_hash = ?", (content_hash,)
                    ).fetchone()[0]
                )
            item = insert_item(conn, job_key(job_id), {"job": job_id}, stamp)
            if item.state == "failed":  # taken up again: a fresh pair of attempts
                conn.execute(
                    "UPDATE work_items SET state = 'queued', attempts = 0, error = NULL,"
                    " worker = NULL, lease_until = NULL, updated_at = ? WHERE id = ?",
                    (stamp, item.id),
                )
            send = created or item.state in ("queued", "failed")
            job = _job(conn.execute(f"{_SELECT} WHERE j.id = ?", (job_id,)).fetchone())
        return Submitted(job, created, send)

    def job(self, job_id: int) -> JobRecord:
        with self.db.reading() as conn:
            row = conn.execute(f"{_SELECT} WHERE j.id = ?", (job_id,)).fetchone()
        if row is None:
            raise UnknownReport(f"no job {job_id}")
        return _job(row)

    def job_body(self, job_id: int) -> bytes:
        with self.db.reading() as conn:
            row = conn.execute("SELECT body FROM jobs WHERE id = ?", (job_id,)).fetchone()
        if row is None:
            raise UnknownReport(f"no job {job_id}")
        return bytes(row[0])

    def jobs_waiting(self) -> int:
        """Jobs queued or in work: the queue's depth, for back-pressure."""
        with self.db.reading() as conn:
            row = conn.execute(
                "SELECT COUNT(*) FROM jobs j JOIN work_items w ON w.key = 'job:' || j.id"
                " WHERE w.state IN ('queued', 'claimed')"
            ).fetchone()
        return int(row[0])

    def job_counts(self) -> dict[str, int]:
        out = {s.value: 0 for s in JobStatus}
        with self.db.reading() as conn:
            for row in conn.execute(
                "SELECT w.state, COUNT(*) FROM jobs j JOIN work_items w"
                " ON w.key = 'job:' || j.id GROUP BY w.state"
            ):
                out[_STATUS[row[0]]] = int(row[1])
        return out

    def queued_jobs(self) -> list[int]:
        """Jobs that need a queue message (to send again after Redis lost its queue): queued
        ones, and ones whose worker died (lease ran out) with no delivery to notice it."""
        with self.db.reading() as conn:
            return [
                int(r[0])
                for r in conn.execute(
                    "SELECT j.id FROM jobs j JOIN work_items w ON w.key = 'job:' || j.id"
                    " WHERE w.state = 'queued' OR (w.state = 'claimed' AND w.lease_until < ?)"
                    " ORDER BY j.id",
                    (now(),),
                )
            ]

    def take_job(
        self,
        job_id: int,
        worker: str,
        *,
        lease_seconds: float = LEASE_SECONDS,
        max_attempts: int = MAX_ATTEMPTS,
    ) -> Claim:
        """Claim the job for `worker` (the store's claim primitive), or say why not."""
        items = self.claim(
            worker, key=job_key(job_id), lease_seconds=lease_seconds, max_attempts=max_attempts
        )
        try:
            job = self.job(job_id)
        except UnknownReport:
            return Claim(None, f"no job {job_id}")
        if items:
            return Claim(job, "")
        if job.status == JobStatus.RUNNING:
            return Claim(
                None,
                f"job {job_id} is in work by {job.worker} (lease until {job.lease_until})",
                job.lease_until,
            )
        if job.status == JobStatus.QUEUED:  # released meanwhile: look again at once
            return Claim(None, f"job {job_id} was handed back; looking again", now())
        return Claim(
            None, f"job {job_id} is already {job.status}" + (f" ({job.error})" if job.error else "")
        )

    def renew_job(self, job_id: int, worker: str, lease_seconds: float = LEASE_SECONDS) -> None:
        """Extend the lease of a job this worker holds (LostClaim when it no longer does)."""
        item = self.work_item(job_key(job_id))
        if item is None:
            raise UnknownReport(f"no job {job_id}")
        self.renew(item.id, worker, lease_seconds)

    def expire_job(self, job_id: int, worker: str) -> None:
        """End this worker's lease on the job now (its attempt raised): claimable at once."""
        item = self.work_item(job_key(job_id))
        if item is None:
            raise UnknownReport(f"no job {job_id}")
        self.expire(item.id, worker)

    def finish_job(self, job_id: int, worker: str, error: str | None) -> bool:
        """Close the job this worker holds: done, or failed with `error`; False when its lease
        ran out and another worker took it meanwhile."""
        item = self.work_item(job_key(job_id))
        if item is None:
            raise UnknownReport(f"no job {job_id}")
        try:
            self.finish(item.id, worker, error=error)
        except LostClaim:
            return False
        return True
