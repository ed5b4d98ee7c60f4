"""Cutting glued digit runs: the real web-page runs, and random consistent rows glued up."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from extractor.parser.decoding.segment import (
    row_number_readings,
    segment,
    segment_with_row_number,
    split_glued,
    sums_for,
)
from nianbao.core.layout import layout_for
from tests.glued import run_after, t3_runs, t4_run

T3_KEYS = {t: [f"t3.new.{c.name}" for c in layout_for(t).t3_columns] for t in ("2019", "2021")}
T4_KEYS = [k for k in layout_for("2021").keys if k.startswith("t4.")]
ROW_SUM = sums_for("2021", T3_KEYS["2021"])
GROUP_SUMS = sums_for("2021", T4_KEYS)


def test_sums_come_from_the_identities() -> None:
    assert ROW_SUM == [((0, 1, 2, 3, 4, 5), 6)]
    assert GROUP_SUMS == [((0, 1, 2, 3), 4), ((5, 6, 7, 8), 9), ((10, 11, 12, 13), 14)]


@pytest.mark.parametrize(
    ("stem", "row", "expected"),
    [
        ("corpus-003", "new", (64, 0, 0, 2, 0, 4, 70)),
        ("corpus-002", "new", (20, 0, 0, 0, 0, 1, 21)),  # "200 000121"
        ("corpus-001", "new", (23, 0, 0, 0, 0, 0, 23)),  # "230 000023"
        ("corpus-001", "results_total", (23, 0, 0, 0, 0, 0, 23)),  # "23 0 00 0 023"
        ("corpus-006", "new", (217, 1, 0, 0, 0, 0, 218)),
        ("corpus-003", "partial", (5, 0, 0, 0, 0, 0, 5)),  # "500000 5"
    ],
)
def test_real_t3_rows_cut_uniquely_under_the_row_sum(stem: str, row: str, expected: tuple) -> None:
    template = "2019" if stem in {"corpus-001", "corpus-002"} else "2021"
    run, _, _ = t3_runs(stem, template)[row]
    assert split_glued(run, 7, sums=ROW_SUM) == [expected]


@pytest.mark.parametrize(
    ("stem", "expected"),
    [
        ("corpus-003", (1, 0, 2, 0, 3, 12, 0, 0, 0, 12, 0, 0, 0, 0, 0)),
        ("corpus-006", (2, 1, 3, 1, 7, 0, 0, 0, 0, 0, 13, 2, 4, 0, 19)),
        ("corpus-007", (25, 3, 8, 0, 36, 3, 3, 0, 0, 6, 3, 0, 0, 0, 3)),
        ("corpus-005", (1, 1, 0, 0, 2, 4, 0, 0, 1, 5, 1, 0, 1, 0, 2)),
        ("corpus-001", (0,) * 15),
    ],
)
def test_real_t4_runs_decode_uniquely_under_the_group_sums(stem: str, expected: tuple) -> None:
    run = t4_run(stem, "2019" if stem == "corpus-001" else "2021")
    assert split_glued(run, 15, sums=GROUP_SUMS) == [expected]


def test_without_sums_a_t4_run_is_ambiguous() -> None:
    """The group sums, not luck, single out the reading: without them there are many."""
    assert len(split_glued(t4_run("corpus-003"), 15)) > 1


def test_stuck_row_number_offers_both_readings() -> None:
    run, following, _ = run_after("corpus-001", "1.属于国家秘密")
    assert (run, following[:3]) == ("00000002", ".其他")
    assert row_number_readings(run, following) == ["0000000", "00000002"]
    seg = segment_with_row_number(run, 7, following, sums=ROW_SUM)
    assert seg.candidates == [(0,) * 7]
    assert seg.readings[0].row_number == "2"
    # "70000072" + ".没有…": only the reading without the "2" keeps the row sum
    run, following, _ = run_after("corpus-001", "1.本机关不掌握相关政府信息")
    assert segment_with_row_number(run, 7, following, sums=ROW_SUM).candidates == [
        (7, 0, 0, 0, 0, 0, 7)
    ]
    assert row_number_readings("123", "其他") == ["123"]  # no numbering mark: as printed


def test_every_real_t3_row_has_a_reading() -> None:
    for n, stem in enumerate(["corpus-001", "corpus-002", *(f"corpus-00{i}" for i in range(3, 8))]):
        template = "2019" if n < 2 else "2021"
        for row, (run, following, _) in t3_runs(stem, template).items():
            seg = segment_with_row_number(run, 7, following, sums=ROW_SUM)
            assert seg.candidates, f"{stem} {row}: {run!r}"
            assert not seg.truncated


def test_negative_change_only_where_signed() -> None:
    run, _, _ = run_after("corpus-002", "行政事业性收费")
    assert split_glued(run, 2, signed=[1]) == [(35, -15)]
    assert split_glued(run, 2) == []
    run, _, _ = run_after("corpus-002", "行政处罚")
    readings = split_glued(run, 3, signed=[1])
    assert (2648, -18, 538) in readings
    assert all(r[0] == 2648 and r[1] < 0 for r in readings)


def test_no_leading_zeros_and_spans_point_into_the_run() -> None:
    seg = segment("200 000121", 7, sums=ROW_SUM)
    (reading,) = seg.readings
    assert [("200 000121"[s:e]) for s, e in reading.spans] == ["20", "0", "0", "0", "0", "1", "21"]
    assert split_glued("0012", 2) == []
    assert split_glued("102", 2) == [(10, 2)]


def test_amounts_may_hold_a_decimal_point() -> None:
    readings = split_glued("1357.5", 2, decimals=[1])
    assert (135, __import__("decimal").Decimal("7.5")) in readings
    assert split_glued("1357.5", 2) == []


def test_bad_input_is_refused() -> None:
    with pytest.raises(ValueError, match="not a run of digits"):
        split_glued("12a4", 2)
    with pytest.raises(ValueError, match="cannot cut"):
        split_glued("12", 0)


def test_long_runs_stay_bounded() -> None:
    seg = segment("9" * 60, 7, limit=10)
    assert len(seg.readings) <= 10 and seg.truncated
    seg = segment("1234567890" * 4, 7, sums=ROW_SUM, max_nodes=2_000)
    assert seg.truncated or seg.readings == []


values = st.one_of(st.just(0), st.integers(0, 9), st.integers(0, 99), st.integers(0, 3000))


@settings(max_examples=60, deadline=None)
@given(st.lists(values, min_size=6, max_size=6))
def test_glued_row_with_its_total_is_recovered(parts: list[int]) -> None:
    row = (*parts, sum(parts))
    seg = segment("".join(map(str, row)), 7, sums=ROW_SUM)
    assert not seg.truncated
    assert row in seg.candidates
    assert all(sum(c[:6]) == c[6] for c in seg.candidates)


@settings(max_examples=40, deadline=None)
@given(st.lists(st.lists(values, min_size=4, max_size=4), min_size=3, max_size=3))
def test_glued_t4_run_is_recovered(groups: list[list[int]]) -> None:
    row = tuple(v for g in groups for v in (*g, sum(g)))
    seg = segment("".join(map(str, row)), 15, sums=GROUP_SUMS)
    assert row in seg.candidates or seg.truncated


def test_a_total_apart_from_its_parts_is_matched_when_reached() -> None:
    # value 3 = value 0 + value 2 (not a contiguous block): checked at the total's position
    assert split_glued("1234", 4, sums=[((0, 2), 3)]) == [(1, 2, 3, 4)]
    assert split_glued("1235", 4, sums=[((0, 2), 3)]) == []


@settings(max_examples=40, deadline=None)
@given(st.lists(values, min_size=6, max_size=6), st.data())
def test_spaces_at_true_boundaries_only_narrow_the_readings(
    parts: list[int], data: st.DataObject
) -> None:
    row = (*parts, sum(parts))
    spaced = [data.draw(st.booleans()) for _ in row[1:]]
    run = str(row[0]) + "".join(
        (" " if gap else "") + str(v) for gap, v in zip(spaced, row[1:], strict=True)
    )
    with_spaces = split_glued(run, 7, sums=ROW_SUM)
    assert row in with_spaces
    assert set(with_spaces) <= set(split_glued(run.replace(" ", ""), 7, sums=ROW_SUM))
