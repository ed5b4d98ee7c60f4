"""An empty column after every row of a table (a trailing tab, a last "|  |") taken off.

Spreadsheet exports and copied web tables often end every row with one more separator: "规章\t1
\t0\t0\t", "| 规章 | 1 | 0 | 0 |  |". Read as they are, each row ends in an empty cell, which the
parser must take for a blank: every row then prints one cell more than the table has, and a
row whose own last cell is blank cannot be told from one that is not. The empty column is
recognised over the whole file, never row by row: nearly every delimited row ends with it. A
table's own last column (总计) is blank in a few rows at most, so no real blank is taken off.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from extractor.readers.delimited import is_rule_line, pipe_cells

_TRAILING_TAB = re.compile(r"\t[ \u3000]*$")
_TRAILING_EMPTY_CELL = re.compile(r"\|[ \u3000]*\|[ \u3000]*$")
_LAST_RULE_CELL = re.compile(r"\|[ \u3000]*(?::?-{3,}:?)?[ \u3000]*\|[ \u3000]*$")
_MIN_ROWS = 8  # fewer delimited rows than this: too few to tell a column from blanks
_MIN_SHARE = 0.9  # the share of the delimited rows that must end with an empty cell


def without_empty_last_column(text: str) -> str:
    """`text` without the empty cell that ends nearly every tab or pipe row, if one does."""
    lines = text.split("\n")
    tab_rows = [i for i, line in enumerate(lines) if line.count("\t") >= 2]
    if _mostly(tab_rows, lambda i: _TRAILING_TAB.search(lines[i])):
        for i in tab_rows:
            lines[i] = _TRAILING_TAB.sub("", lines[i])
    cells = {i: found for i, line in enumerate(lines) if (found := pipe_cells(line))}
    pipe_rows = [i for i, row in cells.items() if not is_rule_line(row)]
    if _mostly(pipe_rows, lambda i: _TRAILING_EMPTY_CELL.search(lines[i])):
        for i, row in cells.items():  # the rule under the header has the column too
            rule = _LAST_RULE_CELL if is_rule_line(row) else _TRAILING_EMPTY_CELL
            lines[i] = rule.sub("|", lines[i])
    return "\n".join(lines)


def _mostly(rows: list[int], ends_empty: Callable[[int], object]) -> bool:
    if len(rows) < _MIN_ROWS:
        return False
    return sum(bool(ends_empty(i)) for i in rows) >= _MIN_SHARE * len(rows)
