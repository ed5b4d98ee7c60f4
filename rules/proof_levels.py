"""Each cell's ProofLevel (rules/proof.py) from an extraction, its check and its flags; and
the one acceptance policy built on them: accepted iff no flag, no broken rule, every cell
proven.

A read value is READ_CONFIRMED only when every identity it is in holds. A printed blank
(method "blank": the source's structure shows it) takes part in an identity as an empty
cell, i.e. adds nothing; any other null leaves the identity unknown, so the values in it are
READ_UNCHECKED and the report is not accepted: "unknown" never accepts.
"""

from __future__ import annotations

from collections.abc import Mapping

from nianbao.core.models import CellValue, Extraction, Method
from rules.engine import check_identity
from rules.findings import CheckResult, Status
from rules.identities import identities_by_key
from rules.proof import ProofLevel, report_is_accepted


def _flagged_level(value: CellValue, reasons: list[str]) -> ProofLevel:
    text = " ".join(reasons)
    if "backends disagree" in text:
        return ProofLevel.DISAGREE
    if "breaks " in text or "suspect #" in text:
        return ProofLevel.CONTRADICTS
    if "other readings" in text:
        return ProofLevel.AMBIGUOUS
    return ProofLevel.UNREAD


def cell_levels(
    extraction: Extraction, result: CheckResult, flags: Mapping[str, list[str]]
) -> dict[str, ProofLevel]:
    """{key: ProofLevel} for every cell of the report, in layout order."""
    cells = extraction.report.cells
    blanks = {
        k
        for k, v in cells.items()
        if v is None
        and (p := extraction.provenance.get(k)) is not None
        and p.method == Method.BLANK
    }
    # for the identities: a printed blank is an empty cell (adds nothing)
    filled: dict[str, CellValue] = {k: (0 if k in blanks else v) for k, v in cells.items()}
    by_key = identities_by_key(extraction.report.meta.template)
    levels: dict[str, ProofLevel] = {}
    for key, value in cells.items():
        if key in flags:
            levels[key] = _flagged_level(value, flags[key])
        elif value is None:
            levels[key] = ProofLevel.BLANK_PROVEN if key in blanks else ProofLevel.UNREAD
        else:
            statuses = {check_identity(i, filled).status for i in by_key.get(key, ())}
            if Status.FAILED in statuses:
                levels[key] = ProofLevel.CONTRADICTS
            elif Status.UNKNOWN in statuses:
                levels[key] = ProofLevel.READ_UNCHECKED
            else:
                levels[key] = ProofLevel.READ_CONFIRMED
    return levels


def is_accepted(
    extraction: Extraction, result: CheckResult, flags: Mapping[str, list[str]]
) -> bool:
    """The acceptance policy: nothing flagged, no rule broken, every cell proven."""
    if flags or not result.holds:
        return False
    return report_is_accepted(cell_levels(extraction, result, flags).values())
