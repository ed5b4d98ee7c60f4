"""From the backends' readings of one document to a stored `Outcome`: reconcile, check, flag."""

from __future__ import annotations

from nianbao.core.document import SourceDocument
from nianbao.core.models import Extraction, ReportStatus
from nianbao.pipeline.reconcile import reconcile
from nianbao.store.types import Outcome, SourceInfo
from rules.engine import check
from rules.narrative import narrative_figures
from rules.verdict import review_flags


def source_info(doc: SourceDocument, size_bytes: int | None = None) -> SourceInfo:
    """What the store keeps about the input file."""
    return SourceInfo(
        path=str(doc.path) if doc.path else doc.name,
        name=doc.name,
        content_hash=doc.sha256,
        media=doc.media,
        size_bytes=size_bytes if size_bytes is not None else len(doc.text.encode("utf-8")),
        text=doc.text,
    )


def assess(source: SourceInfo, readings: dict[str, Extraction], seconds: float = 0.0) -> Outcome:
    """Reconcile the readings (one or two backends), run the rules and the error localisation,
    and decide each cell's status and the report's status."""
    if "parser" in readings and "llm" in readings:
        reconciled = reconcile(readings["parser"], readings["llm"])
    elif len(readings) == 1:
        (reconciled,) = readings.values()
    else:
        raise ValueError(f"expected the parser's and/or the LLM's reading, got {sorted(readings)}")
    narrative = narrative_figures(source.text) if source.text else None
    result = check(reconciled.report, narrative)
    flags = review_flags(reconciled, result)
    status = ReportStatus.ACCEPTED if not flags and result.holds else ReportStatus.NEEDS_REVIEW
    return Outcome(
        source=source,
        status=status,
        reconciled=reconciled,
        sources=readings,
        check=result,
        flags=flags,
        seconds=seconds,
    )
