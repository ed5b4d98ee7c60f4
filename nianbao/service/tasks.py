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
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

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
from nianbao.store import JobRecord, JobStatus, LostClaim, SourceInfo, Store, open_store

log = logging.getLogger("nianbao.worker")

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
    actor: Any = None  # the bound dramatiq actor: to send a job's delivery again later


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
    """The actor: claim the job (the store's claim decides, not the message), run it while
    keeping its lease alive, close it."""
    ctx = _CONTEXT
    if ctx is None:
        raise RuntimeError("nianbao worker: tasks.start() was not called in this process")
    claim = ctx.store.take_job(job_id, WORKER, lease_seconds=ctx.settings.lease_seconds)
    if claim.job is None:
        if claim.look_again_at is not None:  # another worker holds it: it may yet die
            _look_again(ctx, job_id, claim.look_again_at)
        log.info("job %s: not taken (%s)", job_id, claim.reason)
        return
    job = claim.job
    log.info("job %s: %s, attempt %s", job.id, job.name, job.attempts)
    with Lease(ctx, job.id) as lease:
        try:
            status, error = run_job(ctx, job)
        except TimeLimitExceeded:  # dramatiq's limit; the pipeline's own needs a main thread
            error = f"{job.name}: gave up after {ctx.settings.job_timeout:g}s"
            source = SourceInfo(f"upload:{job.content_hash}", job.name, job.content_hash, "", 0)
            _record(ctx, Failure(source, error, "internal", ctx.settings.job_timeout))
            status = JobStatus.FAILED
        except BaseException:
            lease.give_up()  # the retry (queue's Retries) may claim it at once
            raise
    if not ctx.store.finish_job(job.id, WORKER, error if status == JobStatus.FAILED else None):
        log.warning("job %s: its lease ran out and another worker took it over", job.id)
    log.info("job %s: %s%s", job.id, status.value, f" ({error})" if error else "")


class Lease:
    """Renews the claim on a job every quarter lease while the report is worked on: a live
    worker keeps it, a killed one lets it run out, and the job goes to the next delivery."""

    def __init__(self, ctx: Context, job_id: int) -> None:
        self.ctx, self.job_id = ctx, job_id
        self.done = threading.Event()
        self.thread = threading.Thread(target=self._keep, name=f"lease-{job_id}", daemon=True)

    def __enter__(self) -> Lease:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.done.set()
        self.thread.join()

    def _keep(self) -> None:
        seconds = self.ctx.settings.lease_seconds
        while not self.done.wait(seconds / 4):
            try:
                self.ctx.store.renew_job(self.job_id, WORKER, seconds)
            except LostClaim as exc:
                log.warning("job %s: %s", self.job_id, exc)
                return
            except Exception as exc:  # the store is unreachable now: try again next time
                log.warning("job %s: lease not renewed (%s)", self.job_id, exc)

    def give_up(self) -> None:
        self.done.set()
        try:
            self.ctx.store.expire_job(self.job_id, WORKER)
        except Exception as exc:  # unreachable store: the lease runs out on its own
            log.warning("job %s: lease not given up (%s)", self.job_id, exc)


def _look_again(ctx: Context, job_id: int, moment: str) -> None:
    """A new message for the job, delivered when the holder's lease ends (plus a second)."""
    wait = (datetime.fromisoformat(moment) - datetime.now(UTC)).total_seconds() + 1.0
    delay_ms = int(min(max(wait, 0.5), ctx.settings.lease_seconds + 1.0) * 1000)
    if ctx.actor is not None:
        ctx.actor.send_with_options(args=(job_id,), delay=delay_ms)


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
