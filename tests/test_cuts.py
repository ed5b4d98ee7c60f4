"""The proof of a glued run's cut (rules.cuts): exact counts, and a cut proven only when the
run reads one way whatever number of values it holds, on the real web texts' runs."""

from __future__ import annotations

import itertools
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from extractor.parser import ParserExtractor
from extractor.parser.decoding.decode import RowCandidates, decode_t2
from extractor.parser.decoding.segment import segment, split_glued
from extractor.readers import read_document
from nianbao.core.document import SourceDocument
from nianbao.core.models import CellProvenance, Method
from rules.cuts import cut_proven, cuts, readings, sole_cut
from rules.findings import Status
from rules.proof import ProofLevel
from rules.proving import cell_level
from rules.verdict import verdict
from tests.glued import REAL

BIG = 10**9  # a cap no test run reaches: the counts are exact


def _value(text: str, signed: bool, decimal: bool) -> bool:
    """One printed value, as the parser's search reads one (segment.number)."""
    negative = text.startswith("-")
    if negative and not signed:
        return False
    body = text[1:] if negative else text
    whole, dot, frac = body.partition(".")
    if not whole.isdigit() or (len(whole) > 1 and whole[0] == "0"):
        return False
    if dot and (not decimal or not frac.isdigit()):
        return False
    return not (negative and Decimal(body) == 0)


def _brute_readings(run: str, signed: bool, decimal: bool) -> int:
    """Every way to cut every whitespace piece into values, enumerated."""
    total = 1
    for piece in run.split():
        ways = 0
        for mask in itertools.product((False, True), repeat=len(piece) - 1):
            bounds = [0, *(i + 1 for i, cut in enumerate(mask) if cut), len(piece)]
            parts = [piece[a:b] for a, b in itertools.pairwise(bounds)]
            ways += all(_value(p, signed, decimal) for p in parts)
        total *= ways
    return total


RUNS = st.text(alphabet="0000123456789 -.", min_size=1, max_size=9).filter(lambda r: r.strip())


@settings(max_examples=300, deadline=None)
@given(RUNS, st.booleans(), st.booleans())
def test_readings_at_any_count_match_the_enumeration(run: str, signed: bool, decimal: bool) -> None:
    assert readings(run, signed=signed, decimal=decimal, cap=BIG) == _brute_readings(
        run, signed, decimal
    )


@settings(max_examples=300, deadline=None)
@given(RUNS, st.integers(1, 5), st.data())
def test_cuts_into_n_match_the_parsers_search(run: str, n: int, data: st.DataObject) -> None:
    signed = data.draw(st.lists(st.integers(0, n - 1), max_size=2))
    decimals = data.draw(st.lists(st.integers(0, n - 1), max_size=2))
    found = split_glued(run, n, signed=signed, decimals=decimals, limit=BIG)
    assert cuts(run, n, signed=signed, decimals=decimals, cap=BIG) == len(found)


# ---- the real pingtan web texts: part 二 rows glued to their labels --------------------------
def test_zeros_read_one_way_whatever_the_count() -> None:
    # corpus-004..007 print "规章000": no value but a lone 0 starts with 0, so 000 is 0|0|0
    # as three values and no reading at all as one or two (or four)
    assert readings("000") == 1 and cuts("000", 3) == 1
    assert sole_cut("000", 3)
    assert not sole_cut("000", 2)  # the one reading has three values, not two


def test_several_cuts_stay_unproven() -> None:
    # corpus-004 "行政规范性文件8855698": 15 cuts into three cells (88|55|698, 8|8|55698, …);
    # its gold is null: nothing in the print says which
    assert cuts("8855698", 3, cap=BIG) == 15
    assert readings("8855698", cap=BIG) == 2**6
    assert not sole_cut("8855698", 3)


def test_one_cut_into_n_is_no_proof_when_another_count_reads_too() -> None:
    # "080" cuts one way into three cells, but a row that lost a value prints "0|80" the
    # same way (synth-9-0059 went silently wrong this way when only 3-cuts were counted);
    # "0012" is 0|0|12, or 0|0|1|2 with a value printed twice
    assert cuts("080", 3) == 1 and not sole_cut("080", 3)
    assert cuts("0012", 3) == 1 and not sole_cut("0012", 3)
    # leading zeros leave one reading: 0|0|1, 0|5
    assert sole_cut("001", 3) and sole_cut("05", 2)
    # whitespace is a cut that must be made, but digits between two cuts may still split
    assert sole_cut("0 0 00 0 0 0", 7) and not sole_cut("0 0 10", 3)


def test_kinds_of_the_row_widen_the_readings() -> None:
    # an amount column: "0.5" is one value or none; a signed column: "-" starts a value
    assert readings("00.5", decimal=True, cap=BIG) == 1  # 0|0.5 (".5" and "00.5" are none)
    assert sole_cut("00.5", 2, decimals=[1])
    assert sole_cut("01.5", 2, decimals=[1])  # the point sits inside a value: 0|1.5 only
    assert not sole_cut("01.25", 2, decimals=[1])  # 0|1.25, or 0|1.2|5 with a value more
    assert cuts("0-4", 2, signed=[1]) == 1
    # one reading as signed values, but "-" is also a blank's placeholder: 0|blank|4
    assert readings("0-4", signed=True) == 1 and not sole_cut("0-4", 2, signed=[1])
    assert not sole_cut("-40", 2, signed=[0])  # -4|0, or blank|40
    assert cuts("-0", 1, signed=[0]) == 0 and cuts("-0.0", 1, signed=[0], decimals=[0]) == 0


def test_hostile_runs_are_counted_not_enumerated() -> None:
    # 5,000 digits: 2^4999 readings; the counts stop at the cap in one linear pass each
    assert readings("7" * 5_000) == 2 and cuts("7" * 5_000, 15) == 2
    assert readings("0" * 5_000) == 1 and not sole_cut("7" * 5_000, 15)
    # the longest run the tokenizer hands on (MAX_RUN_CHARS): the search stops at its bound,
    # and the exact count confirms readings were left out
    found = segment("7" * 400, 15)
    assert found.truncated and not found.sole


# ---- the proof: provenance, decoder and the parser end to end --------------------------------
def test_a_proven_cut_is_read_confirmed_with_no_identity() -> None:
    proven = CellProvenance(extractor="parser", method=Method.SEGMENTED, confidence=1.0)
    assumed = proven.model_copy(update={"confidence": 0.95})
    assert cut_proven(proven) and not cut_proven(assumed)
    assert cell_level(0, proven, False, []) is ProofLevel.READ_CONFIRMED
    assert cell_level(0, assumed, False, []) is ProofLevel.AMBIGUOUS
    # the identities still rule: a proven cut in a broken identity contradicts it
    assert cell_level(0, proven, False, [Status.FAILED]) is ProofLevel.CONTRADICTS
    doubted = proven.model_copy(update={"notes": ["a doubt"]})
    assert cell_level(0, doubted, False, []) is not ProofLevel.READ_CONFIRMED


def test_part_two_decoder_marks_only_the_sole_cut() -> None:
    rows = {
        "rules": RowCandidates.from_segmentation("rules", segment("000", 3)),
        "normative": RowCandidates.from_segmentation("normative", segment("080", 3)),
    }
    cells = decode_t2(rows, "2021").cells
    assert cells["t2.rules.issued"].confidence == 1.0
    assert "whatever number of values" in cells["t2.rules.issued"].basis
    assert cells["t2.normative.issued"].confidence < 1.0  # one 3-cut, but not the only reading


def test_corpus_004_part_two_zeros_proven_and_its_open_row_flagged() -> None:
    (path,) = REAL.glob("corpus-004*.txt")
    read = read_document(path)
    # without part 一's restatement of the row (tests/test_restated.py has it settle the row)
    said = "集中公开现行有效行政规范性文件698件，动态更新本年度制发的规范性文件88件"
    assert said in read.text
    doc = SourceDocument.from_text(read.name, read.text.replace(said, "集中公开行政规范性文件"))
    extraction = ParserExtractor().extract(doc)
    proof = verdict(extraction, doc.text).proof
    for col in ("issued", "repealed", "in_force"):
        assert extraction.report.cells[f"t2.rules.{col}"] == 0
        assert proof.levels[f"t2.rules.{col}"] is ProofLevel.READ_CONFIRMED
        # 8855698 stays open: null, flagged, its readings offered
        assert extraction.report.cells[f"t2.normative.{col}"] is None
        assert proof.levels[f"t2.normative.{col}"] is ProofLevel.AMBIGUOUS


def test_corpus_003_cut_the_identities_single_out_is_read_confirmed() -> None:
    # "270020130" (予以公开) cuts two ways under its row sum; the column sums keep one: the
    # cells are read from the print and proven by the identities, not inferred
    (path,) = REAL.glob("corpus-003*.txt")
    doc = read_document(path)
    extraction = ParserExtractor().extract(doc)
    proof = verdict(extraction, doc.text).proof
    assert extraction.report.cells["t3.granted.natural"] == 27
    assert extraction.provenance["t3.granted.natural"].method == "segmented"
    assert proof.levels["t3.granted.natural"] is ProofLevel.READ_CONFIRMED


def test_a_run_printed_with_thousands_separators_counts_the_readings_commas_allow() -> None:
    from rules.cuts import grouped_readings

    assert grouped_readings("1,1967,9331,201") == 1  # 1,196|7,933|1,201 and nothing else
    assert grouped_readings("1,2345") == 1  # 1,234|5
    assert grouped_readings("6811,3164,563") == 2  # 681|1,316|4,563 or 68|11,316|4,563 …
    assert grouped_readings("12,3454,567") == 2  # 12,345|4,567 or 1|2,345|4,567
    assert grouped_readings("0,123") == 0  # no value starts with 0 and goes on
    assert grouped_readings("4,249.62") == 2  # a point: not counted here (never sole)


def test_a_glued_part_two_row_with_one_reading_under_its_commas_is_read() -> None:
    from tests.test_cell_breaks import _license, _report

    values, levels, decisions = _license(_report("tab"), "行政许可\t1,1967,9331,201")
    assert values == [1196, 7933, 1201]
    assert all(level is ProofLevel.READ_CONFIRMED for level in levels)
    assert decisions == 0
    _, levels, decisions = _license(_report("tab"), "行政许可\t12,3454,567")
    assert decisions == 1  # 1|2,345|4,567, or 12,345|4,567 with a value lost


def _brute_grouped(run: str) -> int:
    """Every split of `run` into values (plain, or grouped with ",ddd"), counted."""
    import re

    value = re.compile(r"0|[1-9]\d*|[1-9]\d{0,2}(?:,\d{3})+")
    if not run:
        return 1
    return sum(_brute_grouped(run[j:]) for j in range(1, len(run) + 1) if value.fullmatch(run[:j]))


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="0123,", min_size=1, max_size=12))
def test_grouped_readings_counts_as_enumeration_does(run: str) -> None:
    from rules.cuts import grouped_readings

    assert grouped_readings(run) == min(2, _brute_grouped(run))
