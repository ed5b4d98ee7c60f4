"""Proof of a placement: which cells of rows placed by order the identities pin down.

A parser sometimes finds whole lines of values whose labels it could not tie to them
(labels detached from their rows, stacked above them, lost) and places the lines on the
rows by their printed order. The order is an assumption. This module checks it the only
sound way: it enumerates every other assignment of those lines to those rows (a
permutation within each group of rows that share a pool of lines) and keeps the ones that
break no identity. A cell's placement is proven when every kept assignment gives it the
same value as the chosen one; a cell whose value differs in some kept assignment depends
on the choice and must be flagged.

Why enumerate: the identities cannot see every swap. Two result rows swapped inside
`t3.results_sum` keep every column sum and every row sum, so "the identities hold" proves
nothing about their order unless the rows print equal values. Only the alternatives
themselves tell. The search is bounded (`MAX_ASSIGNMENTS`); past the bound nothing is
proven. An identity with a null is unknown and discards no assignment (a null is no
evidence against it).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from math import prod

from nianbao.core.models import CellValue
from rules.identities import Identity, identities_for

MAX_ASSIGNMENTS = 5040  # distinct assignments searched jointly (7 distinct lines)

Row = tuple[str, ...]  # one row's canonical keys, in column order


@dataclass
class PlacementProof:
    """Keys whose value every kept assignment agrees on, and keys whose value depends on
    the choice (another assignment the identities allow gives them another value)."""

    proven: set[str] = field(default_factory=set)
    depends: set[str] = field(default_factory=set)
    bounded: set[str] = field(default_factory=set)  # in a group past the search bound
    others: dict[str, list[CellValue]] = field(default_factory=dict)  # depends: other values


def _permutations(lines: list[tuple[CellValue, ...]]) -> Iterator[tuple[int, ...]]:
    """Every distinct arrangement of `lines` (equal lines are interchangeable), as indices
    into `lines`: arrangement[k] is the line row k takes."""
    n = len(lines)
    first: dict[tuple[CellValue, ...], int] = {}
    kind = [first.setdefault(line, i) for i, line in enumerate(lines)]  # equal lines: one id
    left: dict[int, list[int]] = {}
    for i, k in enumerate(kind):
        left.setdefault(k, []).append(i)
    chosen: list[int] = []

    def walk() -> Iterator[tuple[int, ...]]:
        if len(chosen) == n:
            yield tuple(chosen)
            return
        for pool in left.values():
            if pool:
                chosen.append(pool.pop())
                yield from walk()
                pool.append(chosen.pop())

    yield from walk()


def _count(lines: list[tuple[CellValue, ...]]) -> int:
    """How many distinct arrangements `lines` has (multinomial), without listing them."""
    total, n = 1, 0
    counts: dict[tuple[CellValue, ...], int] = {}
    for line in lines:
        counts[line] = counts.get(line, 0) + 1
    for c in counts.values():
        for i in range(1, c + 1):
            n += 1
            total = total * n // i
    return total


def _fails(ident: Identity, cells: Mapping[str, CellValue]) -> bool:
    left = right = 0
    for key in ident.lhs:
        value = cells.get(key)
        if value is None:
            return False  # unknown: no evidence against the assignment
        left += value
    for key in ident.rhs:
        value = cells.get(key)
        if value is None:
            return False
        right += value
    return left != right


def _search(
    template: str,
    cells: Mapping[str, CellValue],
    groups: Sequence[Sequence[Row]],
    unknown: set[str],
) -> list[dict[str, CellValue]] | None:
    """The assignments of `groups` (jointly) that break no identity, with the cells in
    `unknown` taken as nulls; None past the search bound."""
    lines = [[tuple(cells.get(k) for k in row) for row in rows] for rows in groups]
    if prod(_count(g) for g in lines) > MAX_ASSIGNMENTS:
        return None
    keys = {k for rows in groups for row in rows for k in row}
    touched = [i for i in identities_for(template) if keys & set(i.keys)]
    base = {k: (None if k in unknown else v) for k, v in cells.items()}
    kept: list[dict[str, CellValue]] = []

    def walk(g: int, trial: dict[str, CellValue]) -> None:
        if g == len(groups):
            if not any(_fails(i, trial) for i in touched):
                kept.append({k: trial.get(k) for k in keys})
            return
        for arrangement in _permutations(lines[g]):
            for row, line in zip(groups[g], arrangement, strict=True):
                trial.update(zip(row, lines[g][line], strict=True))
            walk(g + 1, trial)

    walk(0, dict(base))
    return kept


def prove_placement(
    template: str, cells: Mapping[str, CellValue], groups: Sequence[Sequence[Row]]
) -> PlacementProof:
    """Which cells of `groups` (each: rows whose printed lines may be arranged any way among
    them; `cells` holds the chosen arrangement) the identities prove.

    All groups are searched jointly when the bound allows; else each group alone with the
    other groups' cells taken as unknown, which keeps more assignments (never fewer) and so
    proves less, never more. The chosen arrangement must itself break no identity."""
    proof = PlacementProof()
    groups = [g for g in groups if g]
    if not groups:
        return proof
    joint = _search(template, cells, groups, set())
    if joint is not None:
        plans = [(list(groups), joint)]
    else:
        plans = []
        for g, rows in enumerate(groups):
            others = {k for h, rs in enumerate(groups) if h != g for r in rs for k in r}
            plans.append(([rows], _search(template, cells, [rows], others)))
    for plan_groups, kept in plans:
        keys = [k for rows in plan_groups for row in rows for k in row]
        if kept is None:
            proof.bounded.update(keys)
            continue
        chosen = {k: cells.get(k) for k in keys}
        if not any(all(a.get(k) == v for k, v in chosen.items()) for a in kept):
            continue  # the chosen arrangement breaks an identity: nothing is proven
        for key in keys:
            if all(a.get(key) == chosen[key] for a in kept):
                proof.proven.add(key)
            else:
                proof.depends.add(key)
                seen = dict.fromkeys(a.get(key) for a in kept if a.get(key) != chosen[key])
                proof.others[key] = list(seen)
    return proof
