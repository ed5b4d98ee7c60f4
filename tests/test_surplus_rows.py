"""A row printing one value too many: a value left out or a number broken over a line, the
identities weigh every reading, and the one they allow is confirmed only when unique."""

from __future__ import annotations

from nianbao.core.models import CellValue
from rules.proof import ProofLevel
from tests.test_placement import _cells, _prove, _report_text


def _row_line(text: str, label: str) -> tuple[list[str], int]:
    lines = text.split("\n")
    return lines, next(i for i, line in enumerate(lines) if label in line)


def _printed(text: str, label: str, values: str) -> str:
    """`text` with the row labelled `label` printing `values` (its label cells kept)."""
    lines, at = _row_line(text, label)
    lines[at] = "\t".join(lines[at].split("\t")[:-7]) + "\t" + values
    return "\n".join(lines)


def _t3(cells: dict[str, CellValue], row: str) -> list[CellValue]:
    return [v for k, v in cells.items() if k.startswith(f"t3.{row}.")]


def test_a_number_broken_over_a_line_is_read_whole_and_confirmed() -> None:
    text, gold = _report_text(_cells(granted=19))
    levels, cells = _prove(_printed(text, "（一）予以公开", "1\n9\t0\t0\t0\t0\t0\t19"))
    assert _t3(cells, "granted") == _t3(gold.cells, "granted") == [19, 0, 0, 0, 0, 0, 19]
    assert levels["t3.granted.natural"] is ProofLevel.READ_CONFIRMED
    # the reading leaving out the 1 or the 9 breaks the row's sum and the column's


def test_a_value_printed_twice_is_left_out_and_the_row_confirmed() -> None:
    text, _ = _report_text(_cells(granted=8))
    doubled = _printed(text, "（一）予以公开", "8\t8\t0\t0\t0\t0\t0\t8")
    levels, cells = _prove(doubled)
    assert _t3(cells, "granted") == [8, 0, 0, 0, 0, 0, 8]
    assert all(levels[f"t3.granted.{c}"] is ProofLevel.READ_CONFIRMED for c in ("natural", "total"))


def test_rows_two_joint_readings_fit_stay_open() -> None:
    # granted printed 1 natural, partial 1 commercial, each row with a stray 1: leaving out
    # one 1 or the other gives (natural, commercial) or (commercial, natural), and every
    # row sum and column sum holds both ways
    cells = _cells(granted=1, partial=1)
    cells["t3.partial.natural"], cells["t3.partial.commercial"] = 0, 1
    for row in ("new", "results_total"):
        cells[f"t3.{row}.natural"], cells[f"t3.{row}.commercial"] = 1, 1
    text, _ = _report_text(cells)
    stray = "1\t0\t1\t0\t0\t0\t0\t1"
    text = _printed(_printed(text, "（一）予以公开", stray), "（二）部分公开", stray)
    levels, cells = _prove(text)
    for row in ("granted", "partial"):
        for col in ("natural", "commercial"):
            assert levels[f"t3.{row}.{col}"] is not ProofLevel.READ_CONFIRMED
        # 1 in both readings, but its row sum now holds a null: not confirmed either
        assert cells[f"t3.{row}.total"] == 1
        assert levels[f"t3.{row}.total"] is ProofLevel.AMBIGUOUS


def test_part_four_printing_one_value_twice_weighs_all_sixteen_readings() -> None:
    text, _ = _report_text(_cells(granted=1))
    zeros = "\t".join(["0"] * 15)
    # the three groups (2 1 0 0 | 3), (1 2 0 0 | 3), (4 0 1 0 | 5), the first 2 printed
    # twice: 16 values for 15 cells, more distinct readings than a row is usually given
    printed = "2\t2\t1\t0\t0\t3\t1\t2\t0\t0\t3\t4\t0\t1\t0\t5"
    assert text.count(zeros) == 1
    levels, cells = _prove(text.replace(zeros, printed))
    got = [cells[k] for k in cells if k[:3] == "t4."]
    assert got == [2, 1, 0, 0, 3, 1, 2, 0, 0, 3, 4, 0, 1, 0, 5]
    # every other value left out shifts the rest and breaks a group sum: proven, not guessed
    assert all(level is ProofLevel.READ_CONFIRMED for k, level in levels.items() if k[:3] == "t4.")


def test_a_value_printed_twice_in_a_row_whose_print_is_wrong_is_not_explained_away() -> None:
    # 上年结转 printed "1 0 0 0 0 2 1 2": a 0 printed twice, and the report's own error (its
    # total 2, where 1 + 2 + 1 = 4). Leaving out the 2 instead (1 0 0 0 0 1 2) makes every
    # sum hold: the identities would take it as the only reading and hide the print's error.
    cells = _cells(granted=2)
    for col, value in zip(
        ("natural", "commercial", "research", "social", "legal", "other_org", "total"),
        (1, 0, 0, 0, 0, 1, 2),
        strict=True,
    ):
        cells[f"t3.carried_over.{col}"] = value
        cells[f"t3.new.{col}"] = 0
    cells["t3.new.natural"], cells["t3.new.total"] = 1, 1
    cells["t3.carried_forward.other_org"] = cells["t3.carried_forward.total"] = 1
    text, _ = _report_text(cells)
    levels, read = _prove(_printed(text, "二、上年结转", "1\t0\t0\t0\t0\t2\t1\t2"))
    assert _t3(read, "carried_over") == [1, 0, 0, 0, 0, 1, 2]  # the identities' reading
    assert levels["t3.carried_over.other_org"] is not ProofLevel.READ_CONFIRMED
    assert levels["t3.carried_over.total"] is not ProofLevel.READ_CONFIRMED


def test_equal_values_a_space_apart_in_one_cell_may_be_one_number() -> None:
    # "| 7 7 |": 7 printed twice, or 77 with a space in it; part 二 has no identity to tell
    text, _ = _report_text(_cells(granted=8))
    lines, at = _row_line(text, "行政处罚")
    lines[at] = "行政处罚\t7 7\t7\t7"
    levels, cells = _prove("\n".join(lines))
    assert levels["t2.penalty.prev_items"] is not ProofLevel.READ_CONFIRMED
    # "0 0" cannot be one number: the value printed twice, read as printed
    lines[at] = "行政处罚\t0 0\t0\t0"
    levels, cells = _prove("\n".join(lines))
    assert [cells[f"t2.penalty.{c}"] for c in ("prev_items", "change", "decisions")] == [0, 0, 0]
    assert levels["t2.penalty.prev_items"] is ProofLevel.READ_CONFIRMED
