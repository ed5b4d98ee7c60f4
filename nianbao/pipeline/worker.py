"""Processing one file, in whichever worker runs it: read, extract with each backend, assess.

Returns a picklable `Outcome` or `Failure`; never raises for a bad file, so one bad file never
stops a run. The extractors are built once per worker (process or thread pool).
"""

from __future__ import annotations

import dataclasses
import time
import traceback
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from extractor.base import BackendError, Extractor, ExtractorError, SourceError
from extractor.registry import get_extractor
from nianbao.pipeline.assess import assess
from nianbao.store.types import Outcome, SourceInfo

FATAL = "fatal"  # the backend cannot work at all: the run stops, nothing is recorded


@dataclass(frozen=True)
class Failure:
    source: SourceInfo
    error: str
    kind: str  # source | backend | internal | fatal
    seconds: float = 0.0


_EXTRACTORS: dict[str, Extractor] = {}


def backend_names(backend: str) -> tuple[str, ...]:
    return ("parser", "llm") if backend == "both" else (backend,)


def build_extractors(backend: str, options: dict[str, dict[str, Any]] | None = None) -> None:
    """Build this worker's extractors (the process pool's initializer)."""
    options = options or {}
    for name in backend_names(backend):
        if name not in _EXTRACTORS:
            _EXTRACTORS[name] = get_extractor(name, **options.get(name, {}))


def reset_extractors() -> None:
    """Forget (and close) this process's extractors: a new run reads its settings afresh."""
    while _EXTRACTORS:
        _, ex = _EXTRACTORS.popitem()
        close = getattr(ex, "close", None)
        if callable(close):
            close()


def extractors(backend: str) -> dict[str, Extractor]:
    build_extractors(backend)
    return {name: _EXTRACTORS[name] for name in backend_names(backend)}


def process(path: Path, source: SourceInfo, backend: str) -> Outcome | Failure:
    """Read and extract one file; every error becomes a `Failure` with a one-line reason."""
    from extractor.readers import read_document

    started = time.perf_counter()
    try:
        doc = read_document(path)
        source = dataclasses.replace(source, text=doc.text, media=doc.media)
        readings = {name: ex.extract(doc) for name, ex in extractors(backend).items()}
        return assess(source, readings, seconds=time.perf_counter() - started)
    except BackendError as exc:  # bad key, unreachable endpoint: every report would fail
        return Failure(source, str(exc), FATAL, time.perf_counter() - started)
    except SourceError as exc:  # the file itself: it would fail again
        return Failure(source, str(exc), "source", time.perf_counter() - started)
    except ExtractorError as exc:  # this report's requests failed (retries exhausted): retry later
        return Failure(source, str(exc), "backend", time.perf_counter() - started)
    except Exception as exc:  # a bug in a backend must not stop the other 999 reports
        where = traceback.extract_tb(exc.__traceback__)[-1]
        error = (
            f"{path.name}: internal error {exc.__class__.__name__}: {exc} "
            f"({Path(where.filename).name}:{where.lineno})"
        )
        return Failure(source, error, "internal", time.perf_counter() - started)
