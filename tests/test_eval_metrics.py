"""Metrics on hand-made extractions: right, wrong-but-flagged, wrong-silent, null vs 0."""

from __future__ import annotations

from eval.baseline import compare
from eval.metrics import aggregate, breakdown, score_report
from nianbao.core.models import CanonicalReport, CellProvenance, Extraction, Meta
from rules.engine import check
from rules.verdict import review_flags
from tests.strategies import consistent_reports

GOLD = CanonicalReport(
    meta=Meta(organ="测试街道", year=2021, template="2021"),
    cells=dict.fromkeys(CanonicalReport.empty(Meta(template="2021")).cells, 0),
)
N = len(GOLD.cells)  # 200


def _score(extraction: Extraction, case_id: str = "r1", damage: tuple[str, ...] = ()):
    result = check(extraction.report)
    flags = review_flags(extraction, result)
    return score_report(
        case_id,
        "synth",
        "tab_rows",
        GOLD,
        extraction,
        flags,
        not flags and result.holds,
        damage=damage,
    )


def _read(report: CanonicalReport) -> dict[str, CellProvenance]:
    """Every cell read directly from a (stand-in) span of the source."""
    return {
        k: CellProvenance(extractor="test", span=(n, n + 1), snippet=str(v), method="read")
        for n, (k, v) in enumerate(report.cells.items())
    }


def _extraction(changes: dict[str, object], provenance: dict[str, CellProvenance] | None = None):
    report = GOLD.model_copy(deep=True)
    report.cells.update(changes)
    return Extraction(
        report=report, extractor="test", provenance=_read(report) | (provenance or {})
    )


def test_all_right_is_exact_accepted_and_silent_free() -> None:
    score = _score(_extraction({}))
    m = aggregate([score])
    assert (m["cell_accuracy"], m["exact_match_rate"], m["silent_error_rate"]) == (1.0, 1.0, 0.0)
    assert m["flag_precision"] is None  # no flag raised
    assert m["accepted_without_review"] == 1.0 and m["accepted_but_wrong"] == 0.0


def test_wrong_but_flagged_is_not_silent() -> None:
    # t3.new.natural read as 5: the row sum and the balance break, so the rule engine flags it
    score = _score(_extraction({"t3.new.natural": 5}))
    m = aggregate([score])
    assert m["cell_accuracy"] == (N - 1) / N
    assert m["silent_error_rate"] == 0.0
    assert score.wrong["t3.new.natural"][:3] == [0, 5, True]
    flagged = score.total("flagged")
    assert flagged > 1 and m["flag_precision"] == round(1 / flagged, 6)
    assert m["exact_match_rate"] == 0.0 and m["accepted_without_review"] == 0.0


def test_wrong_and_silent_counts_against_the_system() -> None:
    # a swap that keeps every identity: natural and commercial of 予以公开 and of 本年新收
    changes = {
        "t3.new.natural": 1,
        "t3.new.commercial": 0,
        "t3.granted.natural": 1,
        "t3.granted.commercial": 0,
    }
    gold_cells = {"t3.new.natural": 0, "t3.new.commercial": 1}
    gold_cells |= {"t3.granted.natural": 0, "t3.granted.commercial": 1}
    gold_cells |= {"t3.new.total": 1, "t3.granted.total": 1}
    gold_cells |= {"t3.results_total.commercial": 1, "t3.results_total.total": 1}
    gold = GOLD.model_copy(deep=True)
    gold.cells.update(gold_cells)
    report = gold.model_copy(deep=True)
    report.cells.update(changes)
    report.cells["t3.results_total.natural"] = 1
    report.cells["t3.results_total.commercial"] = 0
    extraction = Extraction(report=report, extractor="test", provenance=_read(report))
    result = check(report)
    assert result.holds
    flags = review_flags(extraction, result)
    score = score_report("r", "synth", "x", gold, extraction, flags, not flags)
    m = aggregate([score])
    assert score.total("silent") == 6 and m["silent_error_rate"] == round(6 / N, 6)
    assert score.accepted and m["accepted_but_wrong"] == 1.0


def test_null_for_zero_is_an_error_and_flagged_unless_seen_blank() -> None:
    missing = _score(_extraction({"t2.rules.issued": None}))
    assert missing.wrong["t2.rules.issued"] == [0, None, True, "null: not found in the source"]
    blank = _score(
        _extraction(
            {"t2.rules.issued": None},
            {
                "t2.rules.issued": CellProvenance(
                    extractor="test", method="blank", span=(3, 4), snippet="—"
                )
            },
        )
    )
    # a blank the source's structure shows is proven: when the gold says 0, it is silent
    assert blank.wrong["t2.rules.issued"] == [0, None, False, None]
    assert aggregate([blank])["silent_error_rate"] == round(1 / N, 6)
    unproven = _score(
        _extraction(
            {"t2.rules.issued": None},
            {"t2.rules.issued": CellProvenance(extractor="test", method="blank")},
        )
    )
    # "blank" with no placeholder or empty cell to show for it is no proof: flagged
    assert unproven.wrong["t2.rules.issued"][2] is True


def test_failed_report_is_all_wrong_never_silent() -> None:
    score = score_report("r", "real", "txt", GOLD, None, {}, False, error="SourceError: bad")
    m = aggregate([score])
    assert m["failed"] == 1 and m["cell_accuracy"] == 0.0 and m["silent_error_rate"] == 0.0
    assert len(score.wrong_keys()) == N and not score.exact


def test_breakdown_groups_by_part_damage_and_layout() -> None:
    a = _score(_extraction({"t4.review.upheld": 3}), "a", ("ocr_labels",))
    b = _score(_extraction({}), "b", ())
    out = breakdown([a, b])
    assert out["by_part"]["t4"]["cell_accuracy"] == round(29 / 30, 6)
    assert out["by_part"]["t3"]["cell_accuracy"] == 1.0
    assert out["by_damage"]["ocr_labels"]["reports"] == 1
    assert out["by_damage"]["(none)"]["cell_accuracy"] == 1.0
    assert out["by_template"]["2021"]["reports"] == 2


def test_comparison_finds_worse_cells_and_respects_tolerance() -> None:
    before = [_score(_extraction({}), "a"), _score(_extraction({}), "b")]
    after = [_score(_extraction({"t3.new.natural": 5}), "a"), _score(_extraction({}), "b")]
    comp = compare(after, before, tolerance=0.0)
    assert comp["regressed"] and comp["metrics"]["cell_accuracy"]["regressed"]
    assert comp["cells_worse"] == [
        {"report": "a", "key": "t3.new.natural", "gold": 0, "baseline": 0, "current": 5}
    ]
    assert not compare(after, before, tolerance=0.6)["regressed"]
    back = compare(before, after, tolerance=0.0)
    assert not back["regressed"] and len(back["cells_better"]) == 1


def test_hypothesis_reports_score_perfectly_against_themselves() -> None:
    from hypothesis import given, settings

    @settings(max_examples=10, deadline=None)
    @given(consistent_reports())
    def run(report: CanonicalReport) -> None:
        extraction = Extraction(report=report, extractor="test")
        score = score_report("r", "synth", "x", report, extraction, {}, True)
        assert aggregate([score])["cell_accuracy"] == 1.0

    run()


def test_wrong_cells_whose_gold_is_a_judgement_call_are_counted_apart() -> None:
    extraction = _extraction({"t3.new.natural": 5, "t4.review.upheld": 1})
    result = check(extraction.report)
    flags = review_flags(extraction, result)
    score = score_report(
        "r", "real", "txt", GOLD, extraction, flags, False, judgement_cells=["t3.new.natural"]
    )
    m = aggregate([score])
    assert m["wrong_cells"] == 2 and m["wrong_judgement_cells"] == 1


def test_a_report_accepted_while_wrong_fails_the_baseline_whatever_it_held() -> None:
    report = GOLD.model_copy(deep=True)
    report.cells["t2.rules.issued"] = 3  # part 二 has no identity: read, proven, and wrong
    extraction = Extraction(report=report, extractor="test", provenance=_read(report))
    wrong = _score(extraction)
    assert wrong.wrong and wrong.accepted  # nothing can tell: the gate must say so
    comp = compare([wrong], [wrong], tolerance=1.0)
    assert comp["regressed"] and comp["wrong_accepted"] == ["r1"]
    assert aggregate([wrong])["accepted_wrong_reports"] == 1


def test_decision_precision_counts_one_per_cause() -> None:
    score = _score(_extraction({"t3.new.natural": 5}))  # breaks two identities: one cause
    m = aggregate([score])
    assert score.total("flagged") > 1
    assert m["decisions_per_report"] == 0.0  # _score records no decisions: see the harness
    score.decisions = [
        {"id": "d1", "kind": "identity", "cells": ["t3.new.natural", "t3.new.total"],
         "rules": ["t3.row_sum[new]"]},
        {"id": "d2", "kind": "row", "cells": ["t2.rules.issued"], "rules": []},
    ]  # fmt: skip
    m = aggregate([score])
    # d1 holds the wrong cell; d2 holds only a right one and no broken print
    assert m["decisions_per_report"] == 2.0 and m["decision_precision"] == 0.5
    score.broken_identities = ["t3.row_sum[new]"]
    assert aggregate([score])["consistent_reports"] == 0
