"""The one verdict: flags from the extractor's doubts and the rule engine, and the decision."""

from __future__ import annotations

from pathlib import Path

from nianbao.core.models import CanonicalReport, CellProvenance, Extraction, ReportStatus
from rules.engine import check
from rules.verdict import LOW_CONFIDENCE, review_flags, verdict

REAL = Path(__file__).parent.parent / "eval" / "data" / "real"
GOLD_003 = REAL / "seed-003.gold.json"  # breaks identities in its own print
GOLD_000 = REAL / "seed-000.gold.json"  # every identity holds, no null


def _read_cleanly(report: CanonicalReport) -> Extraction:
    return Extraction(
        report=report,
        extractor="parser",
        provenance={k: CellProvenance(extractor="parser") for k in report.cells},
    )


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


def test_verdict_accepts_a_report_read_cleanly_whose_rules_hold() -> None:
    report = CanonicalReport.from_json(GOLD_000.read_text(encoding="utf-8"))
    judged = verdict(_read_cleanly(report))
    assert judged.flags == {} and judged.check.holds
    assert judged.status is ReportStatus.ACCEPTED and judged.accepted


def test_verdict_sends_a_doubted_cell_or_a_broken_identity_to_review() -> None:
    report = CanonicalReport.from_json(GOLD_000.read_text(encoding="utf-8"))
    doubted = _read_cleanly(report)
    doubted.provenance["t3.new.total"] = CellProvenance(
        extractor="parser", confidence=LOW_CONFIDENCE - 0.01
    )
    judged = verdict(doubted)
    assert list(judged.flags) == ["t3.new.total"] and judged.check.holds
    assert judged.status is ReportStatus.NEEDS_REVIEW
    broken = verdict(_read_cleanly(CanonicalReport.from_json(GOLD_003.read_text("utf-8"))))
    assert not broken.check.holds and broken.status is ReportStatus.NEEDS_REVIEW
    assert broken.findings == broken.check.findings and broken.findings


def test_verdict_checks_the_narrative_only_when_given_the_source_text() -> None:
    report = CanonicalReport.from_json(GOLD_000.read_text(encoding="utf-8"))
    new = report.cells["t3.new.total"]
    assert isinstance(new, int)
    text = f"本年共收到政府信息公开申请{new + 1000}件。"
    rules = {f.rule for f in verdict(_read_cleanly(report), text).findings}
    assert "soft.narrative_applications" in rules
    assert "soft.narrative_applications" not in {
        f.rule for f in verdict(_read_cleanly(report)).findings
    }
    assert verdict(_read_cleanly(report), "").findings == verdict(_read_cleanly(report)).findings
