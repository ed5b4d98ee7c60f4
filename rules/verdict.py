"""The one verdict on an extraction: check it, prove each cell, flag the unproven, decide.

`verdict` is what the pipeline, `nianbao extract`, the eval and the worker all call, so a
report is judged the same way everywhere. The rule engine checks the report; `rules.proving`
turns the evidence into a proof level per cell and one decision per cause; the flags are
exactly the unproven cells; and `rules.proof.report_is_accepted` alone decides the status:
accepted iff every cell is proven (docs/proof.md). The eval's silent-error rate counts wrong
cells that this module did not flag.
"""

from __future__ import annotations

from dataclasses import dataclass

from nianbao.core.models import Extraction, ReportStatus
from rules.engine import check
from rules.findings import CheckResult, Finding
from rules.narrative import narrative_figures
from rules.proving import LOW_CONFIDENCE, Proof, prove

__all__ = ["LOW_CONFIDENCE", "Verdict", "review_flags", "verdict"]


def review_flags(
    extraction: Extraction, result: CheckResult, low_confidence: float = LOW_CONFIDENCE
) -> dict[str, list[str]]:
    """{canonical key: reasons}, in layout order, for every cell that is not proven.

    The evidence comes first (extractor notes, broken identities), then the cell's proof
    level ("proof: ambiguous") and the decision that settles it ("decision d2")."""
    del low_confidence  # the proof's own threshold (rules.proving.LOW_CONFIDENCE) applies
    return prove(extraction, result).flags()


@dataclass(frozen=True)
class Verdict:
    """What the rules make of one extraction."""

    check: CheckResult  # every finding and the error localisation's suspects
    flags: dict[str, list[str]]  # the unproven cells: evidence, "proof: …", "decision dN"
    status: ReportStatus  # ACCEPTED (every cell proven) or NEEDS_REVIEW
    proof: Proof  # each cell's level and the decisions a person must make

    @property
    def findings(self) -> list[Finding]:
        return self.check.findings

    @property
    def accepted(self) -> bool:
        return self.status is ReportStatus.ACCEPTED


def verdict(
    extraction: Extraction, source_text: str | None = None, result: CheckResult | None = None
) -> Verdict:
    """Check the report (with the figures its narrative restates, when the source text is
    given), prove each cell, flag the unproven ones and decide the report's status.
    `result`: a check already made on this extraction (not made again)."""
    if result is None:
        narrative = narrative_figures(source_text) if source_text else None
        result = check(extraction.report, narrative)
    proof = prove(extraction, result)
    status = ReportStatus.ACCEPTED if proof.accepted else ReportStatus.NEEDS_REVIEW
    return Verdict(result, proof.flags(), status, proof)
