"""`nianbao run --batch`: the LLM's requests through the provider's batch interface.

Every report goes through the ordinary worker (`process`: read, extract, assess), with the
LLM client in batch mode: answers come from the batches collected so far, and the first
request a report has no answer for is captured (`Deferred`) instead of sent. The captured
requests of all reports go out as one batch; when it is done its answers are stored and
every waiting report is replayed from the start. A replay makes the same requests in the
same order, so a report either finishes (stored exactly as the synchronous path stores it:
same parsing, grounding, row proof, re-asks, verdict) or asks its next question, which
goes into the next batch: validation and identity re-asks are further batch rounds.

Resume: batches are recorded with their lines as soon as the provider accepts them; a run
first collects this configuration's open batches (polling them), so a restarted run never
submits the same requests again, and reports already stored are skipped as in any run.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

from extractor.llm.batch import BatchClient, Line, jsonl, read_results
from extractor.llm.batchbook import BatchBook
from nianbao.core.errors import BackendError, UserError
from nianbao.pipeline import interrupts
from nianbao.pipeline.budget import Budget
from nianbao.pipeline.files import iter_sources
from nianbao.pipeline.runner import (
    PROGRESS_EVERY,
    RunStats,
    _unreadable_hash,
    configuration,
    fingerprint,
    store_result,
)
from nianbao.pipeline.worker import (
    DEFERRED,
    FATAL,
    Failure,
    extractors,
    process,
    reset_extractors,
)
from nianbao.store import BatchLine, BatchRecord, SourceInfo, Store
from nianbao.store.runlock import store_run_lock

Todo = tuple[Path, SourceInfo]


def chunks(lines: list[BatchLine], max_lines: int, max_mb: float) -> Iterator[list[BatchLine]]:
    """The lines cut into batches of at most `max_lines` lines and `max_mb` MB of input
    file (OpenAI: 50,000 requests and 200 MB per batch)."""
    limit = max_mb * 1_000_000
    chunk: list[BatchLine] = []
    size = 0
    for line in lines:
        n = len(jsonl([Line(line.custom_id, line.request_key, line.request)]))
        if chunk and (len(chunk) >= max_lines or size + n > limit):
            yield chunk
            chunk, size = [], 0
        chunk.append(line)
        size += n
    if chunk:
        yield chunk


def run_batch(
    store: Store,
    files: Sequence[Path],
    backend: str = "llm",
    progress: Callable[[int], None] | None = None,
    budget: Budget | None = None,
    retry_failed: bool = False,
    notify: Callable[[str], None] | None = None,
) -> RunStats:
    """Process `files` into `store` with the LLM's requests sent as provider batches;
    `notify` hears a line when a batch is submitted, resumed and collected."""
    if backend == "parser":
        raise UserError(
            "--batch sends the LLM's requests: use it with --backend llm, both or targeted"
        )
    with store_run_lock(store.db):
        store.close_killed_runs()
        return _BatchRun(store, backend, progress, budget, notify).run(files, retry_failed)


class _BatchRun:
    def __init__(
        self,
        store: Store,
        backend: str,
        progress: Callable[[int], None] | None,
        budget: Budget | None,
        notify: Callable[[str], None] | None = None,
    ) -> None:
        self.store, self.backend, self.budget = store, backend, budget
        self.tick = progress or (lambda _n: None)
        self.say = notify or (lambda _line: None)
        reset_extractors()
        self.llm: Any = extractors(backend)["llm"]  # a missing key stops here, before any record
        config = configuration(backend)
        self.fp = fingerprint(config)  # the synchronous run's: a report done either way is done
        self.stats = RunStats(run_id=store.begin_run(backend, self.fp, {**config, "batch": True}))
        self.copies: list[SourceInfo] = []  # content met twice: its path noted once stored
        self.book = BatchBook(store.batch_answers(self.fp))
        self.client = BatchClient(self.llm.endpoint)
        self.started = time.perf_counter()

    def run(self, files: Sequence[Path], retry_failed: bool) -> RunStats:
        self.stats.n_files = len(files)
        self.llm.endpoint.batch = self.book
        status = "interrupted"
        try:
            with interrupts.watched():
                for record in self.store.open_batches(self.fp):  # a killed run's batches
                    self.say(f"resuming batch {record.batch_id} ({record.n_requests} requests)")
                    self._collect(record)
                todo = list(self._todo(files, retry_failed))
                rounds = 0
                while todo:
                    waiting = self._replay(todo)
                    if not waiting:
                        break
                    if rounds >= self.llm.cfg.batch_rounds:
                        self._give_up(waiting, rounds)
                        break
                    rounds += 1
                    for record in self._submit(waiting, rounds):  # all out, then wait
                        self._collect(record)
                    todo = [(path, source) for path, source, _ in waiting]
                for source in self.copies:
                    self.store.note_path(source)
                status = "ok" if self.stats.ok else "partial"
        finally:
            self.llm.endpoint.batch = None
            self.stats.seconds = time.perf_counter() - self.started
            self.store.update_run(self.stats.run_id, self.stats.totals(), status=status)
        return self.stats

    # -- reports ------------------------------------------------------------------------------
    def _todo(self, files: Sequence[Path], retry_failed: bool) -> Iterator[Todo]:
        """The files to do, as `nianbao run` picks them: a copy of content met earlier in
        this run once, an unreadable file recorded, content done before skipped."""
        seen: set[str] = set()
        for path, source in iter_sources(files):
            if isinstance(source, str):
                info = SourceInfo(str(path), path.name, _unreadable_hash(path), "unknown", 0)
                store_result(self.store, self.stats, self.fp, Failure(info, source, "source"))
                self.tick(1)
            elif source.content_hash in seen:
                self.copies.append(source)
                self.stats.n_skipped += 1
                self.tick(1)
            elif (before := self.store.done_before(source, self.fp, retry_failed)) is not None:
                self.stats.n_skipped += 1
                if before[0] == "failed":
                    self.stats.n_failed_before += 1
                    self.stats.note_failure(f"{before[1]} (earlier run)")
                self.tick(1)
            else:
                seen.add(source.content_hash)
                yield path, source

    def _replay(self, todo: list[Todo]) -> list[tuple[Path, SourceInfo, tuple[str, Any]]]:
        """Run every report on the answers known so far: store the finished ones, return
        the others with the request each waits for."""
        waiting = []
        for path, source in todo:
            result = process(path, source, self.backend, self.budget)
            if isinstance(result, Failure) and result.kind == DEFERRED and result.deferred:
                waiting.append((path, source, result.deferred))
                continue
            if isinstance(result, Failure) and result.kind == FATAL:
                raise BackendError(result.error)
            store_result(self.store, self.stats, self.fp, result)
            self.tick(1)
            if (self.stats.n_done + self.stats.n_failed) % PROGRESS_EVERY == 0:
                self.stats.seconds = time.perf_counter() - self.started
                self.store.update_run(self.stats.run_id, self.stats.totals())
        return waiting

    def _give_up(self, waiting: list[tuple[Path, SourceInfo, Any]], rounds: int) -> None:
        for path, source, _ in waiting:
            error = (
                f"{path.name}: still waiting for an answer after {rounds} batches "
                "(batch_rounds); the next run goes on"
            )
            store_result(self.store, self.stats, self.fp, Failure(source, error, "backend"))
            self.tick(1)

    # -- batches ------------------------------------------------------------------------------
    def _submit(
        self, waiting: list[tuple[Path, SourceInfo, tuple[str, Any]]], round_no: int
    ) -> list[BatchRecord]:
        """The requests the reports wait for (each distinct request once) as batches within
        the provider's limits, each recorded with its custom_id -> report map as soon as the
        provider accepted it."""
        lines: list[BatchLine] = []
        keys: set[str] = set()
        for _path, source, (key, request) in waiting:
            if key in keys:
                continue  # the same request for the same content: one line answers both
            keys.add(key)
            custom_id = f"r{round_no}-{len(lines) + 1}-{key[:16]}"
            lines.append(BatchLine(custom_id, source.content_hash, source.path, key, request))
        records = []
        cfg = self.llm.cfg
        for part, chunk in enumerate(chunks(lines, cfg.batch_max_lines, cfg.batch_max_mb), 1):
            name = f"nianbao-{self.stats.run_id}-round{round_no}-{part}.jsonl"
            input_id, batch_id = self.client.submit(
                [Line(x.custom_id, x.request_key, x.request) for x in chunk], name
            )
            ident = self.store.record_batch(
                batch_id, input_id, self.fp, self.stats.run_id, round_no, chunk
            )
            records.append(BatchRecord(ident, batch_id, round_no, "validating", len(chunk)))
            self.say(
                f"batch {batch_id} submitted: {len(chunk)} requests (round {round_no}); "
                "waiting for the provider (if stopped, run the same command to resume)"
            )
        return records

    def _collect(self, record: BatchRecord) -> None:
        """Poll the batch until it is final, then store every line's answer or error and
        take them into the book. Lines with no answer (an expired, cancelled or failed
        batch) get the batch's status as their reason: their reports fail, retryable."""
        last = [record.status]

        def note(state: Any) -> None:
            if state.status != last[0]:
                last[0] = state.status
                self.store.note_batch_status(record.id, state.status)

        state = self.client.wait(record.batch_id, note)
        results = read_results(
            self.client.download(state.output_file_id), self.client.download(state.error_file_id)
        )
        lines = self.store.batch_custom_ids(record.id)
        missing = f"batch {state.batch_id_short} {state.status}: no answer for this request"
        if state.errors:
            missing += f" ({state.errors})"
        outcome: dict[str, tuple[dict[str, Any] | None, str | None]] = {}
        for custom_id, key in lines.items():
            got = results.get(custom_id)
            body, error = (got.body, got.error) if got is not None else (None, missing)
            outcome[custom_id] = (body, error)
            self.book.add(key, body, error)
        answered = sum(1 for body, _ in outcome.values() if body is not None)
        self.say(f"batch {record.batch_id} {state.status}: {answered}/{len(outcome)} answered")
        self.store.collect_batch(
            record.id,
            outcome,
            (state.status, state.output_file_id, state.error_file_id, state.errors),
        )
