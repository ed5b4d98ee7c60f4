"""A bulk run: many files through the backends into the store, resumable and fault tolerant.

Workers (processes for the CPU-bound parser, threads when the I/O-bound LLM is involved)
extract; the calling thread is the only writer, storing each report in its own transaction
as soon as it is done. At most a few reports are in flight, so memory stays flat however
many files there are.
"""

from __future__ import annotations

import hashlib
import json
import multiprocessing
import os
import time
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import (
    FIRST_COMPLETED,
    Executor,
    Future,
    ProcessPoolExecutor,
    ThreadPoolExecutor,
    wait,
)
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from nianbao.core.errors import BackendError
from nianbao.core.models import SCHEMA_VERSION
from nianbao.pipeline import interrupts, reconcile
from nianbao.pipeline.budget import Budget
from nianbao.pipeline.files import iter_sources
from nianbao.pipeline.worker import (
    FATAL,
    Failure,
    cancel_extractors,
    extractors,
    init_worker,
    process,
    reset_extractors,
)
from nianbao.store import Outcome, SourceInfo, Store
from nianbao.store.db import interrupts_deferred
from nianbao.store.runlock import run_lock
from nianbao.store.writer import RUN_TOTALS

PROGRESS_EVERY = 25  # store the run's totals every so many reports
KEEP_FAILURES = 50  # failure reasons kept for the summary (the store keeps all)
DEFAULT_TIMEOUT = 300.0  # seconds per file: the parser takes milliseconds, a hang forever


@dataclass
class RunStats:
    """What one run did; also stored on its `runs` row."""

    run_id: int = 0
    n_files: int = 0
    n_done: int = 0
    n_skipped: int = 0
    n_failed: int = 0
    n_failed_before: int = 0  # skipped because an earlier run found the file itself bad
    statuses: Counter[str] = field(default_factory=Counter)
    failures: list[str] = field(default_factory=list)
    llm_calls: int = 0
    cached_calls: int = 0
    input_tokens: int = 0
    output_tokens: int = 0
    cost_usd: float = 0.0
    seconds: float = 0.0

    def totals(self) -> dict[str, float]:
        return {k: getattr(self, k) for k in RUN_TOTALS}

    def note_failure(self, error: str) -> None:
        """Keep the first reasons for the summary (the store keeps every one)."""
        if len(self.failures) < KEEP_FAILURES:
            self.failures.append(error)

    @property
    def ok(self) -> bool:
        return self.n_failed == 0 and self.n_failed_before == 0


def configuration(backend: str) -> dict[str, Any]:
    """Everything that changes the result: backend versions, model, schema, reconciliation."""
    config: dict[str, Any] = {
        "backend": backend,
        "schema_version": SCHEMA_VERSION,
        "reconcile": reconcile.VERSION,
    }
    for name, ex in extractors(backend).items():
        config[f"{name}_version"] = ex.version
        settings = getattr(ex, "cfg", ex)  # the LLM keeps its settings in `cfg`
        for attr in ("model", "prompt_version", "temperature"):
            value = getattr(settings, attr, None)
            if value is not None:
                config[attr] = str(value)
    return config


def fingerprint(config: dict[str, Any]) -> str:
    blob = json.dumps(config, sort_keys=True, ensure_ascii=False).encode("utf-8")
    return hashlib.sha256(blob).hexdigest()[:16]


def _executor(backend: str, jobs: int) -> Executor | None:
    if jobs <= 1:
        return None
    if backend == "parser":
        # The parser is pure Python and CPU-bound: processes, each with its own parser.
        # Spawned, not forked: a fork of a process that runs threads (tqdm's monitor, a dead
        # pool's feeder) can inherit a held lock and hang forever; a rebuilt pool after a
        # killed worker did exactly that.
        cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else 1
        return ProcessPoolExecutor(
            jobs,
            mp_context=multiprocessing.get_context("spawn"),
            initializer=_init_worker,
            initargs=(backend, max(1, cores // jobs), os.getpid()),
        )
    # The LLM waits on the network: threads are enough and share one HTTP client and cache.
    return ThreadPoolExecutor(jobs)


def _init_worker(backend: str, ocr_threads: int, parent: int) -> None:
    """A worker process: its share of the cores for OCR (jobs x threads never exceeds the
    cores, or onnxruntime's pools fight each other), then the usual worker start."""
    os.environ.setdefault("NIANBAO_OCR_THREADS", str(ocr_threads))
    init_worker(backend, parent)


class _Pool:
    """The worker pool, rebuilt if a worker process dies (killed for memory, a crash in a
    reader). The files in flight then (at most 2 x jobs) are recorded as failed, kind
    "internal", so the next run retries them; the run goes on with a fresh pool."""

    def __init__(self, backend: str, jobs: int, timeout: float | Budget | None) -> None:
        self.backend, self.jobs, self.timeout = backend, jobs, timeout
        self.executor = _executor(backend, jobs)

    def shutdown(self, wait_for_workers: bool) -> None:
        if self.executor is not None:
            self.executor.shutdown(wait=wait_for_workers, cancel_futures=True)

    def results(self, todo: Iterator[tuple[Path, SourceInfo]]) -> Iterator[Outcome | Failure]:
        """Process files with at most 2 x jobs in flight, yielding each as it completes."""
        if self.executor is None:
            for path, source in todo:
                yield process(path, source, self.backend, self.timeout)
            return
        pending: dict[Future[Outcome | Failure], SourceInfo] = {}
        for path, source in todo:
            try:
                future = self.executor.submit(process, path, source, self.backend, self.timeout)
            except (BrokenProcessPool, OSError) as exc:
                # Broke since the last collection. Or it breaks during this very submit: the
                # executor starts a replacement worker inside submit, pickling the call queue
                # that the manager thread is closing because it found the dead one (CPython
                # 3.11 raises "OSError: handle is closed" then). Either way: drain, rebuild.
                if isinstance(exc, OSError) and not _is_broken(self.executor):
                    raise
                while pending:
                    yield from self._collect(pending)
                self._rebuild()
                future = self.executor.submit(process, path, source, self.backend, self.timeout)
            pending[future] = source
            if len(pending) >= 2 * self.jobs:
                yield from self._collect(pending)
        while pending:
            yield from self._collect(pending)

    def _rebuild(self) -> None:
        # A broken pool can keep a worker blocked on a lock its dead sibling held (one it
        # spawned just as the other died), and its manager thread would wait for that worker
        # forever, holding up the interpreter's exit. Kill what is left of it (the list is
        # private to the executor and gone after shutdown, so taken first).
        leftovers = list((getattr(self.executor, "_processes", None) or {}).values())
        self.shutdown(wait_for_workers=False)
        for proc in leftovers:
            proc.kill()
        self.executor = _executor(self.backend, self.jobs)
        assert self.executor is not None

    def _collect(
        self, pending: dict[Future[Outcome | Failure], SourceInfo]
    ) -> Iterator[Outcome | Failure]:
        done, _ = wait(pending, return_when=FIRST_COMPLETED)
        broken = False
        for future in done:
            source = pending.pop(future)
            try:
                yield future.result()
            except BrokenProcessPool:
                broken = True
                yield Failure(
                    source,
                    f"{source.name}: a worker process died while this file was in work "
                    "(out of memory, or a crash in a reader); the next run retries it",
                    "internal",
                )
        if broken and not pending:
            self._rebuild()


def run(
    store: Store,
    files: Sequence[Path],
    backend: str = "parser",
    jobs: int = 1,
    progress: Callable[[int], None] | None = None,
    timeout: float | None = DEFAULT_TIMEOUT,
    budget: Budget | None = None,
    retry_failed: bool = False,
) -> RunStats:
    """Process `files` into `store`; already-done content with this configuration is skipped.

    Each file is read and parsed within `budget` (default: the defaults, with `timeout` as
    its wall-clock seconds; `timeout=None` and no budget: no limits, all in this process,
    for library callers and tests); a file over it is recorded as failed, kind source, and
    skipped by later runs unless `retry_failed`, as is any file that failed because of
    itself."""
    limits = budget if budget is not None else None if timeout is None else Budget(timeout)
    with run_lock(store.path):  # one run per store: no file is processed twice at once
        store.close_killed_runs()
        return _run(store, files, backend, jobs, progress, limits, retry_failed)


def _run(
    store: Store,
    files: Sequence[Path],
    backend: str,
    jobs: int,
    progress: Callable[[int], None] | None,
    limits: Budget | None,
    retry_failed: bool,
) -> RunStats:
    started = time.perf_counter()
    reset_extractors()
    config = configuration(backend)
    fp = fingerprint(config)
    stats = RunStats(run_id=store.begin_run(backend, fp, config), n_files=len(files))
    tick = progress or (lambda _n: None)

    copies: list[SourceInfo] = []  # content met twice in this run: processed once
    in_run: set[str] = set()

    def todo() -> Iterator[tuple[Path, SourceInfo]]:
        for path, source in iter_sources(files):
            if not isinstance(source, str) and source.content_hash in in_run:
                copies.append(source)
                stats.n_skipped += 1
                tick(1)
            elif isinstance(source, str):
                info = SourceInfo(str(path), path.name, _unreadable_hash(path), "unknown", 0)
                _store(store, stats, fp, Failure(info, source, "source"))
                tick(1)
            elif (before := store.done_before(source, fp, retry_failed)) is not None:
                stats.n_skipped += 1
                if before[0] == "failed":
                    stats.n_failed_before += 1
                    stats.note_failure(f"{before[1]} (earlier run)")
                tick(1)
            else:
                in_run.add(source.content_hash)
                yield path, source

    with interrupts.watched():
        pool = _Pool(backend, jobs, limits)
        status = "interrupted"
        try:
            for result in pool.results(todo()):
                if isinstance(result, Failure) and result.kind == FATAL:
                    raise BackendError(result.error)
                _store(store, stats, fp, result)
                tick(1)
                if (stats.n_done + stats.n_failed) % PROGRESS_EVERY == 0:
                    stats.seconds = time.perf_counter() - started
                    store.update_run(stats.run_id, stats.totals())
            for source in copies:
                store.note_path(source)
            status = "ok" if stats.ok else "partial"
        finally:
            if status == "interrupted":
                cancel_extractors()  # threads in flight send nothing more, their requests end
            pool.shutdown(wait_for_workers=status != "interrupted")
            stats.seconds = time.perf_counter() - started
            store.update_run(stats.run_id, stats.totals(), status=status)
    return stats


def _is_broken(executor: Executor) -> bool:
    """Whether a process pool has marked itself broken (a worker died). The flag is set
    before the pool closes its queues, so an OSError from them with it set is the breakage."""
    return bool(getattr(executor, "_broken", False))


def _unreadable_hash(path: Path) -> str:
    """A stable identity for a file whose bytes cannot be read: its path."""
    return "unreadable:" + hashlib.sha256(str(path).encode("utf-8")).hexdigest()


def _store(store: Store, stats: RunStats, fp: str, result: Outcome | Failure) -> None:
    # Ctrl-C waits until the report is stored AND counted: the run's totals match the store.
    with interrupts_deferred():
        _store_counted(store, stats, fp, result)


def _store_counted(store: Store, stats: RunStats, fp: str, result: Outcome | Failure) -> None:
    if isinstance(result, Failure):
        store.save_failure(
            stats.run_id, fp, result.source, result.error, result.kind, result.seconds
        )
        stats.n_failed += 1
        stats.statuses["failed"] += 1
        stats.note_failure(result.error)
        _count_usage(stats, result.usage)  # a failed report's answered requests were paid
        return
    store.save_outcome(stats.run_id, fp, result)
    stats.n_done += 1
    stats.statuses[result.status.value] += 1
    for reading in result.sources.values():
        _count_usage(stats, reading.usage)


def _count_usage(stats: RunStats, usage: dict[str, float]) -> None:
    stats.llm_calls += int(usage.get("calls", 0))
    stats.cached_calls += int(usage.get("cached_calls", 0))
    stats.input_tokens += int(usage.get("input_tokens", 0))
    stats.output_tokens += int(usage.get("output_tokens", 0))
    stats.cost_usd += float(usage.get("cost_usd", 0.0))


__all__ = ["RunStats", "configuration", "fingerprint", "run"]
