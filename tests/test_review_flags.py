"""Flags: exactly the cells that are not proven, each with its evidence, level and decision."""

from __future__ import annotations

from pathlib import Path

from nianbao.core.models import CanonicalReport, CellProvenance, Extraction
from rules.engine import check
from rules.verdict import review_flags

GOLD_003 = Path(__file__).parent.parent / "eval" / "data" / "real" / "seed-003.gold.json"


def _read(report: CanonicalReport) -> dict[str, CellProvenance]:
    return {
        k: CellProvenance(extractor="parser", span=(n, n + 1), snippet=str(v))
        for n, (k, v) in enumerate(report.cells.items())
    }


def test_flags_combine_extractor_doubts_and_broken_identities() -> None:
    report = CanonicalReport.from_json(GOLD_003.read_text(encoding="utf-8"))
    report.cells["t2.rules.issued"] = None
    report.cells["t2.rules.repealed"] = None
    provenance = _read(report) | {
        "t3.other.misc.total": CellProvenance(
            extractor="parser", method="aligned", confidence=0.6, notes=["row had 6 values"]
        ),
        "t2.rules.issued": CellProvenance(extractor="parser", method="read"),
        "t2.rules.repealed": CellProvenance(
            extractor="parser", method="blank", span=(5, 6), snippet="/"
        ),
        "t4.review.total": CellProvenance(extractor="parser", alternatives=[2, 12]),
    }
    extraction = Extraction(report=report, extractor="parser", provenance=provenance)
    flags = review_flags(extraction, check(report))
    assert flags["t3.other.misc.total"][:2] == ["row had 6 values", "low confidence 0.60"]
    assert "breaks t3.row_sum[new]" in flags["t3.new.natural"]
    assert flags["t2.rules.issued"][0] == "null: not found in the source"
    assert flags["t2.rules.issued"][-2] == "proof: unread"
    assert "t2.rules.repealed" not in flags  # a blank the source prints is a reading
    assert flags["t4.review.total"][0] == "other readings: 2, 12"
    assert "t3.granted.natural" not in flags
    keys = list(flags)
    assert keys.index("t2.rules.issued") < keys.index("t3.new.natural")  # layout order
    # the broken identities of part 三 are one decision, whatever number of cells they hold
    decisions = {flags[k][-1] for k in keys if k.startswith("t3.new.")}
    assert len(decisions) == 1
