"""Many reports at once: N concurrent requests under one rate limit; failures recorded.

A report whose requests fail after their retries (or whose answers stay invalid) becomes a
failure with a one-line message and the others carry on. A `BackendError` (bad key,
unreachable endpoint) stops the run: every other report would fail the same way.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from extractor.llm.config import load_config
from extractor.llm.extractor import LLMExtractor
from extractor.llm.ratelimit import RateLimiter
from nianbao.core.document import SourceDocument
from nianbao.core.errors import BackendError, ExtractorError
from nianbao.core.models import Extraction


@dataclass
class BulkResult:
    """One report of a bulk run: its extraction, or why it failed."""

    name: str
    extraction: Extraction | None = None
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.extraction is not None


def extract_many(
    docs: Iterable[SourceDocument],
    *,
    jobs: int = 4,
    rate_per_minute: float | None = None,
    config: str | Path | None = None,
    extractor: LLMExtractor | None = None,
    on_result: Callable[[BulkResult], None] | None = None,
    **options: Any,
) -> list[BulkResult]:
    """Extract every document with `jobs` workers; results in input order."""
    own = extractor is None
    if extractor is None:
        cfg = load_config(config, **options)
        extractor = LLMExtractor(settings=cfg, limiter=RateLimiter(rate_per_minute))
    elif rate_per_minute:
        extractor.endpoint.limiter = RateLimiter(rate_per_minute)
    worker = extractor
    stopped = threading.Event()  # set on a BackendError: queued reports are not started

    def one(doc: SourceDocument) -> BulkResult:
        if stopped.is_set():
            return BulkResult(doc.name, error="not run: the run stopped on a backend error")
        try:
            result = BulkResult(doc.name, extraction=worker.extract(doc))
        except BackendError:
            stopped.set()
            raise
        except ExtractorError as exc:
            result = BulkResult(doc.name, error=str(exc))
        if on_result is not None:
            on_result(result)
        return result

    try:
        with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
            futures = [pool.submit(one, doc) for doc in docs]
            try:
                return [f.result() for f in futures]
            except BackendError:
                for f in futures:
                    f.cancel()
                raise
    finally:
        if own:
            worker.close()
