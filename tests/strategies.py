"""Hypothesis strategies: random but consistent reports of either template."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import strategies as st

from nianbao.core.layout import RowRole, ValueKind, layout_for
from nianbao.core.models import CanonicalReport, Meta

# Mostly small counts with some large ones, as small and large bodies print them.
counts = st.one_of(st.just(0), st.integers(0, 9), st.integers(0, 5000))


@st.composite
def consistent_reports(draw: st.DrawFn, template: str | None = None) -> CanonicalReport:
    template = template or draw(st.sampled_from(["2019", "2021"]))
    layout = layout_for(template)
    year = draw(st.integers(2019, 2020) if template == "2019" else st.integers(2021, 2026))
    cells: dict[str, object] = {}
    for spec in layout.cells:
        if spec.part != "t2":
            continue
        if spec.kind is ValueKind.AMOUNT:
            cells[spec.key] = Decimal(draw(st.integers(0, 10**7))) / 10000
        elif spec.kind is ValueKind.SIGNED:
            cells[spec.key] = draw(st.integers(-50, 50))
        else:
            cells[spec.key] = draw(counts)
    parts = [c.name for c in layout.t3_columns if c.name != "total"]
    rows = {r.role: [] for r in layout.t3_rows}
    for r in layout.t3_rows:
        rows[r.role].append(r.name)
    (results_total,) = rows[RowRole.RESULTS_TOTAL]
    (carried_forward,) = rows[RowRole.CARRIED_FORWARD]
    first_intake, *other_intake = rows[RowRole.INTAKE]
    for col in parts:
        results = 0
        for name in rows[RowRole.RESULT]:
            cells[f"t3.{name}.{col}"] = value = draw(counts)
            results += value
        cells[f"t3.{results_total}.{col}"] = results
        cells[f"t3.{carried_forward}.{col}"] = forward = draw(counts)
        remaining = results + forward
        for name in other_intake:
            cells[f"t3.{name}.{col}"] = value = draw(st.integers(0, remaining))
            remaining -= value
        cells[f"t3.{first_intake}.{col}"] = remaining
    for r in layout.t3_rows:
        cells[f"t3.{r.name}.total"] = sum(cells[f"t3.{r.name}.{c}"] for c in parts)  # type: ignore[misc]
    for group in layout.t4_groups:
        values = [draw(counts) for _ in layout.t4_columns[:-1]]
        for col, value in zip(layout.t4_columns[:-1], values, strict=True):
            cells[f"t4.{group.name}.{col.name}"] = value
        cells[f"t4.{group.name}.total"] = sum(values)
    return CanonicalReport(meta=Meta(organ="测试街道", year=year, template=template), cells=cells)
