"""Blank placeholders glued inside a digit run: each a printed blank, the pieces cut alone."""

from __future__ import annotations

from decimal import Decimal

from extractor.parser import ParserExtractor
from extractor.parser.decoding.placeholders import has_glued_mark, segment_blanks
from extractor.parser.resolve import UNSURE_BLANK
from nianbao.core.document import SourceDocument
from nianbao.core.layout import layout_for
from nianbao.core.models import Extraction
from rules.engine import check
from rules.proof import ProofLevel
from rules.proving import Proof, prove
from tests.test_parser_glued import _flat_report

OK = (ProofLevel.READ_CONFIRMED, ProofLevel.BLANK_PROVEN)
ROW_SUM = [((0, 1, 2, 3, 4, 5), 6)]  # a 2021 part-三 row: six applicants, then the total


def test_a_glued_placeholder_is_a_blank_and_the_zeros_around_it_are_proven() -> None:
    found = segment_blanks("0无00000", 7, sums=ROW_SUM)
    assert found.values == [(0, None, 0, 0, 0, 0, 0)]
    assert found.spans[0][1] == (1, 2)  # the blank's span is the placeholder's
    assert found.sole


def test_each_known_mark_is_a_blank() -> None:
    for run in ("00000/0", "00000—0", "00000-0", "00000–0"):
        found = segment_blanks(run, 7, sums=ROW_SUM)
        assert found.values == [(0, 0, 0, 0, 0, None, 0)], run
        assert found.sole, run


def test_a_leading_and_a_trailing_placeholder() -> None:
    assert segment_blanks("无000000", 7).values == [(None, 0, 0, 0, 0, 0, 0)]
    assert segment_blanks("000000无", 7).values == [(0, 0, 0, 0, 0, 0, None)]


def test_the_count_is_blanks_plus_the_pieces_values() -> None:
    assert segment_blanks("0无0", 5).values == []  # 1 blank + 2 values can never be 5 cells
    found = segment_blanks("12-0", 3)
    assert found.values == [(12, None, 0)]
    # "12" also reads 1|2 (a row of four cells, or a value lost): not proven
    assert not found.sole
    found = segment_blanks("12-0", 4)
    assert found.values == [(1, 2, None, 0)] and not found.sole


def test_row_sums_count_a_blank_as_nothing_printed() -> None:
    assert segment_blanks("2无13", 3, sums=[((0, 1), 2)]).values == []  # 2 + 0 is not 13
    found = segment_blanks("12无3", 4, sums=[((0, 1, 2), 3)])
    assert found.values == [(1, 2, None, 3)]  # 12|blank|3 is three cells, not four
    assert not found.sole  # "12" also reads as one value
    found = segment_blanks("5无5", 3, sums=[((0, 1), 2)])
    assert found.values == [(5, None, 5)] and found.sole


def test_a_dash_in_a_signed_row_is_a_sign_first_and_proves_nothing() -> None:
    found = segment_blanks("0-131", 3, signed=[1])
    assert sorted(found.values) == [(0, -13, 1), (0, -1, 31)]
    assert not found.sole
    # no sign reading ("-0" is no value): then it is the blank, still not proven
    found = segment_blanks("5-0", 3, signed=[1])
    assert found.values == [(5, None, 0)] and not found.sole
    # in a row with no signed column the dash can only be a blank
    found = segment_blanks("0-131", 3)
    assert found.values == [(0, None, 131)] and not found.sole  # "131" reads several ways


def test_a_double_dash_is_one_blank_but_not_proven() -> None:
    found = segment_blanks("0——0", 3)
    assert found.values == [(0, None, 0)]
    assert not found.sole  # "——" may be two blanks printed together


def test_amounts_keep_their_decimal_point() -> None:
    found = segment_blanks("2/136.39", 3, decimals=[2])
    assert (2, None, Decimal("136.39")) in found.values
    assert not found.sole  # "136.39" also reads 1|36.39, 13|6.39
    # a point where no amount is printed reads no value
    assert segment_blanks("1.5/0", 3).values == []


def test_only_a_mark_beside_a_digit_is_glued() -> None:
    assert has_glued_mark("0无00000") and has_glued_mark("000000/")
    assert not has_glued_mark("00 00 000")


def _extract(rows: dict[str, str]) -> tuple[Extraction, Proof]:
    text = _flat_report(rows, "0" * 15)
    extraction = ParserExtractor().extract(SourceDocument.from_text("flat.txt", text))
    return extraction, prove(extraction, check(extraction.report))


def test_a_flat_report_with_glued_placeholders_is_read_right_and_accepted() -> None:
    columns = [c.name for c in layout_for("2021").t3_columns]
    extraction, proof = _extract(
        {
            "carried_over": "0无00000",
            "denied.process": "无000000",
            "rejected.duplicate": "00000/0",
            "new": "3—00003",
            "granted": "3000003",
            "results_total": "3000003",
        }
    )
    cells = extraction.report.cells
    assert [cells[f"t3.carried_over.{c}"] for c in columns] == [0, None, 0, 0, 0, 0, 0]
    assert [cells[f"t3.denied.process.{c}"] for c in columns] == [None, 0, 0, 0, 0, 0, 0]
    assert [cells[f"t3.new.{c}"] for c in columns] == [3, None, 0, 0, 0, 0, 3]
    assert extraction.provenance["t3.carried_over.commercial"].method == "blank"
    assert extraction.provenance["t3.carried_over.commercial"].snippet == "无"
    assert proof.levels["t3.carried_over.commercial"] is ProofLevel.BLANK_PROVEN
    assert proof.levels["t3.rejected.duplicate.other_org"] is ProofLevel.BLANK_PROVEN
    assert proof.levels["t3.new.total"] is ProofLevel.READ_CONFIRMED
    # the report prints no part 二, so it is not accepted; every part-三 cell is proven
    assert not [k for k, v in proof.levels.items() if k.startswith("t3.") and v not in OK]


def test_a_blank_in_a_run_that_reads_more_than_one_way_needs_its_identities() -> None:
    # "1无10002": 1|blank|1|0|0|0|2 is the only cut into the row's cells, but "10002" also
    # reads 10|0|0|2 (a value lost, a blank with no trace): the blank's place assumes the
    # count, so, like the run's other cuts, it is proven only by identities that all hold
    columns = [c.name for c in layout_for("2021").t3_columns]
    extraction, proof = _extract(
        {"granted": "1无10002", "results_total": "1010002", "new": "1010002"}
    )
    cells = extraction.report.cells
    assert [cells[f"t3.granted.{c}"] for c in columns] == [1, None, 1, 0, 0, 0, 2]
    prov = extraction.provenance["t3.granted.commercial"]
    assert prov.method == "blank" and prov.snippet == "无"
    assert UNSURE_BLANK in prov.notes
    assert proof.levels["t3.granted.commercial"] is ProofLevel.BLANK_PROVEN
    # the column sum says the blank column holds 1: the blank is no longer proven
    extraction, proof = _extract(
        {"granted": "1无10002", "results_total": "1110003", "new": "1110003"}
    )
    assert extraction.report.cells["t3.granted.commercial"] is None
    assert proof.levels["t3.granted.commercial"] is not ProofLevel.BLANK_PROVEN
    assert "t3.granted.commercial" in extraction.flags


def test_a_hostile_run_is_bounded_and_never_proven() -> None:
    # five pieces of nine digits for fifteen cells: far more combinations than are weighed
    found = segment_blanks("/".join(["123456789"] * 5), 15)
    assert found.truncated and not found.sole
    # the same marks between zeros: one reading, proven
    found = segment_blanks("0/" * 7 + "0", 15)
    assert found.values == [(0, None) * 7 + (0,)] and found.sole
