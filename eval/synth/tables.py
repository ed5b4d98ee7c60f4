"""Random but realistic, consistent table values for one report of either layout.

Small bodies (a 街道) print mostly zeros; large ones (a city government) print hundreds or
thousands. Every value is generated from the layout's rows, columns and roles, so the
identities of `rules.identities` hold by construction.
"""

from __future__ import annotations

import random
from decimal import Decimal
from typing import Literal

from nianbao.core.layout import Layout, RowRole, ValueKind
from nianbao.core.models import CellValue

Size = Literal["small", "medium", "large"]
SIZES: tuple[Size, ...] = ("small", "medium", "large")
SIZE_WEIGHTS = (0.5, 0.3, 0.2)

# Applications received in a year (part 三, 一、本年新收, total column).
_NEW_APPLICATIONS: dict[Size, tuple[int, int]] = {
    "small": (0, 12),
    "medium": (10, 180),
    "large": (200, 6000),
}
# Part 二 counts and part 四 cases scale with the body too.
_T2_COUNT: dict[Size, tuple[int, int]] = {"small": (0, 8), "medium": (0, 300), "large": (50, 9000)}
_T4_CASES: dict[Size, tuple[int, int]] = {"small": (0, 1), "medium": (0, 12), "large": (0, 80)}
_ZERO_SHARE: dict[Size, float] = {"small": 0.75, "medium": 0.4, "large": 0.15}


def split(rng: random.Random, total: int, weights: list[float]) -> list[int]:
    """`total` spread over `weights` (each part >= 0, exact sum, random rounding)."""
    weight_sum = sum(weights)
    if total == 0 or weight_sum == 0:
        return [0] * len(weights)
    shares = [total * w / weight_sum for w in weights]
    parts = [int(s) for s in shares]
    remainder = total - sum(parts)
    candidates = [i for i, w in enumerate(weights) if w > 0]
    for _ in range(remainder):
        parts[rng.choice(candidates)] += 1
    return parts


def _sparse_weights(rng: random.Random, n: int, active: float, lead: float) -> list[float]:
    """Weights for n rows/columns: the first dominant (`lead`), the others often zero."""
    weights = [lead]
    for _ in range(n - 1):
        weights.append(rng.expovariate(1.0) if rng.random() < active else 0.0)
    return weights


def _count(rng: random.Random, size: Size, bounds: tuple[int, int]) -> int:
    if rng.random() < _ZERO_SHARE[size]:
        return 0
    low, high = bounds
    # log-uniform: most bodies print small numbers, a few print large ones
    return round(low + (high - low) * rng.random() ** 2.5)


def _amount(rng: random.Random, size: Size) -> Decimal:
    """An amount in 万元, as a yuan figure divided by 10000 (exact decimal)."""
    if rng.random() < _ZERO_SHARE[size]:
        return Decimal(0)
    yuan = _count(rng, "large", (1000, 50_000_000 if size == "large" else 5_000_000))
    if rng.random() < 0.5:
        yuan -= yuan % 100  # many reports round to 百元
    return Decimal(yuan) / Decimal(10000)


def random_t2(rng: random.Random, layout: Layout, size: Size) -> dict[str, CellValue]:
    cells: dict[str, CellValue] = {}
    for spec in layout.cells:
        if spec.part != "t2":
            continue
        if spec.kind is ValueKind.AMOUNT:
            cells[spec.key] = _amount(rng, size)
        elif spec.kind is ValueKind.SIGNED:
            cells[spec.key] = 0 if rng.random() < 0.6 else rng.randint(-30, 30)
        else:
            cells[spec.key] = _count(rng, size, _T2_COUNT[size])
    return cells


def random_t3(rng: random.Random, layout: Layout, size: Size) -> dict[str, CellValue]:
    parts = [c.name for c in layout.t3_columns if c.name != "total"]
    by_role: dict[RowRole, list[str]] = {role: [] for role in RowRole}
    for row in layout.t3_rows:
        by_role[row.role].append(row.name)
    first_intake, *other_intake = by_role[RowRole.INTAKE]
    (results_total,) = by_role[RowRole.RESULTS_TOTAL]
    (forward,) = by_role[RowRole.CARRIED_FORWARD]
    results = by_role[RowRole.RESULT]

    low, high = _NEW_APPLICATIONS[size]
    new_total = 0 if size == "small" and rng.random() < 0.4 else rng.randint(low, high)
    column_weights = _sparse_weights(rng, len(parts), active=0.45, lead=6.0)
    row_weights = _sparse_weights(rng, len(results), active=0.35, lead=3.0)
    carry_share = 0.0 if size == "small" and rng.random() < 0.7 else rng.uniform(0, 0.15)
    forward_share = 0.0 if size == "small" and rng.random() < 0.7 else rng.uniform(0, 0.12)

    cells: dict[str, CellValue] = {}
    for col, new in zip(parts, split(rng, new_total, column_weights), strict=True):
        carried = [round(new * carry_share * rng.random()) for _ in other_intake]
        intake = new + sum(carried)
        carried_forward = round(intake * forward_share)
        handled = intake - carried_forward
        cells[f"t3.{first_intake}.{col}"] = new
        for name, value in zip(other_intake, carried, strict=True):
            cells[f"t3.{name}.{col}"] = value
        # each column spreads its results a little differently around the body's profile
        weights = [w * rng.uniform(0.5, 1.5) for w in row_weights]
        for name, value in zip(results, split(rng, handled, weights), strict=True):
            cells[f"t3.{name}.{col}"] = value
        cells[f"t3.{results_total}.{col}"] = handled
        cells[f"t3.{forward}.{col}"] = carried_forward
    for row in layout.t3_rows:
        cells[f"t3.{row.name}.total"] = sum(cells[f"t3.{row.name}.{c}"] or 0 for c in parts)
    return cells


def random_t4(rng: random.Random, layout: Layout, size: Size) -> dict[str, CellValue]:
    cells: dict[str, CellValue] = {}
    parts = [c.name for c in layout.t4_columns if c.name != "total"]
    for group in layout.t4_groups:
        low, high = _T4_CASES[size]
        total = 0 if rng.random() < _ZERO_SHARE[size] else rng.randint(low, high)
        values = split(rng, total, _sparse_weights(rng, len(parts), active=0.5, lead=2.0))
        for col, value in zip(parts, values, strict=True):
            cells[f"t4.{group.name}.{col}"] = value
        cells[f"t4.{group.name}.total"] = total
    return cells


def random_cells(rng: random.Random, layout: Layout, size: Size) -> dict[str, CellValue]:
    """Every cell of the layout, consistent with every identity, in layout order."""
    values = {**random_t2(rng, layout, size), **random_t3(rng, layout, size)}
    values.update(random_t4(rng, layout, size))
    return {key: values[key] for key in layout.keys}
