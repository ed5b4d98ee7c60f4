"""From the backends' readings of one document to a stored `Outcome`: reconcile, check, flag."""

from __future__ import annotations

from nianbao.core.models import Extraction
from nianbao.pipeline.reconcile import reconcile
from nianbao.store.types import Outcome, SourceInfo
from rules.verdict import verdict


def assess(source: SourceInfo, readings: dict[str, Extraction], seconds: float = 0.0) -> Outcome:
    """Reconcile the readings (one or two backends), run the rules and the error localisation,
    and decide each cell's status and the report's status."""
    if "parser" in readings and "llm" in readings:
        reconciled = reconcile(readings["parser"], readings["llm"])
    elif len(readings) == 1:
        (reconciled,) = readings.values()
    else:
        raise ValueError(f"expected the parser's and/or the LLM's reading, got {sorted(readings)}")
    # the one verdict: status from rules.proof.report_is_accepted (every cell proven)
    judged = verdict(reconciled, source.text)
    return Outcome(
        source=source,
        status=judged.status,
        reconciled=reconciled,
        sources=readings,
        check=judged.check,
        flags=judged.flags,
        seconds=seconds,
        proof=judged.proof,
    )
