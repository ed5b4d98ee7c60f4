"""Error localisation: the smallest sets of cells whose change alone repairs every identity.

Exact integer algebra over the identity system. Broken identities must each contain a
changed cell, so candidate sets are hitting sets of the broken identities, grown one cell at a
time from the smallest broken identity (at most a few hundred sets for a full report). Each
candidate is solved exactly with fractions against every identity it touches. Nothing is
changed: the result is a ranked list of suspects and the values their change implies.
"""

from __future__ import annotations

from collections.abc import Mapping
from fractions import Fraction

from nianbao.core.layout import ValueKind, layout_for
from nianbao.core.models import CellValue
from rules.findings import Suspect
from rules.identities import Identity, identities_by_key, identities_for

MAX_SET_SIZE = 3  # size 1, then 2; 3 only when nothing smaller repairs the report


def _active(template: str, cells: Mapping[str, CellValue]) -> list[Identity]:
    """Identities whose cells are all known (a null cell takes part in no identity)."""
    return [i for i in identities_for(template) if all(cells.get(k) is not None for k in i.keys)]


def _residual(ident: Identity, cells: Mapping[str, CellValue]) -> int:
    return int(sum(cells[k] for k in ident.lhs) - sum(cells[k] for k in ident.rhs))  # type: ignore[misc]


def _solve(rows: list[list[Fraction]], n: int) -> tuple[bool, list[Fraction] | None]:
    """Gaussian elimination on [A | b]. Returns (consistent, unique solution or None)."""
    rows = [r[:] for r in rows]
    pivot_cols: list[int] = []
    r = 0
    for c in range(n):
        pivot = next((i for i in range(r, len(rows)) if rows[i][c] != 0), None)
        if pivot is None:
            continue
        rows[r], rows[pivot] = rows[pivot], rows[r]
        p = rows[r][c]
        rows[r] = [v / p for v in rows[r]]
        for i in range(len(rows)):
            if i != r and rows[i][c] != 0:
                f = rows[i][c]
                rows[i] = [a - f * b for a, b in zip(rows[i], rows[r], strict=True)]
        pivot_cols.append(c)
        r += 1
    if any(all(v == 0 for v in row[:n]) and row[n] != 0 for row in rows):
        return False, None
    if len(pivot_cols) < n:
        return True, None
    solution = [Fraction(0)] * n
    for i, c in enumerate(pivot_cols):
        solution[c] = rows[i][n]
    return True, solution


def localise(
    template: str,
    cells: Mapping[str, CellValue],
    max_size: int = MAX_SET_SIZE,
    limit: int = 20,
) -> list[Suspect]:
    """Ranked suspects: fewest cells first, then the smallest change, then layout order."""
    layout = layout_for(template)
    order = {k: n for n, k in enumerate(layout.keys)}
    kinds = {spec.key: spec.kind for spec in layout.cells}
    active = _active(template, cells)
    residual = {i.id: _residual(i, cells) for i in active}
    broken = [i for i in active if residual[i.id] != 0]
    if not broken:
        return []
    active_ids = {i.id for i in active}
    by_key = {
        k: [i for i in idents if i.id in active_ids]
        for k, idents in identities_by_key(template).items()
    }

    found: list[Suspect] = []
    solved_sets: list[frozenset[str]] = []
    seen: set[frozenset[str]] = set()

    def try_set(chosen: frozenset[str]) -> None:
        keys = sorted(chosen, key=order.__getitem__)
        touched = {i.id: i for k in keys for i in by_key[k]}
        matrix = [
            [Fraction(i.coefficient(k)) for k in keys] + [Fraction(-residual[i.id])]
            for i in touched.values()
        ]
        consistent, solution = _solve(matrix, len(keys))
        if not consistent:
            return
        current = {k: int(cells[k]) for k in keys}  # type: ignore[arg-type]
        if solution is None:
            implied: dict[str, int | None] = dict.fromkeys(keys)
            change = None
        else:
            if any(d == 0 or d.denominator != 1 for d in solution):
                return  # a zero change means a smaller set does it; fractions are no counts
            changed = {k: current[k] + int(d) for k, d in zip(keys, solution, strict=True)}
            if any(v < 0 for k, v in changed.items() if kinds[k] is not ValueKind.SIGNED):
                return
            implied = {**changed}
            change = sum(abs(int(d)) for d in solution)
        solved_sets.append(chosen)
        found.append(
            Suspect(
                cells=keys,
                current=dict(current),
                implied=implied,
                change=change,
                fixes=[i.id for i in broken if i.id in touched],
            )
        )

    def grow(chosen: frozenset[str], size: int) -> None:
        if chosen in seen or any(s <= chosen for s in solved_sets):
            return
        seen.add(chosen)
        unhit = [i for i in broken if not chosen.intersection(i.keys)]
        if not unhit:
            try_set(chosen)
            return
        if len(chosen) == size:
            return
        narrowest = min(unhit, key=lambda i: len(i.keys))
        for key in narrowest.keys:
            grow(chosen | {key}, size)

    for size in range(1, max_size + 1):
        seen.clear()
        grow(frozenset(), size)
        if found:
            break  # only the smallest sets: a larger one is a less likely story

    found.sort(
        key=lambda s: (
            len(s.cells),
            s.change is None,
            s.change or 0,
            [order[k] for k in s.cells],
        )
    )
    for n, suspect in enumerate(found[:limit], start=1):
        suspect.rank = n
    return found[:limit]


def implicated_cells(template: str, cells: Mapping[str, CellValue], limit: int = 10) -> list[str]:
    """Cells ranked by how many broken identities they sit in, less the ones they satisfy.

    A fallback view for reports whose damage is too wide for `localise` to pin down.
    """
    active = _active(template, cells)
    score: dict[str, float] = {}
    for ident in active:
        broken = _residual(ident, cells) != 0
        for key in ident.keys:
            score[key] = score.get(key, 0.0) + (1.0 if broken else -0.25)
    order = {k: n for n, k in enumerate(layout_for(template).keys)}
    ranked = sorted((k for k, v in score.items() if v > 0), key=lambda k: (-score[k], order[k]))
    return ranked[:limit]
