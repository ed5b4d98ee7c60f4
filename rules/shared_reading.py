"""Cells placed by one reading of a run of values lose their proof when that reading breaks.

An identity holding confirms a cell's value, and so the place it was given, only if a wrong
placement would have broken it. Two readings place many cells at once, so an error in
one place moves others:
- a glued run cut into cells ("1940230412582"): when one of its cells breaks an identity the
  cut is wrong somewhere, and the run's other cells are cut by the same wrong guess;
- part 四's values read in printed order as one run of 15: a value too many or too few
  before a group moves every later group by one place. A later group whose sum holds
  whether its values are moved or not (a group of zeros and blanks) cannot show it.
Both leave the cells' values alone; they only withdraw a proof the checks could not give.
Each withdrawn cell names the cells of the break that withdrew it: settling the break (the
same cause) settles it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from nianbao.core.models import CellProvenance, CellValue
from rules.identities import Identity
from rules.proof import ProofLevel, is_proven

CUT_METHODS = frozenset({"segmented", "aligned"})  # cells placed by a cut of a run


def _row(key: str) -> str:
    return key.rsplit(".", 1)[0]


def undermined_cuts(
    keys: Sequence[str],
    levels: Mapping[str, ProofLevel],
    prov: Mapping[str, CellProvenance],
) -> dict[str, tuple[tuple[str, ...], str]]:
    """Proven cells cut from the same run as two parts that break identities while the run
    still adds up (a wrong cut moves digits between parts; another row's error breaks one
    part's column and the total's): key -> (the cells of the break, why)."""
    broken_rows: dict[str, list[str]] = {}
    for k in keys:
        if levels[k] is ProofLevel.CONTRADICTS and _cut(prov.get(k)):
            broken_rows.setdefault(_row(k), []).append(k)
    out: dict[str, tuple[tuple[str, ...], str]] = {}
    for key in keys:
        breaks = broken_rows.get(_row(key), [])
        if sum(not _total(k) for k in breaks) < 2:
            continue
        if not is_proven(levels[key]) or not _cut(prov.get(key)):
            continue
        out[key] = (
            tuple(breaks),
            f"cut from the same run of digits as {' and '.join(breaks)}, which break "
            "identities: the cut is wrong somewhere",
        )
    return out


def _total(key: str) -> bool:
    return key.endswith(".total")


def _cut(prov: CellProvenance | None) -> bool:
    return prov is not None and prov.method in CUT_METHODS


def _shifted_holds(ident: Identity, order: Sequence[str], values: Sequence[int], by: int) -> bool:
    at = {k: n for n, k in enumerate(order)}
    total = 0
    for key in ident.keys:
        n = at[key] + by
        value = values[n] if 0 <= n < len(values) else 0
        total += ident.coefficient(key) * value
    return total == 0


def undermined_by_shift(
    order: Sequence[str],
    groups: Sequence[Identity],
    cells: Mapping[str, CellValue],
    levels: Mapping[str, ProofLevel],
    broken: set[str],
) -> dict[str, tuple[tuple[str, ...], str]]:
    """Proven cells of part 四 groups printed after a group whose sum breaks, when their own
    sum holds with the run moved one place either way: key -> (the cells of the break, why).

    `order` is part 四's keys in printed order, `groups` its group sums in that order,
    `broken` the ids of identities that fail."""
    values = [v if isinstance(v, int) else 0 for v in (cells.get(k) for k in order)]
    out: dict[str, tuple[tuple[str, ...], str]] = {}
    first_break: Identity | None = None
    for ident in groups:
        if first_break is None:
            if ident.id in broken:
                first_break = ident
            continue
        if ident.id in broken:
            continue
        if not all(_shifted_holds(ident, order, values, by) for by in (-1, 1)):
            continue  # a move of the run would have broken this sum: its holding tells
        for key in ident.keys:
            if is_proven(levels[key]):
                out[key] = (
                    first_break.keys,
                    f"read in printed order after {first_break.id}, which breaks: a value "
                    "too many or too few before it would move this group, and its sum "
                    "holds either way",
                )
    return out
