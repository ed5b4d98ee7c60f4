"""A table read in the wrong column order: the column that adds up the others is not 总计.

Every row of part 三 (and every group of part 四) has one cell that is the sum of the others:
its total, which the national layout prints last. A report may print it first, or elsewhere
(a re-typed table, a PDF whose columns came out in another order), and a reader that maps
the values to the layout's columns in printed order then reads every row shifted. Most rows
break their sums and are flagged, but the column sums still hold (the column read as 自然人
is the true total column, and totals add up down a column as any column does), and a row
whose shift leaves its sum holding (a row of zeros but its last cell, read as total and
自然人 alike) goes out confirmed with its values in the wrong cells.

The print shows this plainly: in every row whose values are all known (one at most
excepted: the report's own misprint), one other position holds the sum of the rest, while
at least MIN_BREAKS rows more break at the position read as the total. Then the column
mapping is the cause, one cause for the whole table: every cell of it loses its proof and
joins one decision with the broken rows. The values are left as read.
Found by a rewrite hunt (part 三 printed total first: 7 of 85 reports went out with a
wrong cell unflagged).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from nianbao.core.layout import Layout
from nianbao.core.models import CellValue
from rules.proof import ProofLevel, is_proven

MIN_BREAKS = 2  # rows breaking at the read total: one alone may be the report's own misprint
OWN_ERRORS = 1  # rows the other position may miss: the report's own misprint

Row = tuple[str, ...]  # a row's keys in layout column order, its total last


def table_rows(layout: Layout) -> list[list[Row]]:
    """The tables whose rows each sum to their last cell: part 三's rows, part 四's groups."""
    t3 = [tuple(layout.t3_key(r.name, c.name) for c in layout.t3_columns) for r in layout.t3_rows]
    t4 = [tuple(f"t4.{g.name}.{c.name}" for c in layout.t4_columns) for g in layout.t4_groups]
    return [t3, t4]


def sums_at(values: Sequence[int], p: int) -> bool:
    """The value at position `p` is the sum of the row's others."""
    return 2 * values[p] == sum(values)


def misplaced_totals(
    rows: Sequence[Row], cells: Mapping[str, CellValue], levels: Mapping[str, ProofLevel]
) -> dict[str, tuple[Row, str]]:
    """Proven cells of a table whose sums point at another total column: key -> (the cells
    of the rows that break at the read total, why)."""
    if not rows:
        return {}
    known: list[tuple[Row, list[int]]] = []
    for row in rows:
        values = [cells.get(k) for k in row]
        if all(isinstance(v, int) and not isinstance(v, bool) for v in values):
            known.append((row, [v for v in values if isinstance(v, int)]))
    total = len(rows[0]) - 1

    def misses(p: int) -> int:
        return sum(not sums_at(values, p) for _, values in known)

    broken = [row for row, values in known if not sums_at(values, total)]
    # another position sums every row, one at most excepted (the report's own misprint),
    # where the read total misses MIN_BREAKS rows more
    elsewhere = [
        p for p in range(total) if misses(p) <= OWN_ERRORS and len(broken) >= misses(p) + MIN_BREAKS
    ]
    if not elsewhere:
        return {}
    column = rows[0][elsewhere[0]].rsplit(".", 1)[1]
    why = (
        f"the column that adds up the others in every row is read as {column}, not as the "
        "total: the table's columns may be printed in another order"
    )
    cause = tuple(k for row in broken for k in row)
    return {k: (cause, why) for row in rows for k in row if is_proven(levels[k])}
