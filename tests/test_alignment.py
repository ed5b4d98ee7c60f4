"""Placing a row's values when it printed too few or too many: the seeds, and random rows."""

from __future__ import annotations

import itertools

from hypothesis import given, settings
from hypothesis import strategies as st

from extractor.parser.decoding.alignment import align, align_values
from tests.glued import values_after


def test_exact_row_is_taken_as_printed() -> None:
    assert align_values([1, 2, 3], 3) == [(1, 2, 3)]


def test_seed003_duplicated_8_is_dropped_first() -> None:
    printed = values_after("seed-003", "1.本机关不掌握相关政府信息")
    assert printed == [8, 8, 0, 0, 0, 0, 0, 8]
    placements = align(printed, 7)
    assert placements[0].values == (8, 0, 0, 0, 0, 0, 8)
    assert "8 printed twice" in placements[0].reason
    # the other readings are still offered, for the identities to rule out
    assert (8, 8, 0, 0, 0, 0, 0) in [p.values for p in placements]


def test_seed003_row_with_six_of_seven_values_gets_a_gap() -> None:
    printed = values_after("seed-003", "3.其他", after="（六）其 他处理")
    assert printed == [0] * 6
    candidates = align_values(printed, 7)
    assert candidates[0] == (0, 0, 0, 0, 0, 0, None)  # a trailing blank is likeliest
    assert len(candidates) == 7  # the gap can be in any of the 7 cells
    assert all(c.count(None) == 1 for c in candidates)


def test_seed002_rows_with_three_to_five_values() -> None:
    for label, printed_count in [
        ("一、本年新收政府信息公开申请数量", 5),
        ("二、上年结转政府信息公开申请数量", 3),
    ]:
        printed = values_after("seed-002", label, after="三、收到和处理")
        assert len(printed) == printed_count
        placements = align(printed, 7)
        assert all(p.values.count(None) == 7 - printed_count for p in placements)
        assert placements[0].source[:printed_count] == tuple(range(printed_count))


def test_seed001_part4_sixteen_zeros_for_fifteen_cells() -> None:
    printed = values_after("seed-001", "总计", after="五、存在的主要问题", last=True)
    assert len(printed) == 16
    assert align_values(printed, 15) == [(0,) * 15]  # every drop gives the same vector


def test_stray_number_at_the_edge_before_one_inside() -> None:
    placements = align([3, 1, 2, 3, 4], 4)
    assert placements[0].values == (1, 2, 3, 4)
    assert placements[0].dropped == (0,)


def test_blanks_pass_through() -> None:
    assert align_values([1, None, 2], 3) == [(1, None, 2)]
    assert align_values([None, 2], 3)[0] == (None, 2, None)


def test_bounded() -> None:
    assert len(align_values(list(range(3)), 15, limit=10)) == 10
    assert len(align_values(list(range(40)), 15)) <= 64


rows = st.lists(st.integers(0, 200), min_size=2, max_size=15)


@settings(max_examples=80, deadline=None)
@given(rows, st.data())
def test_duplicated_value_is_recovered(row: list[int], data: st.DataObject) -> None:
    at = data.draw(st.integers(0, len(row) - 1))
    printed = [*row[: at + 1], row[at], *row[at + 1 :]]
    candidates = align_values(printed, len(row))
    assert tuple(row) in candidates
    if row[at] != 0 and all(a != b for a, b in itertools.pairwise(row)):
        assert candidates[0] == tuple(row)  # the only non-zero pair printed twice


@settings(max_examples=80, deadline=None)
@given(rows, st.data())
def test_dropped_value_leaves_a_gap_where_it_was(row: list[int], data: st.DataObject) -> None:
    at = data.draw(st.integers(0, len(row) - 1))
    printed = row[:at] + row[at + 1 :]
    expected = tuple(None if i == at else v for i, v in enumerate(row))
    candidates = align_values(printed, len(row))
    assert expected in candidates
    for candidate in candidates:  # no value is invented, none is reordered
        assert [v for v in candidate if v is not None] == printed
