"""A table's 序号 column (1, 2, 3, ... before each row's label) taken off.

Some bodies print their tables with a serial-number column first: "| 3 | 规章 | 0 | 1 | 5 |".
Read as it is, each row's serial number stands between the row above's values and its own
label, so every row above reads one value too many. The column is recognised by its shape
over the whole table, never row by row: nearly every row of the delimited table opens with a
number, and those numbers count up one at a time (restarting at 1 for a new table). Values
never do that down a table, so a table whose first cells are values is left as it is.
"""

from __future__ import annotations

import re
from itertools import pairwise

from extractor.readers.delimited import is_rule_cell, pipe_cells

_SERIAL = re.compile(r"\d{1,3}")
_HEADER = "序号"
_MIN_ROWS = 8  # fewer rows than this: too few to tell a serial column from values
_MIN_SHARE = 0.8  # the share of the rows that must open with a serial number
_ROWS_PER_TABLE = 4  # a count restarting at 1 more often than this is no serial column


def without_serial_column(text: str) -> str:
    """`text` with the first cell of its pipe or tab rows taken off when it is a 序号 column."""
    lines = text.split("\n")
    for split, join in ((pipe_cells, _pipe_row), (_tab_cells, "\t".join)):
        rows = {i: cells for i, line in enumerate(lines) if (cells := split(line))}
        if _is_serial_column([cells[0] for cells in rows.values()]):
            for i, cells in rows.items():
                if _in_serial_column(cells[0]):
                    lines[i] = join(cells[1:])
            return "\n".join(lines)
    return text


def _in_serial_column(cell: str) -> bool:
    return bool(_SERIAL.fullmatch(cell) or cell in ("", _HEADER) or is_rule_cell(cell))


def _is_serial_column(first_cells: list[str]) -> bool:
    rows = [cell for cell in first_cells if not is_rule_cell(cell)]
    serials = [int(cell) for cell in rows if _SERIAL.fullmatch(cell)]
    if len(rows) < _MIN_ROWS or len(serials) < _MIN_SHARE * len(rows):
        return False
    steps = list(pairwise(serials))
    restarts = sum(b == 1 for _, b in steps)
    return (
        serials[0] == 1
        and all(b in (a + 1, 1) for a, b in steps)
        and restarts * _ROWS_PER_TABLE <= len(serials)  # a column of 1s is no count
    )


def _pipe_row(cells: list[str]) -> str:
    return "| " + " | ".join(cells) + " |"


def _tab_cells(line: str) -> list[str] | None:
    if line.count("\t") < 2:
        return None
    return [cell.strip() for cell in line.split("\t")]
