"""What a worker does with one job: the pipeline's per-file function, then the store.

The same `process` and `store_result` that `nianbao run` uses, so an uploaded report gets
exactly the values a run of the same file would. Each worker process keeps one store, one
run row (its totals) and the pipeline's extractors.
"""

from __future__ import annotations

import dataclasses
import logging
import os
import socket
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from dramatiq.middleware import CurrentMessage
from dramatiq.middleware.time_limit import TimeLimitExceeded

from nianbao.pipeline.files import hashed
from nianbao.pipeline.runner import (
    PROGRESS_EVERY,
    RunStats,
    configuration,
    fingerprint,
    store_result,
)
from nianbao.pipeline.worker import FATAL, Failure, process, reset_extractors
from nianbao.service.settings import Settings
from nianbao.store import JobRecord, JobStatus, SourceInfo, Store, open_store

log = logging.getLogger("nianbao.worker")

MAX_ATTEMPTS = 2  # the first delivery, and one more after a worker died holding the job
WORKER = f"{socket.gethostname()}:{os.getpid()}"


@dataclass
class Context:
    """One worker process's state: its store, its run and the run's totals."""

    settings: Settings
    store: Store
    fingerprint: str
    stats: RunStats
    started: float = field(default_factory=time.perf_counter)
    lock: threading.Lock = field(default_factory=threading.Lock)


_CONTEXT: Context | None = None


def start(settings: Settings) -> Context:
    """Open the store and begin this worker's run (its row holds the worker's totals)."""
    global _CONTEXT
    store = open_store(settings.db)
    reset_extractors()
    config = configuration(settings.backend)
    fp = fingerprint(config)
    config["service_worker"] = WORKER
    run_id = store.begin_run(settings.backend, fp, config)
    _CONTEXT = Context(settings, store, fp, RunStats(run_id=run_id))
    return _CONTEXT


def stop(ctx: Context) -> None:
    """Close the worker's run with its totals."""
    global _CONTEXT
    with ctx.lock:
        ctx.stats.seconds = time.perf_counter() - ctx.started
        status = "ok" if ctx.stats.ok else "partial"
        ctx.store.update_run(ctx.stats.run_id, ctx.stats.totals(), status=status)
    ctx.store.close()
    _CONTEXT = None


def process_job(job_id: int) -> None:
    """The actor: take the job (unless it is done or somebody else's), run it, close it."""
    ctx = _CONTEXT
    if ctx is None:
        raise RuntimeError("nianbao worker: tasks.start() was not called in this process")
    message = CurrentMessage.get_current_message()
    message_id = message.message_id if message is not None else f"direct-{job_id}"
    claim = ctx.store.claim_job(job_id, message_id, WORKER, MAX_ATTEMPTS)
    if claim.job is None:
        log.info("job %s: skipped (%s)", job_id, claim.reason)
        return
    job = claim.job
    log.info("job %s: %s, attempt %s", job.id, job.name, job.attempts)
    try:
        status, error = run_job(ctx, job)
    except TimeLimitExceeded:  # dramatiq's limit; the pipeline's own only works in a main thread
        error = f"{job.name}: gave up after {ctx.settings.job_timeout:g}s"
        source = SourceInfo(f"upload:{job.content_hash}", job.name, job.content_hash, "", 0)
        _record(ctx, Failure(source, error, "internal", ctx.settings.job_timeout))
        status = JobStatus.FAILED
    if not ctx.store.finish_job(job.id, message_id, status, error):
        log.warning("job %s: was taken over by another delivery; its result stands", job.id)
    log.info("job %s: %s%s", job.id, status.value, f" ({error})" if error else "")


def run_job(ctx: Context, job: JobRecord) -> tuple[JobStatus, str | None]:
    """Read the upload from the store into a private folder, named by its hash, and process it."""
    with tempfile.TemporaryDirectory(prefix="nianbao-job-") as folder:
        path = Path(folder) / f"{job.content_hash}{job.suffix}"
        path.write_bytes(ctx.store.job_body(job.id))
        found = hashed(path)
        if found.content_hash != job.content_hash:  # the store handed back other bytes
            raise RuntimeError(f"job {job.id}: stored upload does not match its hash")
        source = dataclasses.replace(found, path=f"upload:{job.content_hash}", name=job.name)
        before = ctx.store.done_before(source, ctx.fingerprint)
        if before is not None:  # stored already (by a worker that died before closing the job)
            return (
                (JobStatus.FAILED, before[1]) if before[0] == "failed" else (JobStatus.DONE, None)
            )
        result = process(path, source, ctx.settings.backend, ctx.settings.job_timeout)
    if isinstance(result, Failure) and result.kind == FATAL:
        return JobStatus.FAILED, result.error  # the backend cannot work: nothing to store
    _record(ctx, result)
    if isinstance(result, Failure):
        return JobStatus.FAILED, result.error
    return JobStatus.DONE, None


def _record(ctx: Context, result: object) -> None:
    with ctx.lock:  # the totals are shared by the worker's threads
        store_result(ctx.store, ctx.stats, ctx.fingerprint, result)  # type: ignore[arg-type]
        if (ctx.stats.n_done + ctx.stats.n_failed) % PROGRESS_EVERY == 0:
            ctx.stats.seconds = time.perf_counter() - ctx.started
            ctx.store.update_run(ctx.stats.run_id, ctx.stats.totals())
