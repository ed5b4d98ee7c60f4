"""Processing one file, in whichever worker runs it: read, extract with each backend, assess.

Returns a picklable `Outcome` or `Failure`; never raises for a bad file, so one bad file never
stops a run. The extractors are built once per worker (process or thread pool).
"""

from __future__ import annotations

import dataclasses
import signal
import threading
import time
import traceback
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from extractor.base import Extractor
from extractor.damage import mark_damage
from extractor.registry import get_extractor
from nianbao.core.document import SourceDocument
from nianbao.core.errors import BackendError, Deferred, ExtractorError, SourceError
from nianbao.core.limits import CircuitOpen, DeadlineExceeded, deadline
from nianbao.core.models import Extraction
from nianbao.pipeline import interrupts
from nianbao.pipeline.assess import assess
from nianbao.pipeline.budget import Budget, ChildFailed, OverBudget, bounded, die_with_parent
from nianbao.store.types import Outcome, SourceInfo
from rules.verdict import verdict

FATAL = "fatal"  # the backend cannot work at all: the run stops, nothing is recorded
NOT_DONE = "not_done"  # not asked: the endpoint's circuit is open; the next run does it
DEFERRED = "deferred"  # batch mode: waits for a batch answer to `deferred` (never stored)


@dataclass(frozen=True)
class Failure:
    source: SourceInfo
    error: str
    kind: str  # source | backend | internal | fatal | not_done
    seconds: float = 0.0
    usage: dict[str, float] = field(default_factory=dict)  # what the failed requests cost
    deferred: tuple[str, dict[str, Any]] | None = None  # (request digest, request body)


_EXTRACTORS: dict[str, Extractor] = {}


def backend_names(backend: str) -> tuple[str, ...]:
    return ("parser", "llm") if backend in ("both", "targeted") else (backend,)


def build_extractors(backend: str, options: dict[str, dict[str, Any]] | None = None) -> None:
    """Build this worker's extractors (the process pool's initializer)."""
    options = options or {}
    for name in backend_names(backend):
        if name not in _EXTRACTORS:
            _EXTRACTORS[name] = get_extractor(name, **options.get(name, {}))


def init_worker(backend: str, parent: int) -> None:
    """A pool worker's start: die with the run (no orphans after a SIGKILL), build extractors."""
    die_with_parent(parent)
    build_extractors(backend)


def reset_extractors() -> None:
    """Forget (and close) this process's extractors: a new run reads its settings afresh."""
    while _EXTRACTORS:
        _, ex = _EXTRACTORS.popitem()
        close = getattr(ex, "close", None)
        if callable(close):
            close()


def cancel_extractors() -> None:
    """Stop every request this process's extractors have in flight or would send (Ctrl-C)."""
    for ex in list(_EXTRACTORS.values()):
        cancel = getattr(ex, "cancel", None)
        if callable(cancel):
            cancel()


def unavailable(backend: str) -> str | None:
    """Why a backend of this run must not be asked now (its circuit is open), else None."""
    for ex in extractors(backend).values():
        check = getattr(ex, "unavailable", None)
        if callable(check) and (why := check()) is not None:
            return str(why)
    return None


def extractors(backend: str) -> dict[str, Extractor]:
    build_extractors(backend)
    return {name: _EXTRACTORS[name] for name in backend_names(backend)}


def targeted_readings(
    doc: SourceDocument, backends: dict[str, Extractor], parser: Extraction | None = None
) -> dict[str, Extraction]:
    """The parser first (unless already read); the LLM only about the rows holding the cells
    the parser and the rule engine flag (whole rows, so the model reads a row's sum with its
    parts)."""
    if parser is None:
        parser = backends["parser"].extract(doc)
    flagged = verdict(parser, doc.text).flags
    if not flagged:
        return {"parser": parser}
    rows = {key.rsplit(".", 1)[0] for key in flagged}
    keys = [k for k in parser.report.layout.keys if k.rsplit(".", 1)[0] in rows]
    # the reading carries its scope: reconcile and the store treat the rest as unasked
    llm = backends["llm"].reextract(doc, parser, keys)  # type: ignore[attr-defined]
    return {"parser": parser, "llm": llm}


class FileTimeout(DeadlineExceeded):
    """One file took longer than the run's per-file limit (SIGALRM). A DeadlineExceeded, so
    the LLM client never retries it when it strikes inside a request."""


@contextmanager
def time_limit(seconds: float | None) -> Iterator[None]:
    """Raise FileTimeout in this thread after `seconds` (main thread only: SIGALRM).

    The parser runs in a process's main thread (in the CLI or a pool worker), so a report
    that sends it into a pathological search is cut off; LLM threads rely on the client's
    own request timeouts instead.
    """
    if not seconds or threading.current_thread() is not threading.main_thread():
        yield
        return

    def expire(_signum: int, _frame: object) -> None:
        raise FileTimeout

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def process(
    path: Path, source: SourceInfo, backend: str, timeout: float | Budget | None = None
) -> Outcome | Failure:
    """Read and extract one file; every error becomes a `Failure` with a one-line reason.

    With a `Budget`, reading and parsing run in a child process held to it (see
    nianbao.pipeline.budget); a bare number is the old in-process limit in seconds."""
    started = time.perf_counter()
    if (why := unavailable(backend)) is not None:
        return Failure(source, f"{path.name}: {why}", NOT_DONE)
    if isinstance(timeout, Budget):
        # reading and parsing run in a child held to the budget; the LLM's requests, in this
        # thread, are held to the same seconds by the deadline (whatever --jobs is)
        with deadline(timeout.seconds):
            return _process(path, source, backend, started, timeout)
    try:
        # the deadline bounds every request of this thread (any --jobs); SIGALRM bounds the
        # parser where it runs in a main thread
        with deadline(timeout), time_limit(timeout):
            return _process(path, source, backend, started)
    except FileTimeout:
        return Failure(
            source,
            f"{path.name}: gave up after {timeout:g}s (the next run tries again)",
            "internal",
            time.perf_counter() - started,
        )


def read_and_parse(
    path: Path, backend: str, max_bytes: int | None = None
) -> tuple[SourceDocument, int, Extraction | None]:
    """The untrusted part of a file's work: read its bytes once, decode them, and run the
    parser when the backend uses it. (document, size in bytes, parser reading or None)."""
    from extractor.readers import MAX_BYTES, document_from_bytes, read_bytes

    raw = read_bytes(path, MAX_BYTES if max_bytes is None else max_bytes)
    doc = document_from_bytes(path, raw)
    if "parser" not in backend_names(backend):
        return doc, len(raw), None
    return doc, len(raw), extractors("parser")["parser"].extract(doc)


def _process(
    path: Path, source: SourceInfo, backend: str, started: float, budget: Budget | None = None
) -> Outcome | Failure:
    try:
        if budget is None:
            doc, size, parser = read_and_parse(path, backend)
        else:
            try:
                (doc, size, parser), _spent = bounded(
                    read_and_parse, (path, backend, budget.max_bytes), budget
                )
            except ChildFailed as exc:
                if isinstance(exc.error, ExtractorError):
                    raise exc.error from None
                error = f"{path.name}: internal error {exc.line}"
                return Failure(source, error, "internal", time.perf_counter() - started)
        # The hash and the text come from the same bytes, read once: a file replaced since
        # it was hashed for the skip check is stored as what was read.
        source = dataclasses.replace(
            source, text=doc.text, media=doc.media, content_hash=doc.sha256, size_bytes=size
        )
        backends = extractors(backend)
        if backend == "targeted":
            readings = targeted_readings(doc, backends, parser)
        else:
            readings = {
                name: parser if name == "parser" and parser is not None else ex.extract(doc)
                for name, ex in backends.items()
            }
        for reading in readings.values():  # a cell on a line with replaced bytes needs a look
            mark_damage(doc, reading)
        return assess(source, readings, seconds=time.perf_counter() - started)
    except OverBudget as exc:  # the file itself: it would cost as much again
        return Failure(source, f"{path.name}: {exc}", "source", time.perf_counter() - started)
    except BackendError as exc:  # bad key, unreachable endpoint: every report would fail
        return Failure(source, str(exc), FATAL, time.perf_counter() - started)
    except SourceError as exc:  # the file itself: it would fail again
        return Failure(source, str(exc), "source", time.perf_counter() - started)
    except FileTimeout:
        raise
    except Deferred as exc:  # batch mode: the next request goes into the next batch
        return Failure(
            source, str(exc), DEFERRED, time.perf_counter() - started, {}, (exc.key, exc.request)
        )
    except CircuitOpen as exc:  # the endpoint keeps failing: not done, the next run does it
        usage = getattr(exc, "usage", {})
        return Failure(source, str(exc), NOT_DONE, time.perf_counter() - started, usage)
    except ExtractorError as exc:  # this report's requests failed (retries exhausted): retry later
        usage = getattr(exc, "usage", {})
        return Failure(source, str(exc), "backend", time.perf_counter() - started, usage)
    except Exception as exc:  # a bug in a backend must not stop the other 999 reports
        if interrupts.requested():  # Ctrl-C that a library wrapped in an error of its own
            raise KeyboardInterrupt from exc
        where = traceback.extract_tb(exc.__traceback__)[-1]
        error = (
            f"{path.name}: internal error {exc.__class__.__name__}: {exc} "
            f"({Path(where.filename).name}:{where.lineno})"
        )
        return Failure(source, error, "internal", time.perf_counter() - started)
