"""A number a line break split inside a part-二 cell, and a page number inside a markdown
table: where the print's cell edges decide, the row reads as printed; where they do not, it
stays a row of several readings (part 二 has no identity to choose)."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from eval.synth.document import Document, t2_table, t3_table, t4_table
from eval.synth.render import markdown, tab_rows
from extractor.parser import ParserExtractor
from nianbao.core.document import SourceDocument
from nianbao.core.layout import layout_for
from nianbao.core.models import CanonicalReport
from rules.engine import check
from rules.proof import ProofLevel
from rules.proving import prove

REAL = Path(__file__).parent.parent / "eval" / "data" / "real"
LICENSE = ("t2.license.prev_items", "t2.license.change", "t2.license.decisions")


def _report(render: str) -> str:
    """seed-000's gold printed as a markdown or tab-separated report."""
    gold = CanonicalReport.from_json((REAL / "seed-000.gold.json").read_text(encoding="utf-8"))
    layout = layout_for("2019")
    doc = Document(
        "岑港街道2020年政府信息公开工作年度报告",
        [t2_table(layout, gold.cells), t3_table(layout, gold.cells), t4_table(layout, gold.cells)],
    )
    return (markdown if render == "markdown" else tab_rows)(doc, random.Random(0))


def _license(text: str, row: str) -> tuple[list[object], list[ProofLevel], int]:
    """The 行政许可 row printed as `row`: its cells, their levels, and the report's decisions."""
    lines = text.split("\n")
    at = next(i for i, line in enumerate(lines) if "行政许可" in line)
    lines[at] = row
    extraction = ParserExtractor().extract(SourceDocument.from_text("r.txt", "\n".join(lines)))
    proof = prove(extraction, check(extraction.report))
    cells = extraction.report.cells
    return [cells[k] for k in LICENSE], [proof.levels[k] for k in LICENSE], len(proof.decisions)


@pytest.mark.parametrize(
    ("render", "row"),
    [
        ("markdown", "| 行政许可 | 5 | 2<br>8 | 1 |"),
        ("tab", "行政许可\t5\t2\n8\t1"),  # the cell's tab after the 8 shows the row goes on
    ],
)
def test_a_number_split_inside_its_cell_reads_whole(render: str, row: str) -> None:
    values, levels, decisions = _license(_report(render), row)
    assert values == [5, 28, 1]
    assert all(level is ProofLevel.READ_CONFIRMED for level in levels)
    assert decisions == 0


@pytest.mark.parametrize(
    ("row", "read"),
    [
        ("| 行政处罚 | 15<br>3 |", True),  # one cell, its edges on both sides of the pair
        ("| 行政处罚 15<br>3 |", False),  # no edge before it: the label's cell
        ("行政处罚 15\n3", False),  # no edges at all: 3 may be a page number
    ],
)
def test_a_number_split_in_a_rows_only_cell(row: str, read: bool) -> None:
    gold = CanonicalReport.from_json(
        (REAL / "corpus-008_shuyang-county-gov-2025-ocr-md.gold.json").read_text(encoding="utf-8")
    )
    layout = layout_for("2021")
    cells = dict(gold.cells)
    cells["t2.penalty.decisions"] = 153
    doc = Document(
        "某县2025年政府信息公开工作年度报告",
        [t2_table(layout, cells), t3_table(layout, cells), t4_table(layout, cells)],
    )
    lines = markdown(doc, random.Random(0)).split("\n")
    at = next(i for i, line in enumerate(lines) if "行政处罚" in line)
    lines[at] = row
    extraction = ParserExtractor().extract(SourceDocument.from_text("r.md", "\n".join(lines)))
    proof = prove(extraction, check(extraction.report))
    key = "t2.penalty.decisions"
    assert (extraction.report.cells[key] == 153) is read
    assert (proof.levels[key] is ProofLevel.READ_CONFIRMED) is read


@pytest.mark.parametrize(
    "row",
    [
        "行政许可\t5\t1\t2\n8",  # a bare 8 under a tab row: its last digits, or a page number
        "行政许可 5 2\n8 1",  # no cell edges: 28 in one cell, or 2 and 8 with a value lost
    ],
)
def test_a_line_break_the_cells_do_not_settle_stays_open(row: str) -> None:
    render = "tab" if "\t" in row else "markdown"
    _, levels, decisions = _license(_report(render), row)
    assert any(level is not ProofLevel.READ_CONFIRMED for level in levels)
    assert decisions >= 1


def test_a_number_before_the_next_lines_label_is_no_rest_of_a_cell() -> None:
    # a rewrite hunt (a PDF extract numbering its lines): "规章\t143\t0\t6\n12 行政规范性文件
    # \t0…" joined 6 and the next line's number into 612, read as printed and unflagged. A
    # cell's rest is followed by its edge; here words stand before the next edge
    lines = _report("tab").split("\n")
    at = next(i for i, line in enumerate(lines) if "行政许可" in line)
    lines[at] = "行政许可\t5\t1\t2"
    lines[at + 1] = "8 " + lines[at + 1]
    extraction = ParserExtractor().extract(SourceDocument.from_text("r.txt", "\n".join(lines)))
    proof = prove(extraction, check(extraction.report))
    assert extraction.report.cells["t2.license.decisions"] != 28
    assert any(proof.levels[k] is not ProofLevel.READ_CONFIRMED for k in LICENSE)


def test_a_page_number_between_markdown_rows_is_no_cell() -> None:
    values, levels, decisions = _license(_report("markdown"), "| 行政许可 | 5 | 2 | 1 |\n8")
    assert values == [5, 2, 1]
    assert all(level is ProofLevel.READ_CONFIRMED for level in levels)
    assert decisions == 0


def test_a_page_number_after_a_subtable_heading_is_no_value_of_the_row_before() -> None:
    lines = _report("tab").split("\n")
    at = next(i for i, line in enumerate(lines) if "第二十条第（九）项" in line)
    lines[at] += "\n9"  # the page number, printed under the next small table's heading
    extraction = ParserExtractor().extract(SourceDocument.from_text("r.txt", "\n".join(lines)))
    proof = prove(extraction, check(extraction.report))
    keys = ("t2.fees.prev_items", "t2.fees.change")
    assert [extraction.report.cells[k] for k in keys] == [0, 0]
    assert all(proof.levels[k] is ProofLevel.READ_CONFIRMED for k in keys)


@pytest.mark.parametrize(("page", "read"), [("\n\n\n4", True), ("\n4", False)])
def test_a_lone_value_after_a_rows_block_printed_one_cell_per_line(page: str, read: bool) -> None:
    # one cell per line, rows' blocks a blank line apart: "4" in a block of its own after
    # the row's block is a page number; right under the row's last value it may be its digits
    text = "\n".join(line.replace("\t", "\n\n") for line in _report("tab").split("\n")).replace(
        "行政许可\n\n0\n\n0\n\n0", "行政许可\n\n5\n\n2\n\n1" + page
    )
    extraction = ParserExtractor().extract(SourceDocument.from_text("r.txt", text))
    proof = prove(extraction, check(extraction.report))
    assert ([extraction.report.cells[k] for k in LICENSE] == [5, 2, 1]) is read
    assert all(proof.levels[k] is ProofLevel.READ_CONFIRMED for k in LICENSE) is read


@pytest.mark.parametrize(
    ("render", "row", "spacer"),
    [
        ("markdown", "| 行政许可 |  | 2 | 1 |", False),
        ("tab", "行政许可\t5\t2\t", False),
        # every full row of the table has an empty cell after its label: layout, not a blank
        ("markdown", "| 行政许可 |  | 2 | 1 |", True),
    ],
)
def test_an_empty_cell_at_a_rows_edge_is_a_blank_unless_the_table_pads_its_rows(
    render: str, row: str, spacer: bool
) -> None:
    text = _report(render)
    if spacer:  # a label cell two columns wide in every full part-二 row
        text = "\n".join(
            line.replace(" | ", " |  | ", 1)
            if line.startswith("| ") and line.count("|") == 5 and "信息内容" not in line
            else line
            for line in text.split("\n")
        )
    values, levels, _ = _license(text, row)
    blank = 0 if render == "markdown" else 2
    assert values[blank] is None
    assert (levels[blank] is ProofLevel.BLANK_PROVEN) is not spacer


def test_a_row_with_two_values_in_one_cell_is_flagged_whole() -> None:
    # three values for three cells by count, but one cell holds two a line break apart: the
    # other cell then holds two glued values ("210" is 2 and 10), so no cell is proven
    _, levels, decisions = _license(_report("markdown"), "| 行政许可 | 210 | 9<br>2 |")
    assert all(level is not ProofLevel.READ_CONFIRMED for level in levels)
    assert decisions >= 1


def test_two_values_in_one_cell_no_number_could_be_are_read_in_order() -> None:
    # "| 0<br>0 |" (synth-7815-0230): no number starts with 0, so the cell holds two values,
    # read in printed order as a glued run's cut is, and proven the same way: by identities
    # that all hold. Part 三's row sums and column sums check them; part 二 has none
    lines = _report("markdown").split("\n")
    at = next(i for i, line in enumerate(lines) if "1.属于国家秘密" in line)
    assert "| 0 | 0 | 0 |" in lines[at]
    lines[at] = lines[at].replace("| 0 | 0 | 0 |", "| 0<br>0 | 0 |", 1)
    at = next(i for i, line in enumerate(lines) if "行政许可" in line)
    lines[at] = "| 行政许可 | 0<br>5 | 1 |"
    extraction = ParserExtractor().extract(SourceDocument.from_text("r.md", "\n".join(lines)))
    proof = prove(extraction, check(extraction.report))
    secret = [k for k in extraction.report.cells if k.startswith("t3.denied.state_secret.")]
    assert [extraction.report.cells[k] for k in secret] == [0] * 7
    assert all(proof.levels[k] is ProofLevel.READ_CONFIRMED for k in secret)
    assert [extraction.report.cells[k] for k in LICENSE] == [0, 5, 1]
    assert all(proof.levels[k] is ProofLevel.AMBIGUOUS for k in LICENSE)


def test_a_plain_space_among_wider_gaps_may_be_a_thousands_separator_in_part_two() -> None:
    # a rewrite hunt (synth-7922-0046): "行政规范性文件\u3000\u30005 452 \u3000\u300020992109" is
    # 5452, 2099, 2109 with a thousands space and the last two glued; three tokens for three
    # cells were read 5, 452, 20992109 and, part 二 having no identity, went out confirmed
    lines = _report("tab").split("\n")
    at = next(i for i, line in enumerate(lines) if "行政许可" in line)
    lines[at] = "行政许可\u3000\u30005 452\u3000\u300020992109"
    extraction = ParserExtractor().extract(SourceDocument.from_text("r.txt", "\n".join(lines)))
    proof = prove(extraction, check(extraction.report))
    assert all(proof.levels[k] is not ProofLevel.READ_CONFIRMED for k in LICENSE)
    # the same values set evenly apart are three values, read as printed
    lines[at] = "行政许可\u3000\u30005\u3000\u3000452\u3000\u3000209"
    extraction = ParserExtractor().extract(SourceDocument.from_text("r.txt", "\n".join(lines)))
    proof = prove(extraction, check(extraction.report))
    assert [extraction.report.cells[k] for k in LICENSE] == [5, 452, 209]
    assert all(proof.levels[k] is ProofLevel.READ_CONFIRMED for k in LICENSE)


def test_a_value_under_a_part_two_rows_empty_cell_is_in_doubt() -> None:
    # synth-8160-0234: "行政强制\t" (its one cell printed empty), then a page's "4" on the
    # next line, read as the count and confirmed (part 二 has no identity). The value
    # wrapped out of its cell reads the same: flagged either way
    gold = CanonicalReport.from_json(
        (REAL / "corpus-008_shuyang-county-gov-2025-ocr-md.gold.json").read_text(encoding="utf-8")
    )
    layout = layout_for("2021")
    doc = Document(
        "某县2025年政府信息公开工作年度报告",
        [t2_table(layout, gold.cells), t3_table(layout, gold.cells), t4_table(layout, gold.cells)],
    )
    lines = tab_rows(doc, random.Random(0)).split("\n")
    at = next(i for i, line in enumerate(lines) if line.startswith("行政强制"))
    key = "t2.coercion.decisions"

    def read(row: list[str]) -> ProofLevel:
        text = "\n".join([*lines[:at], *row, *lines[at + 1 :]])
        extraction = ParserExtractor().extract(SourceDocument.from_text("r.txt", text))
        assert extraction.report.cells[key] == 4
        return prove(extraction, check(extraction.report)).levels[key]

    assert read(["行政强制\t", "4"]) is not ProofLevel.READ_CONFIRMED
    assert read(["行政强制\t4"]) is ProofLevel.READ_CONFIRMED
    # synth-8640-0073: the same in a markdown table, a page footer's "6" under "| 行政处罚 |  |"
    lines = markdown(doc, random.Random(0)).split("\n")
    at = next(i for i, line in enumerate(lines) if line.startswith("| 行政强制"))
    assert read(["| 行政强制 |  |", "4"]) is not ProofLevel.READ_CONFIRMED
    assert read(["| 行政强制 | 4 |"]) is ProofLevel.READ_CONFIRMED


@pytest.mark.parametrize("mark", [" ", "\xa0", "\u2009", "'"])
def test_a_number_with_a_thousands_space_in_its_cell_reads_whole(mark: str) -> None:
    # a rewrite hunt (thousands marks in delimited cells): "\t1 234\t" counted as two
    # values, the row one over and waiting; the cell edges show the pair is one cell's
    values, levels, _ = _license(_report("tab"), f"行政许可\t5\t1{mark}234\t2")
    assert values == [5, 1234, 2]
    assert all(level is ProofLevel.READ_CONFIRMED for level in levels)
    values, _, _ = _license(_report("markdown"), f"| 行政许可 | 5 | 1{mark}234 | 2 |")
    assert values == [5, 1234, 2]


@pytest.mark.parametrize(
    "row",
    [
        "行政许可 5 1 234 2",  # no cell edges: 1 and 234 may be two values, one lost
        "行政许可\t5\t1 23\t2",  # no group of three: two values in one cell
        "行政许可\t5\t1 234件\t2",  # a unit after it: not a number alone in its cell
    ],
)
def test_digit_groups_the_cells_do_not_show_as_one_stay_open(row: str) -> None:
    values, levels, _ = _license(_report("tab"), row)
    assert values != [5, 1234, 2] or any(lv is not ProofLevel.READ_CONFIRMED for lv in levels)
