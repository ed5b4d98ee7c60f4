"""Placement by printed order: the print's order is the reading, checked by the identities;
the enumeration of other orders says what they would give."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from eval.synth.damage import detached_labels
from eval.synth.document import Document, t2_table, t3_table, t4_table
from eval.synth.render import cell_lines, tab_rows
from extractor.parser import ParserExtractor
from extractor.parser.placement import DEPENDS, PROVEN
from nianbao.core.document import SourceDocument
from nianbao.core.layout import layout_for
from nianbao.core.models import CanonicalReport, CellValue
from rules.engine import check
from rules.placement import MAX_ASSIGNMENTS, prove_placement
from rules.proof import ProofLevel
from rules.proving import Proof, prove

TEMPLATE = "2019"
LAYOUT = layout_for(TEMPLATE)
COLUMNS = [c.name for c in LAYOUT.t3_columns]
REAL = Path(__file__).parent.parent / "eval" / "data" / "real"


def _row(name: str) -> tuple[str, ...]:
    return tuple(f"t3.{name}.{c}" for c in COLUMNS)


def _cells(**natural: int) -> dict[str, CellValue]:
    """Part 三 of a consistent report: each named row prints `n` natural-person requests
    (and total n), every other cell 0; intake and results total add up."""
    cells: dict[str, CellValue] = {k: 0 for k in LAYOUT.keys if k.startswith("t3.")}
    for name, n in natural.items():
        cells[f"t3.{name}.natural"] = n
        cells[f"t3.{name}.total"] = n
    done = sum(n for name, n in natural.items() if name not in ("new", "carried_over"))
    for col in ("natural", "total"):
        cells[f"t3.results_total.{col}"] = done
        cells[f"t3.new.{col}"] = done
    return cells


def test_rows_of_one_sum_group_with_different_values_are_not_proven_by_the_identities() -> None:
    cells = _cells(**{"denied.internal": 1, "denied.process": 2})
    rows = [_row("denied.internal"), _row("denied.process")]
    proof = prove_placement(TEMPLATE, cells, [rows])
    # swapping the two rows keeps every row sum and column sum: both orders hold
    assert proof.depends == {
        "t3.denied.internal.natural",
        "t3.denied.internal.total",
        "t3.denied.process.natural",
        "t3.denied.process.total",
    }
    assert proof.others["t3.denied.internal.natural"] == [2]
    # the columns both rows print 0 in are the same whichever order: proven
    assert "t3.denied.internal.legal" in proof.proven
    assert not proof.bounded


def test_rows_printing_equal_values_are_proven_whatever_the_order() -> None:
    cells = _cells(**{"denied.internal": 2, "denied.process": 2})
    rows = [_row("denied.internal"), _row("denied.process")]
    proof = prove_placement(TEMPLATE, cells, [rows])
    assert proof.proven == set(rows[0] + rows[1])
    assert not proof.depends


def test_an_order_is_proven_when_every_other_order_breaks_an_identity() -> None:
    cells = _cells(**{"other": 3})
    # the last result row and the results total: swapping them breaks t3.results_sum
    rows = [_row("other"), _row("results_total"), _row("carried_forward")]
    cells["t3.results_total.natural"] = cells["t3.results_total.total"] = 3
    proof = prove_placement(TEMPLATE, cells, [rows])
    assert proof.proven == set(rows[0] + rows[1] + rows[2])
    assert not proof.depends


def test_groups_are_searched_jointly() -> None:
    # each group alone could not be swapped, but one swap in each together keeps every sum
    cells = _cells(**{"granted": 1, "partial": 2, "denied.internal": 2, "denied.process": 1})
    one = [_row("granted"), _row("new")]
    two = [_row("partial"), _row("denied.process")]
    proof = prove_placement(TEMPLATE, cells, [one, two])
    assert "t3.partial.natural" in proof.depends  # 2 <-> 1 within the results
    assert "t3.granted.natural" in proof.proven  # the intake row is the sum: no swap


def test_a_null_leaves_an_identity_unknown_and_proves_nothing_through_it() -> None:
    cells = _cells(**{"granted": 2, "other": 3})
    rows = [_row("other"), _row("results_total")]
    # with granted and the intake unread, no sum sees the two rows swapped
    for key in ("t3.granted.natural", "t3.granted.total", "t3.new.natural", "t3.new.total"):
        cells[key] = None
    proof = prove_placement(TEMPLATE, cells, [rows])
    assert "t3.other.natural" in proof.depends
    assert proof.others["t3.results_total.total"] == [3]
    cells["t3.granted.natural"] = cells["t3.granted.total"] = 2
    assert "t3.other.natural" in prove_placement(TEMPLATE, cells, [rows]).proven


def test_a_chosen_order_that_breaks_an_identity_proves_nothing() -> None:
    cells = _cells(**{"other": 3})
    cells["t3.results_total.natural"] = 4  # the print's own error
    rows = [_row("other"), _row("results_total")]
    proof = prove_placement(TEMPLATE, cells, [rows])
    assert not proof.proven and not proof.depends


def test_past_the_search_bound_nothing_is_proven() -> None:
    names = [r.name for r in LAYOUT.t3_rows if r.name.startswith(("denied.", "unable."))]
    cells = _cells(**{name: n + 1 for n, name in enumerate(names)})  # all lines distinct
    rows = [_row(name) for name in names]
    assert len(rows) >= 8  # 8! = 40320 orders
    proof = prove_placement(TEMPLATE, cells, [rows])
    assert proof.bounded == {k for r in rows for k in r}
    assert not proof.proven and not proof.depends
    assert MAX_ASSIGNMENTS < 40320


def _report_text(t3: dict[str, CellValue]) -> tuple[str, CanonicalReport]:
    """A clean tab-separated report holding `t3` (parts 二 and 四 from a real gold)."""
    base = CanonicalReport.from_json((REAL / "seed-000.gold.json").read_text(encoding="utf-8"))
    gold = CanonicalReport(meta=base.meta, cells={**base.cells, **t3})
    doc = Document(
        "岑港街道2020年政府信息公开工作年度报告",
        [t2_table(LAYOUT, gold.cells), t3_table(LAYOUT, gold.cells), t4_table(LAYOUT, gold.cells)],
    )
    return tab_rows(doc, random.Random(0)), gold


def _stack(text: str, first: str, second: str) -> str:
    """Print `first`'s label alone and `second`'s label before both value lines (labels
    stacked above their rows, as PDF-to-markdown prints merged cells)."""
    lines = text.split("\n")
    a = next(i for i, line in enumerate(lines) if first in line)
    label_a, values_a = lines[a].rsplit("\t", 7)[0], "\t".join(lines[a].split("\t")[-7:])
    label_b = lines[a + 1].rsplit("\t", 7)[0]
    values_b = "\t".join(lines[a + 1].split("\t")[-7:])
    assert second in label_b
    lines[a : a + 2] = [label_a, f"{label_b}\t{values_a}", values_b]
    return "\n".join(lines)


def _proof(text: str) -> tuple[Proof, dict[str, CellValue]]:
    extraction = ParserExtractor().extract(SourceDocument.from_text("r.txt", text))
    return prove(extraction, check(extraction.report)), extraction.report.cells


def _prove(text: str) -> tuple[dict[str, ProofLevel], dict[str, CellValue]]:
    proof, cells = _proof(text)
    return proof.levels, cells


def test_stacked_rows_that_could_swap_are_read_in_printed_order() -> None:
    # two rows of one sum group: swapping them keeps every identity, so the print's order is
    # the only evidence, and it is the reading (as a person reading the page places them)
    text, gold = _report_text(_cells(**{"denied.internal": 1, "denied.process": 2}))
    extraction = ParserExtractor().extract(
        SourceDocument.from_text(
            "r.txt", _stack(text, "5.属于三类内部事务信息", "6.属于四类过程性信息")
        )
    )
    proof = prove(extraction, check(extraction.report))
    assert extraction.report.cells == gold.cells
    assert proof.decisions == []  # accepted: every cell read and every identity holds
    for row in ("denied.internal", "denied.process"):
        for col in ("natural", "total", "legal"):
            assert proof.levels[f"t3.{row}.{col}"] is ProofLevel.READ_CONFIRMED
    # the note still tells a reader what the other order would give
    (note,) = extraction.provenance["t3.denied.internal.natural"].notes
    assert note.startswith(DEPENDS) and note.endswith("2")
    (note,) = extraction.provenance["t3.denied.internal.legal"].notes
    assert note == PROVEN  # 0 in both rows: no order changes it


def test_a_placeholder_on_a_value_line_placed_by_order_is_a_proven_blank() -> None:
    # a blank printed "-" on a line placed by the order of rows counts 0 in the identities,
    # as every proven blank does: they all hold, so the blank is proven as the values beside
    # it are, and the report needs no person
    text, gold = _report_text(_cells(**{"denied.internal": 1, "denied.process": 2}))
    lines = _stack(text, "5.属于三类内部事务信息", "6.属于四类过程性信息").split("\n")
    i = next(n for n, line in enumerate(lines) if "6.属于四类过程性信息" in line)
    fields = lines[i + 1].split("\t")
    assert fields[-3] == "0"  # the 法律服务机构 column of 6.属于四类过程性信息's line
    lines[i + 1] = "\t".join([*fields[:-3], "-", *fields[-2:]])
    extraction = ParserExtractor().extract(SourceDocument.from_text("r.txt", "\n".join(lines)))
    proof = prove(extraction, check(extraction.report))
    key = "t3.denied.process.legal"
    assert extraction.report.cells == {**gold.cells, key: None}
    assert proof.levels[key] is ProofLevel.BLANK_PROVEN
    assert extraction.provenance[key].notes == [PROVEN]
    assert proof.decisions == []


def test_stacked_lines_in_an_order_the_identities_refuse_are_flagged() -> None:
    # the print's order is checked like any reading: (七)总计's line printed before
    # (六)其他处理's breaks the results sum, so the cells it placed are not accepted
    text, _ = _report_text(_cells(**{"granted": 2, "other": 3}))
    stacked = _stack(text, "（六）其他处理", "（七）总计").split("\n")
    i = next(n for n, line in enumerate(stacked) if "（七）总计" in line)
    label, first = stacked[i].rsplit("\t", 7)[0], "\t".join(stacked[i].split("\t")[-7:])
    stacked[i : i + 2] = [f"{label}\t{stacked[i + 1]}", first]
    levels, cells = _prove("\n".join(stacked))
    assert (cells["t3.other.natural"], cells["t3.results_total.natural"]) == (5, 3)
    assert levels["t3.other.natural"] is ProofLevel.CONTRADICTS
    assert levels["t3.results_total.natural"] is ProofLevel.CONTRADICTS


def test_a_page_number_among_stacked_value_lines_is_no_row() -> None:
    # labels stacked above their value lines, a page break's bare number among the lines
    text, gold = _report_text(_cells(**{"granted": 2, "other": 3}))
    stacked = _stack(text, "（六）其他处理", "（七）总计").split("\n")
    i = next(n for n, line in enumerate(stacked) if "（七）总计" in line)
    stacked.insert(i + 1, "7")
    proof, cells = _proof("\n".join(stacked))
    assert cells == gold.cells
    # the rows are placed; only the values beside the 7 stay in doubt ("3\n7", "7\n5" may
    # each be one number broken over a line)
    assert set(proof.reasons) == {"t3.other.total", "t3.results_total.natural"}


def test_the_parser_confirms_stacked_rows_no_other_order_fits() -> None:
    text, gold = _report_text(_cells(**{"granted": 2, "other": 3}))
    levels, cells = _prove(_stack(text, "（六）其他处理", "（七）总计"))
    assert cells == gold.cells
    assert all(
        levels[k] is ProofLevel.READ_CONFIRMED for k in _row("other") + _row("results_total")
    )


def _cell_lines_with_detached_labels(spacing: str) -> tuple[str, CanonicalReport]:
    """A report printed one cell per line (rows' blocks apart by a blank line) whose part-三
    labels of some rows stand as a block before their value blocks; `spacing` is the break
    between two lines ("\\n", or "\\n\\n" for a double-spaced copy)."""
    base = CanonicalReport.from_json((REAL / "seed-000.gold.json").read_text(encoding="utf-8"))
    gold = CanonicalReport(
        meta=base.meta, cells={**base.cells, **_cells(**{"denied.internal": 1, "other": 2})}
    )
    doc = Document(
        "岑港街道2020年政府信息公开工作年度报告",
        [t2_table(LAYOUT, gold.cells), t3_table(LAYOUT, gold.cells), t4_table(LAYOUT, gold.cells)],
    )
    rng = random.Random(3)
    assert detached_labels(doc, rng, gold)  # the damage of eval.synth, on this table
    return cell_lines(doc, rng).replace("\n", spacing), gold


@pytest.mark.parametrize("spacing", ["\n", "\n\n"])
def test_value_blocks_of_a_table_printed_one_cell_per_line_are_placed_by_order(
    spacing: str,
) -> None:
    text, gold = _cell_lines_with_detached_labels(spacing)
    proof, cells = _proof(text)
    assert cells == gold.cells
    assert proof.decisions == []
