"""Place a row's printed values on its cells when the row printed too few or too many.

A row of n cells may print fewer values (blank cells, dropped cells) or more (a value
printed twice as "8 8", a page number or footnote mark caught in the row). This module lists
the placements, most plausible first, and says why each is plausible. It never chooses:
`extractor.parser.decoding.decode` weighs the placements against the identities.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from itertools import combinations, pairwise
from math import comb

Value = int | Decimal | None

MAX_PLACEMENTS = 64  # placements kept per row
MAX_COMBINATIONS = 5_000  # past this many ways to place gaps, only contiguous gaps are tried
MAX_WINDOWS = 32  # a runaway row: windows of n values tried from each end

# Plausibility costs (smaller is likelier); they only order placements, never exclude one.
COST_DUPLICATE = 0.0  # drop one of two equal neighbours that are not 0 ("8 8")
COST_ZERO_DUPLICATE = 1.0  # drop one of two neighbouring 0s (rows of 0s are normal)
COST_EDGE = 1.5  # drop the first or last value (a stray number beside the row)
COST_INNER = 3.0  # drop a value inside the row with no sign of being stray


@dataclass(frozen=True)
class Placement:
    """One way to put the printed values on n cells.

    `source[i]` is the index of the printed value that fills cell i (None: the cell is
    missing); `dropped` lists printed values left out.
    """

    values: tuple[Value, ...]
    source: tuple[int | None, ...]
    dropped: tuple[int, ...]
    cost: float
    reason: str


def align_values(
    values: Sequence[Value], n: int, *, limit: int = MAX_PLACEMENTS
) -> list[tuple[Value, ...]]:
    """Candidate n-vectors for a row that printed `values`, most plausible first.

    Too few values: the missing cells are None, in every placement of the gaps (gaps at the
    end of the row first, then at its start, then one block inside, then scattered). Too many:
    one value of an adjacent duplicate pair is dropped first, then a value at either end,
    then any other. Equal vectors are listed once.
    """
    return [p.values for p in align(values, n, limit=limit)]


def align(values: Sequence[Value], n: int, *, limit: int = MAX_PLACEMENTS) -> list[Placement]:
    """`align_values` with each placement's source indices, dropped values, cost and reason."""
    if n < 1:
        raise ValueError(f"cannot place values on {n} cells")
    m = len(values)
    if m == n:
        return [Placement(tuple(values), tuple(range(n)), (), 0.0, "as printed")]
    found = _too_few(values, n) if m < n else _too_many(values, n)
    found.sort(key=lambda p: p.cost)
    unique: dict[tuple[Value, ...], Placement] = {}
    for placement in found:
        unique.setdefault(placement.values, placement)
        if len(unique) >= limit:
            break
    return list(unique.values())


def _too_few(values: Sequence[Value], n: int) -> list[Placement]:
    m = len(values)
    gaps = n - m
    if comb(n, gaps) <= MAX_COMBINATIONS:
        choices = list(combinations(range(n), gaps))
    else:
        choices = [tuple(range(s, s + gaps)) for s in range(m + 1)]
    out: list[Placement] = []
    for missing in choices:
        cost, reason = _gap_cost(missing, n)
        filled = iter(range(m))
        source = tuple(None if i in missing else next(filled) for i in range(n))
        vector = tuple(None if s is None else values[s] for s in source)
        out.append(Placement(vector, source, (), cost, reason))
    return out


def _gap_cost(missing: tuple[int, ...], n: int) -> tuple[float, str]:
    """Trailing gaps are likeliest (cells left blank at the end), then leading, then one
    inner block, then scattered; nearer the end breaks ties."""
    gaps = len(missing)
    blocks = 1 + sum(1 for a, b in pairwise(missing) if b != a + 1)
    lateness = (n - 1 - missing[-1]) / n  # 0 when the last gap is the row's last cell
    if missing[-1] == n - 1 and blocks == 1:
        return 0.0, f"last {gaps} cell(s) missing"
    if missing[0] == 0 and blocks == 1:
        return 1.0, f"first {gaps} cell(s) missing"
    if blocks == 1:
        return 2.0 + lateness, f"{gaps} cell(s) missing inside the row"
    return 2.0 + blocks + lateness, f"{gaps} cells missing in {blocks} places"


def _drop_cost(values: Sequence[Value], i: int) -> tuple[float, str]:
    neighbours = [values[j] for j in (i - 1, i + 1) if 0 <= j < len(values)]
    if values[i] is not None and values[i] in neighbours:
        if values[i] != 0:
            return COST_DUPLICATE, f"{values[i]} printed twice"
        return COST_ZERO_DUPLICATE, "a 0 printed twice"
    if i in (0, len(values) - 1):
        return COST_EDGE, f"stray {values[i]} at the {'start' if i == 0 else 'end'} of the row"
    return COST_INNER, f"stray {values[i]} inside the row"


def _too_many(values: Sequence[Value], n: int) -> list[Placement]:
    """Drop `m - n` values. Every way to drop them while there are few; else the cheapest
    drops; and for a row far longer than its cells (a runaway row: 1,000 numbers once built
    C(1000, 2) placements, 3 GB), only windows of n neighbouring values at either end: the
    work is linear in the row and the placements at most MAX_COMBINATIONS."""
    m = len(values)
    extra = m - n
    costs = [_drop_cost(values, i) for i in range(m)]
    choices: Iterable[tuple[int, ...]]
    if comb(m, extra) <= MAX_COMBINATIONS:
        choices = combinations(range(m), extra)
    elif comb(extra + 2, extra) <= MAX_COMBINATIONS:  # the cheapest drops only
        cheapest = sorted(range(m), key=lambda i: costs[i][0])[: extra + 2]
        choices = combinations(sorted(cheapest), extra)
    else:
        return _windows(values, n, costs)
    out: list[Placement] = []
    for dropped in choices:
        gone = set(dropped)
        kept = tuple(i for i in range(m) if i not in gone)
        out.append(
            Placement(
                tuple(values[i] for i in kept),
                kept,
                dropped,
                sum(costs[i][0] for i in dropped),
                "; ".join(costs[i][1] for i in dropped),
            )
        )
    return out


def _windows(values: Sequence[Value], n: int, costs: list[tuple[float, str]]) -> list[Placement]:
    """n neighbouring values, the window starting at either end of the row (at most
    MAX_WINDOWS from each end); everything outside it dropped as stray."""
    m = len(values)
    starts = sorted(
        {*range(min(MAX_WINDOWS, m - n + 1)), *range(max(0, m - n + 1 - MAX_WINDOWS), m - n + 1)}
    )
    total = sum(c for c, _ in costs)
    out: list[Placement] = []
    for s in starts:
        kept = tuple(range(s, s + n))
        inside = sum(costs[i][0] for i in kept)
        out.append(
            Placement(
                tuple(values[s : s + n]),
                kept,
                (*range(s), *range(s + n, m)),
                total - inside,
                f"{m - n} stray values around the row",
            )
        )
    return out
