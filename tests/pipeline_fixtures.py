"""Real Extractions built from the gold labels, for testing the store and the reconciliation
before (and independently of) the backends."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

from nianbao.core.models import CanonicalReport, CellProvenance, Extraction, Method
from nianbao.pipeline.assess import assess
from nianbao.store.types import Outcome, SourceInfo

REAL = Path(__file__).parent.parent / "eval" / "data" / "real"
BLANK = "—"  # how the stand-in source prints a null cell


def gold(stem: str) -> CanonicalReport:
    return CanonicalReport.from_json((REAL / f"{stem}.gold.json").read_text(encoding="utf-8"))


def extraction(report: CanonicalReport, backend: str = "parser", **changes: Any) -> Extraction:
    """Every cell read with full confidence (nulls as printed blanks: the stand-in source
    prints "—" for them), then `changes` applied (keyword names use "__" for "."; e.g.
    t3__new__total=9)."""
    cells = dict(report.cells)
    for name, value in changes.items():
        cells[name.replace("__", ".")] = value
    report = CanonicalReport(meta=report.meta, cells=cells)
    text = source_text(report)
    provenance = {}
    for key, value in cells.items():
        shown = BLANK if value is None else str(value)
        start = text.index(f"\n{key}={shown}") + len(key) + 2
        span = (start, start + len(shown))
        method = Method.BLANK if value is None else Method.READ
        provenance[key] = CellProvenance(extractor=backend, span=span, snippet=shown, method=method)
    return Extraction(
        report=report,
        provenance=provenance,
        extractor=backend,
        extractor_version=f"{backend}-test-1",
        usage={"calls": 1, "input_tokens": 100, "output_tokens": 50, "cost_usd": 0.001}
        if backend == "llm"
        else {"seconds": 0.01},
    )


def source_text(report: CanonicalReport) -> str:
    """A stand-in source: one `key=value` line per cell, so spans index real text."""
    lines = [f"{report.meta.organ} {report.meta.year}年政府信息公开工作年度报告"]
    lines += [f"{k}={BLANK if v is None else v}" for k, v in report.cells.items()]
    return "\n".join(lines)


def outcome(name: str, readings: dict[str, Extraction], text: str | None = None) -> Outcome:
    """The pipeline's outcome for `readings` of a source `text` (made from the first reading
    when not given)."""
    first = next(iter(readings.values()))
    text = text if text is not None else source_text(first.report)
    data = (name + text).encode("utf-8")
    source = SourceInfo(
        path=f"/reports/{name}",
        name=name,
        content_hash=hashlib.sha256(data).hexdigest(),
        media="txt",
        size_bytes=len(data),
        text=text,
    )
    return assess(source, readings)
