"""The arithmetic identities of a layout, generated from its row and column lists.

No identity is written by hand: each family below walks the layout, so a row added to a
layout gets its row sum and joins the column sums and the balance automatically.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from nianbao.core.layout import RowRole, layout_for


@dataclass(frozen=True)
class Identity:
    """sum(lhs) == sum(rhs), over canonical keys. `rhs` is usually the printed total."""

    id: str  # e.g. "t3.row_sum[new]"
    family: str  # e.g. "t3.row_sum"
    lhs: tuple[str, ...]
    rhs: tuple[str, ...]

    @property
    def keys(self) -> tuple[str, ...]:
        return self.lhs + self.rhs

    def coefficient(self, key: str) -> int:
        """+1 for a left-hand cell, -1 for a right-hand one (residual = lhs - rhs)."""
        return (self.lhs.count(key)) - (self.rhs.count(key))


@cache
def identities_for(template: str) -> tuple[Identity, ...]:
    """Every identity of the template, in a stable order (t3 rows, columns, balance, t4)."""
    layout = layout_for(template)
    t3_parts = [c.name for c in layout.t3_columns if c.name != "total"]
    out: list[Identity] = []

    for row in layout.t3_rows:
        out.append(
            Identity(
                f"t3.row_sum[{row.name}]",
                "t3.row_sum",
                tuple(f"t3.{row.name}.{c}" for c in t3_parts),
                (f"t3.{row.name}.total",),
            )
        )

    def rows_with(role: RowRole) -> list[str]:
        return [r.name for r in layout.t3_rows if r.role is role]

    intake, results = rows_with(RowRole.INTAKE), rows_with(RowRole.RESULT)
    (results_total,) = rows_with(RowRole.RESULTS_TOTAL)
    (carried_forward,) = rows_with(RowRole.CARRIED_FORWARD)
    columns = [c.name for c in layout.t3_columns]
    for col in columns:
        out.append(
            Identity(
                f"t3.results_sum[{col}]",
                "t3.results_sum",
                tuple(f"t3.{r}.{col}" for r in results),
                (f"t3.{results_total}.{col}",),
            )
        )
    for col in columns:
        out.append(
            Identity(
                f"t3.balance[{col}]",
                "t3.balance",
                tuple(f"t3.{r}.{col}" for r in intake),
                (f"t3.{results_total}.{col}", f"t3.{carried_forward}.{col}"),
            )
        )
    t4_parts = [c.name for c in layout.t4_columns if c.name != "total"]
    for group in layout.t4_groups:
        out.append(
            Identity(
                f"t4.group_sum[{group.name}]",
                "t4.group_sum",
                tuple(f"t4.{group.name}.{c}" for c in t4_parts),
                (f"t4.{group.name}.total",),
            )
        )
    return tuple(out)


@cache
def identities_by_key(template: str) -> dict[str, tuple[Identity, ...]]:
    """For each cell, the identities it takes part in."""
    index: dict[str, list[Identity]] = {}
    for ident in identities_for(template):
        for key in ident.keys:
            index.setdefault(key, []).append(ident)
    return {k: tuple(v) for k, v in index.items()}
