"""Flags: the cells a person must look at, from the extractor's doubts and the rule engine."""

from __future__ import annotations

from pathlib import Path

from nianbao.core.models import CanonicalReport, CellProvenance, Extraction
from rules.engine import check
from rules.verdict import review_flags

GOLD_003 = Path(__file__).parent.parent / "eval" / "data" / "real" / "seed-003.gold.json"


def test_flags_combine_extractor_doubts_and_broken_identities() -> None:
    report = CanonicalReport.from_json(GOLD_003.read_text(encoding="utf-8"))
    report.cells["t2.rules.issued"] = None
    report.cells["t2.rules.repealed"] = None
    extraction = Extraction(
        report=report,
        extractor="parser",
        provenance={
            "t3.other.misc.total": CellProvenance(
                extractor="parser", method="aligned", confidence=0.6, notes=["row had 6 values"]
            ),
            "t2.rules.repealed": CellProvenance(extractor="parser", method="blank"),
            "t4.review.total": CellProvenance(extractor="parser", alternatives=[2, 12]),
        },
    )
    flags = review_flags(extraction, check(report))
    assert flags["t3.other.misc.total"][:2] == ["row had 6 values", "low confidence 0.60"]
    assert "breaks t3.row_sum[new]" in flags["t3.new.natural"]
    assert any(r.startswith("suspect #1") for r in flags["t3.new.total"])
    assert flags["t2.rules.issued"] == ["null: not found in the source"]
    assert "t2.rules.repealed" not in flags  # a printed blank is a reading, not a doubt
    assert flags["t4.review.total"] == ["other readings: 2, 12"]
    assert "t3.granted.natural" not in flags
    keys = list(flags)
    assert keys.index("t2.rules.issued") < keys.index("t3.new.natural")  # layout order
