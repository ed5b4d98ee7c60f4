"""What one request asks for: a set of table rows, generated from the layout.

A report is cut into units (one request each) by a *split*:
- ``whole``: every row of parts 二, 三 and 四 in one request;
- ``parts``: one request per part (二, 三, 四);
- ``rows:N``: part 二, part 四, and part 三 in chunks of at most N rows.
Targeted re-extraction and identity re-asks build a unit from any set of rows.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache

from nianbao.core.layout import CellSpec, layout_for


@dataclass(frozen=True)
class RowSpec:
    """One printed row: its key ("t3.denied.state_secret"), labels and cells in column order."""

    key: str
    part: str
    label: str
    group_label: str | None
    cells: tuple[CellSpec, ...]

    @property
    def columns(self) -> tuple[str, ...]:
        return tuple(c.column for c in self.cells)

    @property
    def printed_label(self) -> str:
        return f"{self.group_label} {self.label}" if self.group_label else self.label


@dataclass(frozen=True)
class Unit:
    """The rows one request asks about, all of one template."""

    name: str  # "t3", "t3[1/4]", "reask", "reextract"
    template: str
    rows: tuple[RowSpec, ...]

    @property
    def parts(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(r.part for r in self.rows))

    @property
    def keys(self) -> tuple[str, ...]:
        return tuple(c.key for r in self.rows for c in r.cells)


@cache
def row_specs(template: str) -> dict[str, RowSpec]:
    """Every row of the template, keyed "t2.rules", "t3.new", "t4.review", in layout order."""
    layout = layout_for(template)
    groups = {f"t3.{r.name}": r.group_label for r in layout.t3_rows}
    grouped: dict[str, list[CellSpec]] = {}
    for spec in layout.cells:
        grouped.setdefault(f"{spec.part}.{spec.row}", []).append(spec)
    return {
        key: RowSpec(
            key=key,
            part=cells[0].part,
            label=cells[0].row_label,
            group_label=groups.get(key),
            cells=tuple(cells),
        )
        for key, cells in grouped.items()
    }


def row_of(cell_key: str) -> str:
    """The row key of a cell key: "t3.denied.state_secret.total" -> "t3.denied.state_secret"."""
    return cell_key.rsplit(".", 1)[0]


def unit_for_rows(template: str, row_keys: Iterable[str], name: str) -> Unit:
    """A unit of the given rows, in layout order; unknown row keys are an error."""
    specs = row_specs(template)
    wanted = set(row_keys)
    unknown = wanted - set(specs)
    if unknown:
        raise ValueError(f"rows not in template {template}: {', '.join(sorted(unknown))}")
    return Unit(name, template, tuple(r for k, r in specs.items() if k in wanted))


def unit_for_cells(template: str, cell_keys: Iterable[str], name: str) -> Unit:
    """A unit of the rows holding the given cells."""
    return unit_for_rows(template, {row_of(k) for k in cell_keys}, name)


SPLITS = ("whole", "parts", "rows:N")


def split_units(template: str, split: str) -> list[Unit]:
    """Cut a template's rows into units by `split` (see the module docstring)."""
    rows = list(row_specs(template).values())
    by_part: dict[str, list[RowSpec]] = {}
    for row in rows:
        by_part.setdefault(row.part, []).append(row)
    if split == "whole":
        return [Unit("all", template, tuple(rows))]
    if split == "parts":
        return [Unit(part, template, tuple(rs)) for part, rs in by_part.items()]
    if split.startswith("rows:"):
        try:
            size = int(split.removeprefix("rows:"))
        except ValueError:
            size = 0
        if size < 1:
            raise ValueError(f"split {split!r}: rows:N needs a positive N")
        t3 = by_part["t3"]
        chunks = [t3[i : i + size] for i in range(0, len(t3), size)]
        out = [Unit("t2", template, tuple(by_part["t2"]))]
        out += [
            Unit(f"t3[{n}/{len(chunks)}]", template, tuple(chunk))
            for n, chunk in enumerate(chunks, 1)
        ]
        out.append(Unit("t4", template, tuple(by_part["t4"])))
        return out
    raise ValueError(f"unknown split {split!r}: expected one of {', '.join(SPLITS)}")
