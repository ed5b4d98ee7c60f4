"""Upload jobs: the uploaded bytes (the service's upload area) and where each job stands.

A job is one distinct content. Workers take a job by the id of the queue message that
carries it: a redelivery of that message (its worker died) may take the job again, a second
message for the same job may not, so a job is never worked on twice at once.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from nianbao.store.db import Database, Row
from nianbao.store.migrations import now
from nianbao.store.types import UnknownReport


class JobStatus(StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"  # the pipeline stored a result (the report may still be `failed`)
    FAILED = "failed"  # no usable result: the backend failed, or workers died on it


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


@dataclass(frozen=True)
class Submitted:
    job: JobRecord
    created: bool  # False: the same content was already uploaded; this is its job
    # Send a queue message: for a new job, a failed one taken up again, and a queued one (its
    # message may have been lost with Redis; a second message for a job is dropped unused).
    send: bool


@dataclass(frozen=True)
class Claim:
    """What a worker may do with a delivered message."""

    job: JobRecord | None  # the job to work on, or None: drop the message
    reason: str  # why not, when `job` is None (for the worker's log)


_COLS = ", ".join(JobRecord.__dataclass_fields__)


def _job(row: Row) -> JobRecord:
    return JobRecord(**{k: row[k] for k in JobRecord.__dataclass_fields__})


class JobBook:
    """Jobs; mixed into `Store`."""

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
        again, since the failure may have been the backend's)."""
        stamp = now()
        with self.db.transaction() as conn:
            row = conn.execute(
                f"SELECT {_COLS} FROM jobs WHERE content_hash = ?", (content_hash,)
            ).fetchone()
            if row is None:
                inserted = conn.execute(
                    "INSERT INTO jobs (content_hash, name, suffix, size_bytes, body, submitted_by,"
                    " created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
                    (content_hash, name, suffix, len(body), body, submitted_by, stamp, stamp),
                ).fetchone()
                job_id, created, send = int(inserted[0]), True, True
            else:
                job_id, created = int(row["id"]), False
                send = row["status"] in (JobStatus.QUEUED, JobStatus.FAILED)
                if row["status"] == JobStatus.FAILED:
                    conn.execute(
                        "UPDATE jobs SET status = 'queued', attempts = 0, error = NULL,"
                        " message_id = NULL, updated_at = ? WHERE id = ?",
                        (stamp, job_id),
                    )
            job = _job(conn.execute(f"SELECT {_COLS} FROM jobs WHERE id = ?", (job_id,)).fetchone())
        return Submitted(job, created, send)

    def job(self, job_id: int) -> JobRecord:
        with self.db.reading() as conn:
            row = conn.execute(f"SELECT {_COLS} FROM jobs WHERE id = ?", (job_id,)).fetchone()
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
                "SELECT COUNT(*) FROM jobs WHERE status IN ('queued', 'running')"
            ).fetchone()
        return int(row[0])

    def job_counts(self) -> dict[str, int]:
        out = {s.value: 0 for s in JobStatus}
        with self.db.reading() as conn:
            for row in conn.execute("SELECT status, COUNT(*) FROM jobs GROUP BY status"):
                out[row[0]] = int(row[1])
        return out

    def queued_jobs(self) -> list[int]:
        """Jobs still waiting for a worker, oldest first (to send again after losing the queue)."""
        with self.db.reading() as conn:
            return [int(r[0]) for r in conn.execute("SELECT id FROM jobs WHERE status = 'queued'")]

    def claim_job(self, job_id: int, message_id: str, worker: str, max_attempts: int) -> Claim:
        """Take the job for the message `message_id`, or say why not.

        A job already running under the same message was taken by a worker that died (or
        whose attempt raised): it is taken again until `max_attempts` deliveries, then marked
        failed. A job running under another message is somebody else's.
        """
        stamp = now()
        with self.db.transaction() as conn:
            row = conn.execute(
                f"SELECT {_COLS}, message_id FROM jobs WHERE id = ?", (job_id,)
            ).fetchone()
            if row is None:
                return Claim(None, f"no job {job_id}")
            if row["status"] in (JobStatus.DONE, JobStatus.FAILED):
                return Claim(None, f"job {job_id} is already {row['status']}")
            if row["status"] == JobStatus.RUNNING and row["message_id"] != message_id:
                return Claim(None, f"job {job_id} is in work under another message")
            if row["attempts"] >= max_attempts:
                error = (
                    f"{row['name']}: a worker died while processing it, {row['attempts']} times "
                    "(out of memory, or a crash in a reader); upload it again to retry"
                )
                conn.execute(
                    "UPDATE jobs SET status = 'failed', error = ?, updated_at = ? WHERE id = ?",
                    (error, stamp, job_id),
                )
                return Claim(None, error)
            conn.execute(
                "UPDATE jobs SET status = 'running', attempts = attempts + 1, worker = ?,"
                " message_id = ?, updated_at = ? WHERE id = ?",
                (worker, message_id, stamp, job_id),
            )
            row = conn.execute(f"SELECT {_COLS} FROM jobs WHERE id = ?", (job_id,)).fetchone()
        return Claim(_job(row), "")

    def finish_job(
        self, job_id: int, message_id: str, status: JobStatus, error: str | None
    ) -> bool:
        """Close the job this message holds; False when it no longer holds it."""
        with self.db.transaction() as conn:
            cur = conn.execute(
                "UPDATE jobs SET status = ?, error = ?, updated_at = ?,"
                " report_id = (SELECT id FROM reports WHERE content_hash = jobs.content_hash)"
                " WHERE id = ? AND message_id = ? AND status = 'running'",
                (status.value, error, now(), job_id, message_id),
            )
            return cur.rowcount == 1
