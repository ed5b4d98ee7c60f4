"""The one verdict on a reading: its checks, each cell's proof, the flags and the status.

`verdict` runs the rule engine, `rules.proving` turns the evidence into a proof level per
cell and one decision per cause, and `rules.proof.report_is_accepted` alone decides the
status: accepted iff every cell is proven. The flags are exactly the unproven cells; the
eval's silent-error rate counts wrong cells not flagged here.
"""

from __future__ import annotations

from dataclasses import dataclass

from nianbao.core.models import Extraction, ReportStatus
from rules.engine import check
from rules.findings import CheckResult
from rules.narrative import narrative_figures
from rules.proving import BLANK_METHOD, LOW_CONFIDENCE, Proof, prove

__all__ = ["BLANK_METHOD", "LOW_CONFIDENCE", "Verdict", "review_flags", "verdict"]


@dataclass
class Verdict:
    """What the system says about one reading of one report."""

    check: CheckResult
    proof: Proof
    flags: dict[str, list[str]]  # unproven cells: evidence, "proof: <level>", "decision dN"

    @property
    def status(self) -> ReportStatus:
        return ReportStatus.ACCEPTED if self.proof.accepted else ReportStatus.NEEDS_REVIEW


def verdict(
    extraction: Extraction, source_text: str | None = None, result: CheckResult | None = None
) -> Verdict:
    """Check the reading (with the narrative's figures when the source text is given), prove
    each cell, flag the unproven ones. `result`: a check already made on this reading."""
    if result is None:
        narrative = narrative_figures(source_text) if source_text else None
        result = check(extraction.report, narrative)
    proof = prove(extraction, result)
    return Verdict(check=result, proof=proof, flags=proof.flags())


def review_flags(
    extraction: Extraction, result: CheckResult, low_confidence: float = LOW_CONFIDENCE
) -> dict[str, list[str]]:
    """{canonical key: reasons}, in layout order, for every cell that is not proven.

    The evidence comes first (extractor notes, broken identities), then the cell's proof
    level ("proof: ambiguous") and the decision that settles it ("decision d2")."""
    del low_confidence  # the proof's own threshold (rules.proving.LOW_CONFIDENCE) applies
    return prove(extraction, result).flags()
