"""The status of each cell on the review screen, and the colour that shows it.

A cell's status is recomputed from the current values on every change, so fixing a cell
turns its identity's cells from red to green at once. Which cells need a person comes from
`rules.verdict` (the one policy); this module only ranks the reasons into one colour.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum

from nianbao.core.models import CellValue
from rules.findings import CheckResult, Severity, Status


class CellStatus(StrEnum):
    """One colour per cell, most serious first (a cell shows the first that applies)."""

    BROKEN = "broken"  # sits in an identity or domain rule the current values break
    DISAGREEMENT = "disagreement"  # the two extractors read different values
    LOW_CONFIDENCE = "low_confidence"  # flagged by the review policy for another reason
    NULL = "null"  # no value (not printed, or not found)
    REVIEWED = "reviewed"  # a person decided this cell's value
    VERIFIED = "verified"  # nothing against it


@dataclass(frozen=True)
class StatusStyle:
    label: str  # what the legend says
    background: str
    border: str


STYLES: dict[CellStatus, StatusStyle] = {
    CellStatus.BROKEN: StatusStyle("breaks an identity", "#f8c9c4", "#c0392b"),
    CellStatus.DISAGREEMENT: StatusStyle("extractors disagree", "#fddcb0", "#d35400"),
    CellStatus.LOW_CONFIDENCE: StatusStyle("low confidence / flagged", "#fff3b0", "#b7950b"),
    CellStatus.NULL: StatusStyle("null (no value)", "#e5e7eb", "#6b7280"),
    CellStatus.REVIEWED: StatusStyle("set by a reviewer", "#cfe3fb", "#1f5fa8"),
    CellStatus.VERIFIED: StatusStyle("verified", "#d4f0d4", "#2e7d32"),
}


def broken_cells(result: CheckResult) -> set[str]:
    """Cells in an identity or domain rule that the current values break."""
    return {
        key
        for f in result.findings
        if f.severity is Severity.ERROR and f.status is Status.FAILED
        for key in f.cells
    }


def cell_statuses(
    values: Mapping[str, CellValue],
    result: CheckResult,
    flags: Mapping[str, list[str]],
    disagreements: set[str],
    reviewed: set[str],
) -> dict[str, CellStatus]:
    """The status of every cell in `values`.

    `flags` is `rules.verdict` on the current values; `disagreements` the cells whose
    extractors differ; `reviewed` the cells a person set. A broken identity outranks a
    reviewer's value: a person's fix that still breaks an identity stays red.
    """
    broken = broken_cells(result)
    out: dict[str, CellStatus] = {}
    for key, value in values.items():
        if key in broken:
            out[key] = CellStatus.BROKEN
        elif key in reviewed:
            out[key] = CellStatus.REVIEWED
        elif key in disagreements:
            out[key] = CellStatus.DISAGREEMENT
        elif value is None:
            out[key] = CellStatus.NULL
        elif flags.get(key):
            out[key] = CellStatus.LOW_CONFIDENCE
        else:
            out[key] = CellStatus.VERIFIED
    return out
