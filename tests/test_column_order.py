"""A table read in the wrong column order: the column that adds up the others is not 总计."""

from __future__ import annotations

from pathlib import Path

from nianbao.core.models import CanonicalReport, CellProvenance, Extraction
from rules.column_order import misplaced_totals, table_rows
from rules.engine import check
from rules.proof import ProofLevel
from rules.proving import Proof, prove

REAL = Path(__file__).parent.parent / "eval" / "data" / "real"
COLUMNS = ("natural", "commercial", "research", "social", "legal", "other_org", "total")


def _report(rows: dict[str, list[int]]) -> CanonicalReport:
    """seed-000's gold (its part 三 rows 0) with `rows` printed as given, in layout order."""
    report = CanonicalReport.from_json((REAL / "seed-000.gold.json").read_text(encoding="utf-8"))
    for row, values in rows.items():
        for col, value in zip(COLUMNS, values, strict=True):
            report.cells[f"t3.{row}.{col}"] = value
    return report


def _prove(report: CanonicalReport) -> Proof:
    prov = {
        k: CellProvenance(extractor="parser", span=(n, n + 1), snippet=str(v))
        for n, (k, v) in enumerate(report.cells.items())
    }
    extraction = Extraction(report=report, provenance=prov, extractor="parser")
    return prove(extraction, check(extraction.report))


def _total_first(values: list[int]) -> list[int]:
    """A row printed total first, read in the layout's order."""
    return [values[-1], *values[:-1]]


TRUE_ROWS = {
    "new": [3, 1, 0, 0, 0, 1, 5],
    "granted": [2, 1, 0, 0, 0, 0, 3],
    "denied.internal": [0, 0, 0, 0, 0, 1, 1],  # shifted, it still sums: 1 read as 自然人 and total
    "unable.not_held": [1, 0, 0, 0, 0, 0, 1],
    "results_total": [3, 1, 0, 0, 0, 1, 5],
}


def test_a_table_printed_total_first_proves_none_of_its_cells() -> None:
    # found by a rewrite hunt: part 三 printed with 总计 first. Most rows break their sums,
    # but the column read as 自然人 is the true total column and adds up down the table, so
    # the row whose shift still sums (0 … 0 1 read as 1 … 1) went out confirmed
    report = _report({row: _total_first(v) for row, v in TRUE_ROWS.items()})
    proof = _prove(report)
    assert proof.levels["t3.denied.internal.natural"] is ProofLevel.AMBIGUOUS
    assert any(
        "columns may be printed in another order" in r
        for r in proof.reasons["t3.denied.internal.natural"]
    )
    assert not proof.accepted
    # one cause: the column order; one decision holds every break and the withdrawn cells
    t3 = {
        proof.decision_of[k] for k in proof.levels if k.startswith("t3.") and k in proof.decision_of
    }
    assert len(t3) == 1


def test_a_table_in_layout_order_with_one_misprint_is_left_alone() -> None:
    rows = dict(TRUE_ROWS)
    rows["granted"] = [2, 1, 0, 0, 0, 0, 4]  # the report's own error: one row breaks
    report = _report(rows)
    assert misplaced_totals(table_rows(report.layout)[0], report.cells, _prove(report).levels) == {}
    proof = _prove(report)
    assert proof.levels["t3.denied.internal.other_org"] is ProofLevel.READ_CONFIRMED


def test_a_misprint_in_a_table_printed_total_first_does_not_hide_the_order() -> None:
    # the report's own error in one row, and the order shifted: the other position sums
    # every row but that one, and the read total misses three
    rows = {row: _total_first(v) for row, v in TRUE_ROWS.items()}
    rows["results_total"] = [5, 3, 1, 0, 0, 9, 1]  # 9 misprinted where 0 belongs
    proof = _prove(_report(rows))
    assert proof.levels["t3.denied.internal.natural"] is ProofLevel.AMBIGUOUS
