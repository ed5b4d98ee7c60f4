"""A model's row checked against the row the source prints: tokens, columns, labels, order."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from extractor.llm.grounding import ground
from extractor.llm.responses import RowReading
from extractor.llm.rowproof import CellCheck, check_cells, plain_numbers, shows
from extractor.llm.units import row_specs

T3_NEW = row_specs("2019")["t3.new"]
PROCUREMENT = row_specs("2019")["t2.procurement"]
LABEL = "一、本年新收政府信息公开申请数量"


def _values(spec, numbers):  # type: ignore[no-untyped-def]
    return {c.key: v for c, v in zip(spec.cells, numbers, strict=True)}


def _checks(spec, numbers, text, template="2019"):  # type: ignore[no-untyped-def]
    return [r.check for r in check_cells(spec, _values(spec, numbers), text, template).values()]


def test_numbers_are_whole_tokens_with_their_separators() -> None:
    assert plain_numbers("政府集中采购\t88\t678.4877") == [Decimal(88), Decimal("678.4877")]
    assert plain_numbers("共受理1,664件") == [Decimal(1664)]
    assert shows(1664, "共受理1,664件")
    assert not shows(64, "共受理1,664件")  # digits inside a longer number are not the value
    assert not shows(6, "规范性文件 0 0 46")
    assert shows(Decimal("373.9265"), "采购总金额 3739265元")
    assert shows(-2, "行政许可 5 -2 3")


def test_a_tab_separated_amount_row_is_two_numbers_not_one() -> None:
    text = "政府集中采购\t88\t678.4877"
    got = _checks(PROCUREMENT, [88, Decimal("678.4877")], text)
    assert got == [CellCheck.CONFIRMED, CellCheck.CONFIRMED]


def test_each_cell_must_be_the_token_in_its_column() -> None:
    text = f"{LABEL}\t7\t1\t0\t0\t0\t0\t8"
    assert set(_checks(T3_NEW, [7, 1, 0, 0, 0, 0, 8], text)) == {CellCheck.CONFIRMED}
    # shifted one column: every moved value contradicts the print, the null is not a blank
    shifted = _checks(T3_NEW, [None, 7, 1, 0, 0, 0, 0], text)
    assert shifted[0] is CellCheck.CONTRADICTED and shifted[1] is CellCheck.CONTRADICTED
    # a 0 read as blank, and a wrong cell with the total moved along (the row still sums)
    assert _checks(T3_NEW, [7, 1, None, 0, 0, 0, 8], text)[2] is CellCheck.CONTRADICTED
    adjusted = _checks(T3_NEW, [7, 1, 1, 0, 0, 0, 9], text)
    assert adjusted[2] is CellCheck.CONTRADICTED and adjusted[6] is CellCheck.CONTRADICTED


def test_a_null_is_proven_only_by_a_printed_blank_in_its_column() -> None:
    for text in (f"| {LABEL} | 7 |  | 0 | 0 | 0 | 0 | 7 |", f"{LABEL} 7 - 0 0 0 0 7"):
        assert _checks(T3_NEW, [7, None, 0, 0, 0, 0, 7], text)[1] is CellCheck.BLANK
    # six numbers for seven columns: where the blank is cannot be told
    got = _checks(T3_NEW, [7, None, 0, 0, 0, 0, 7], f"{LABEL} 7 0 0 0 0 7")
    assert got[1] is CellCheck.NULL_UNPROVEN
    assert got[0] is CellCheck.SHOWN


def test_a_glued_row_is_shown_in_order_never_proven() -> None:
    text = f"{LABEL}640020470"
    assert set(_checks(T3_NEW, [64, 0, 0, 2, 0, 4, 70], text)) == {CellCheck.SHOWN}
    got = _checks(T3_NEW, [64, 0, 0, 2, 0, 5, 71], text)
    assert CellCheck.NOT_SHOWN in got


def test_a_quote_from_another_row_is_flagged_even_when_its_numbers_are_printed() -> None:
    source = f"{LABEL} 7 1 0 0 0 0 8\n二、上年结转政府信息公开申请数量 2 0 0 0 0 0 2\n"
    swapped = RowReading(
        "t3.new",
        _values(T3_NEW, [2, 0, 0, 0, 0, 0, 2]),
        "二、上年结转政府信息公开申请数量 2 0 0 0 0 0 2",
    )
    grounded = ground(swapped, T3_NEW, "2019", source, "llm:x")
    assert grounded.problems
    assert all(
        "not in the printed row of t3.new" in " ".join(p.notes)
        for p in grounded.provenance.values()
    )
    right = RowReading("t3.new", _values(T3_NEW, [7, 1, 0, 0, 0, 0, 8]), f"{LABEL} 7 1 0 0 0 0 8")
    good = ground(right, T3_NEW, "2019", source, "llm:x")
    assert good.problems == [] and all(not p.notes for p in good.provenance.values())


@settings(max_examples=40, deadline=None)
@given(st.lists(st.integers(0, 3000), min_size=7, max_size=7), st.sampled_from(["\t", " | ", "  "]))
def test_a_correct_reading_of_a_delimited_row_is_confirmed(values: list[int], sep: str) -> None:
    text = LABEL + sep + sep.join(f"{v:,}" for v in values)
    assert set(_checks(T3_NEW, values, text)) == {CellCheck.CONFIRMED}


def test_an_amount_printed_in_yuan_is_right_only_converted() -> None:
    text = "政府集中采购 88 3739265元"
    assert _checks(PROCUREMENT, [88, Decimal("373.9265")], text)[1] is CellCheck.CONFIRMED
    assert _checks(PROCUREMENT, [88, Decimal("3739265")], text)[1] is CellCheck.CONTRADICTED


def test_values_printed_elsewhere_in_the_row_are_not_enough() -> None:
    # six tokens for seven columns, one value misread as another number of the row
    got = _checks(T3_NEW, [7, 1, 0, 0, 0, 7, None], f"{LABEL} 7 1 0 0 0 8")
    assert CellCheck.UNORDERED in got
    assert CellCheck.SHOWN not in got


def test_a_row_after_its_label_owns_its_run_from_the_start() -> None:
    """A model that dropped the first value of a glued row and shifted the rest left reads
    digits from inside the row's own run: not shown (found by the simulator, targeted mode:
    "信访举报投诉类申请5000000" read as 0,0,0,0,0,0 with no total)."""
    petition = row_specs("2021")["t3.rejected.petition"]
    text = "信访举报投诉类申请5000000"
    shifted = _checks(petition, [0, 0, 0, 0, 0, 0, None], text, "2021")
    assert CellCheck.SHOWN not in shifted
    as_printed = _checks(petition, [5, 0, 0, 0, 0, 0, None], text, "2021")
    assert as_printed[:6] == [CellCheck.SHOWN] * 6  # a prefix of its own run: in order
    # with no label before it (a whole part's numbers in one run), inside the run still fits
    assert set(_checks(petition, [0, 0, 0, 0, 0, 0, None], "5000000", "2021")[:6]) == {
        CellCheck.SHOWN
    }


def test_an_amount_is_read_in_the_unit_its_header_names() -> None:
    """元 answered as 万元 or 万元 as 元 (the simulator's `unit_scale`, an error mode the
    checks were not built against): a bare amount is 元 only under a header that says so,
    as the parser reads it; before, a value 10000 times smaller was always taken."""
    bare = "政府集中采购\t88\t678.4877"
    assert _checks(PROCUREMENT, [88, Decimal("678.4877")], bare)[1] is CellCheck.CONFIRMED
    for wrong in (Decimal("0.06784877"), Decimal("6784877")):
        assert _checks(PROCUREMENT, [88, wrong], bare)[1] is CellCheck.CONTRADICTED
    spec, values = PROCUREMENT, _values(PROCUREMENT, [88, Decimal("0.06784877")])
    under_yuan = check_cells(spec, values, bare, "2019", unit="元")
    assert under_yuan["t2.procurement.amount_wan"].check is CellCheck.CONFIRMED
    assert under_yuan["t2.procurement.items"].check is CellCheck.CONFIRMED  # a count stays
    as_printed = _values(PROCUREMENT, [88, Decimal("678.4877")])
    under_yuan = check_cells(spec, as_printed, bare, "2019", unit="元")
    assert under_yuan["t2.procurement.amount_wan"].check is CellCheck.CONTRADICTED
    # through the grounding: the header above the row decides
    for header, right, wrong in (
        ("采购项目数量 采购总金额（单位：元）", Decimal("0.06784877"), Decimal("678.4877")),
        ("采购项目数量 采购总金额（单位：万元）", Decimal("678.4877"), Decimal("0.06784877")),
    ):
        source = f"{header}\n{bare}\n"
        for value, ok in ((right, True), (wrong, False)):
            reading = RowReading("t2.procurement", _values(PROCUREMENT, [88, value]), bare)
            grounded = ground(reading, PROCUREMENT, "2019", source, "llm:x")
            noted = grounded.provenance["t2.procurement.amount_wan"].notes
            assert (not noted) is ok, (header, value, noted)


def test_a_glued_number_split_at_the_wrong_place_is_not_shown() -> None:
    """A number read as two (1161 -> 1 and 161, the simulator's `split_thousands`): in a
    glued row after its label, the values, when none is null, make up its whole run."""
    license_ = row_specs("2019")["t2.license"]
    text = "行政许可116165569"
    assert set(_checks(license_, [1161, 6, 5569], text)) == {CellCheck.SHOWN}
    assert CellCheck.SHOWN not in _checks(license_, [1, 161, 6], text)
    source = f"{text}\n行政处罚 5 6 7\n"
    wrong = RowReading("t2.license", _values(license_, [1, 161, 6]), text)
    assert all(p.notes for p in ground(wrong, license_, "2019", source, "x").provenance.values())
    right = RowReading("t2.license", _values(license_, [1161, 6, 5569]), text)
    assert not any(
        p.notes for p in ground(right, license_, "2019", source, "x").provenance.values()
    )


def test_a_row_of_a_whole_part_with_a_missing_cell_is_shown_only_near_its_place() -> None:
    """Part 四 printed as one row of numbers with a cell missing (14 for 15): a row read as
    zeros is not shown by the zeros of the other rows (the simulator's `zero_row`, llm:
    "0 0 0 1 0 ..." read as 0, 0, 0, 0, 0 for the review row)."""
    review = row_specs("2019")["t4.review"]
    text = " | ".join(["0", "0", "0", "1", *["0"] * 10])
    assert CellCheck.SHOWN not in _checks(review, [0, 0, 0, 0, 0], text)
    assert _checks(review, [None, 0, 0, 0, 1], text)[1:] == [CellCheck.SHOWN] * 4
