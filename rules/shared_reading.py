"""Cells placed by one reading of a run of values lose their proof when that reading breaks.

An identity holding confirms a cell's value, and so the place it was given, only if a wrong
placement would have broken it. Two readings place many cells at once, so an error in
one place moves others:
- a glued run cut into cells ("1940230412582"): when two of its parts break identities while
  the run still adds up (or one breaks and another is in no identity that can be checked),
  the cut may have moved digits between them, and the run's other cells are cut by the same
  guess;
- part 四's values read in printed order as one run of 15: a value too many or too few
  before a group moves every later group by one place, and a later group's sum holding
  shows little (zeros hold wherever they go; a value too many before and one lost inside
  leave it holding with its cells moved).
Both leave the cells' values alone; they only withdraw a proof the checks could not give.
Each withdrawn cell names the cells of the break that withdrew it: settling the break (the
same cause) settles it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from nianbao.core.models import CellProvenance
from rules.cuts import cut_proven
from rules.identities import Identity
from rules.proof import ProofLevel, is_proven

CUT_METHODS = frozenset({"segmented", "aligned"})  # cells placed by a cut of a run


def row_of(key: str) -> str:
    """The printed row of a cell key: "t3.denied.internal.total" -> "t3.denied.internal"."""
    return key.rsplit(".", 1)[0]


def undermined_cuts(
    keys: Sequence[str],
    levels: Mapping[str, ProofLevel],
    prov: Mapping[str, CellProvenance],
) -> dict[str, tuple[tuple[str, ...], str]]:
    """Proven cells cut from the same run as two parts that break identities or that no
    identity checks (a wrong cut moves digits between parts; another row's error breaks one
    part's column and the total's; a value lost from the run shifts the cut where nothing
    checks it): key -> (the cells of the break, why)."""
    broken_rows: dict[str, list[str]] = {}
    unchecked_rows: dict[str, list[str]] = {}
    for k in keys:
        if not _cut(prov.get(k)):
            continue
        if levels[k] is ProofLevel.CONTRADICTS:
            broken_rows.setdefault(row_of(k), []).append(k)
        elif levels[k] is ProofLevel.READ_UNCHECKED and not _total(k):
            unchecked_rows.setdefault(row_of(k), []).append(k)
    out: dict[str, tuple[tuple[str, ...], str]] = {}
    for key in keys:
        breaks = broken_rows.get(row_of(key), [])
        unchecked = unchecked_rows.get(row_of(key), [])
        parts = sum(not _total(k) for k in breaks)
        # one part breaking alone may be the report's own misprint; with another part breaking,
        # or parts no identity checks (a moved digit there shows nowhere), the cut is in doubt
        if parts + len(unchecked) < 2:
            continue
        if not is_proven(levels[key]) or not _cut(prov.get(key)):
            continue
        if not parts and any(cut_proven(prov[k]) for k in unchecked):
            continue  # the run reads one way at any count: nothing lost or moved unseen
        if parts > 1:
            why = "which break identities: the cut is wrong somewhere"
        elif parts:
            why = "which break identities, and as cells no identity checks: the cut may be wrong"
        else:
            breaks = unchecked  # synth-7796-0070: a value lost, 35|20 cut 3|52, a 0 moved
            why = "which no identity checks: a value lost or moved there shows nowhere"
        out[key] = (
            tuple(breaks),
            f"cut from the same run of digits as {' and '.join(breaks)}, {why}",
        )
    return out


def _total(key: str) -> bool:
    return key.endswith(".total")


def _cut(prov: CellProvenance | None) -> bool:
    return prov is not None and prov.method in CUT_METHODS


def undermined_after_break(
    groups: Sequence[Identity],
    levels: Mapping[str, ProofLevel],
    broken: set[str],
) -> dict[str, tuple[tuple[str, ...], str]]:
    """Proven cells of part 四 groups printed after a group whose sum breaks: key -> (the
    cells of the break, why). A later group's sum holding proves little: a value too many
    before it and one lost inside it leave its sum as printed with its cells moved.

    `groups` are part 四's group sums in printed order, `broken` the ids of identities that
    fail."""
    out: dict[str, tuple[tuple[str, ...], str]] = {}
    first_break: Identity | None = None
    for ident in groups:
        if first_break is None:
            if ident.id in broken:
                first_break = ident
            continue
        if ident.id in broken:
            continue
        for key in ident.keys:
            if is_proven(levels[key]):
                out[key] = (
                    first_break.keys,
                    f"read in printed order after {first_break.id}, which breaks: a value "
                    "too many or too few before it moves this group's values",
                )
    return out
