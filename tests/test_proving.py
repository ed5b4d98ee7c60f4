"""Proof levels and decisions: what proves a cell, and one decision per cause."""

from __future__ import annotations

from pathlib import Path

import pytest

from nianbao.core.models import CanonicalReport, CellProvenance, Extraction
from rules.engine import check
from rules.proof import ProofLevel
from rules.proving import blank_evidence, prove

REAL = Path(__file__).parent.parent / "eval" / "data" / "real"


def _gold(stem: str) -> CanonicalReport:
    return CanonicalReport.from_json((REAL / f"{stem}.gold.json").read_text(encoding="utf-8"))


def _read(report: CanonicalReport) -> dict[str, CellProvenance]:
    return {
        k: CellProvenance(extractor="parser", span=(n, n + 1), snippet=str(v))
        for n, (k, v) in enumerate(report.cells.items())
    }


def _blank(snippet: str) -> CellProvenance:
    return CellProvenance(
        extractor="parser", method="blank", span=(0, len(snippet)), snippet=snippet
    )


@pytest.mark.parametrize(
    ("snippet", "evidence"),
    [
        ("—", "placeholder"),
        ("/", "placeholder"),
        (" - ", "placeholder"),
        ("无", "placeholder"),
        ("\t\t", "empty cell"),
        ("|  |", "empty cell"),
        ("<td> </td>", "empty cell"),
        ("0", None),  # a zero is a value, not a blank
        ("本年新收政府信息公开申请数量\t3\t\t5", None),  # a whole row proves nothing
    ],
)
def test_a_blank_is_proven_only_by_what_the_source_prints_there(
    snippet: str, evidence: str | None
) -> None:
    assert blank_evidence(_blank(snippet)) == evidence


def test_a_dash_ocr_read_as_yi_is_a_blank_the_identities_must_confirm() -> None:
    from rules.findings import Status
    from rules.proving import cell_level

    # "一" where a dash belongs: a correction of the print, like an OCR look-alike digit
    yi = _blank("一")
    assert blank_evidence(yi) == "placeholder read through OCR (一 for a dash)"
    assert cell_level(None, yi, False, [Status.PASSED, Status.PASSED]) is ProofLevel.BLANK_PROVEN
    assert cell_level(None, yi, False, []) is ProofLevel.AMBIGUOUS  # part 二: nothing checks
    assert cell_level(None, yi, False, [Status.UNKNOWN]) is ProofLevel.AMBIGUOUS
    assert cell_level(None, _blank("—"), False, []) is ProofLevel.BLANK_PROVEN  # printed dash


def test_a_blank_with_no_span_is_not_proven() -> None:
    assert blank_evidence(CellProvenance(extractor="llm", method="blank")) is None
    assert blank_evidence(CellProvenance(extractor="llm", method="read", snippet="—")) is None


def _extraction(report: CanonicalReport, **prov: CellProvenance) -> Extraction:
    provenance = _read(report) | {k.replace("__", "."): p for k, p in prov.items()}
    return Extraction(report=report, provenance=provenance, extractor="parser")


def test_a_consistent_report_read_directly_is_accepted() -> None:
    report = _gold("seed-000")
    proof = prove(_extraction(report), check(report))
    assert proof.accepted and not proof.decisions and not proof.flags()
    assert set(proof.levels.values()) <= {ProofLevel.READ_CONFIRMED, ProofLevel.BLANK_PROVEN}


def test_a_proven_blank_counts_as_nothing_printed_in_its_identities() -> None:
    report = _gold("seed-000")
    assert report.cells["t3.new.legal"] == 0
    report.cells["t3.new.legal"] = None
    proof = prove(_extraction(report, t3__new__legal=_blank("—")), check(report))
    assert proof.levels["t3.new.legal"] is ProofLevel.BLANK_PROVEN
    assert proof.levels["t3.new.total"] is ProofLevel.READ_CONFIRMED  # the row still adds up
    assert proof.accepted


def test_a_blank_where_the_identities_need_a_number_contradicts_them() -> None:
    report = _gold("corpus-008_shuyang-county-gov-2025-ocr-md")
    assert prove(_extraction(report), check(report)).accepted
    key = "t3.new.commercial"  # 3 in the print: a blank there breaks the row's sum
    report.cells[key] = None
    proof = prove(_extraction(report, **{key.replace(".", "__"): _blank("-")}), check(report))
    assert proof.levels[key] is ProofLevel.CONTRADICTS
    assert not proof.accepted
    (decision,) = [d for d in proof.decisions if key in d.cells]
    assert decision.kind == "identity"


def test_an_unread_null_leaves_its_identities_unchecked() -> None:
    report = _gold("seed-000")
    report.cells["t3.new.legal"] = None
    unread = CellProvenance(extractor="parser", method="missing", confidence=0.0)
    proof = prove(_extraction(report, t3__new__legal=unread), check(report))
    assert proof.levels["t3.new.legal"] is ProofLevel.UNREAD
    assert proof.levels["t3.new.natural"] is ProofLevel.READ_UNCHECKED
    assert not proof.accepted


def test_the_reports_own_error_is_one_decision_with_its_suspects() -> None:
    report = _gold("seed-003")  # prints 本年新收 8, 1, 0, … with total 0: four identities break
    proof = prove(_extraction(report), check(report))
    identity = [d for d in proof.decisions if d.kind == "identity"]
    assert len(identity) == 1
    (d,) = identity
    assert {"t3.row_sum[new]", "t3.balance[total]"} <= set(d.rules)
    assert d.suspects and "t3.new.total" in {k for s in d.suspects for k in s.cells}
    flags = proof.flags()
    assert {flags[k][-1] for k in d.cells} == {f"decision {d.id}"}
    assert all(proof.levels[k] is ProofLevel.CONTRADICTS for k in d.cells)


def test_a_rows_doubtful_cells_are_one_decision() -> None:
    report = _gold("seed-000")
    doubt = {
        k.replace(".", "__"): CellProvenance(
            extractor="parser", method="aligned", confidence=0.5, alternatives=[1, 2]
        )
        for k in report.cells
        if k.startswith("t2.license.")
    }
    proof = prove(_extraction(report, **doubt), check(report))
    rows = [d for d in proof.decisions if any(k.startswith("t2.license.") for k in d.cells)]
    assert len(rows) == 1 and rows[0].kind == "row"
    assert {proof.levels[k] for k in rows[0].cells} == {ProofLevel.AMBIGUOUS}


def test_inferred_and_disagreeing_cells_are_not_proven() -> None:
    report = _gold("seed-000")
    inferred = CellProvenance(extractor="parser", method="inferred", confidence=0.9)
    disagree = CellProvenance(
        extractor="parser", confidence=0.5, notes=["backends disagree: parser read 1, llm read 2"]
    )
    proof = prove(
        _extraction(report, t3__new__legal=inferred, t3__new__social=disagree), check(report)
    )
    assert proof.levels["t3.new.legal"] is ProofLevel.INFERRED
    assert proof.levels["t3.new.social"] is ProofLevel.DISAGREE
    assert not proof.accepted


def test_no_provenance_is_no_proof() -> None:
    report = _gold("seed-000")
    proof = prove(Extraction(report=report, extractor="x"), check(report))
    assert set(proof.levels.values()) == {ProofLevel.UNREAD} and not proof.accepted


def test_an_ocr_corrected_digit_is_proven_only_through_identities_that_hold() -> None:
    report = _gold("corpus-008_shuyang-county-gov-2025-ocr-md")
    ocr = CellProvenance(
        extractor="parser",
        span=(0, 3),
        snippet="7O5",
        notes=["read through OCR look-alikes: '7O5'"],
    )
    proof = prove(_extraction(report, t3__new__natural=ocr), check(report))
    assert proof.levels["t3.new.natural"] is ProofLevel.READ_CONFIRMED  # 705: every sum holds
    part2 = ocr.model_copy(update={"snippet": "l", "notes": ["read through OCR look-alikes: 'l'"]})
    proof = prove(_extraction(report, t2__rules__issued=part2), check(report))
    assert proof.levels["t2.rules.issued"] is ProofLevel.AMBIGUOUS  # part 二: nothing checks it
