"""The gold of a dropped cell, by the eval set's policy: recovered when the text pins it down.

`eval/data/real/README.md` (rule 3): a value lost by the conversion is the value the printed
text plus the identities determine uniquely, else null. A reader of a row printed with 6 of
its 7 values does not know where the gap is, so every placement of the gap is tried; the
dropped cell is recovered only when every placement consistent with the identities gives the
same row and that row is the one printed before the damage.
"""

from __future__ import annotations

from itertools import combinations

from eval.synth.document import Document
from nianbao.core.models import CanonicalReport, CellValue
from rules.identities import Identity, identities_by_key

_GAP = object()  # a cell whose printed value was lost (unknown), unlike a printed blank (None)


def _solve(cells: dict[str, object], idents: list[Identity]) -> bool:
    """Fill gaps that an identity pins down; False when the reading breaks an identity."""
    changed = True
    while changed:
        changed = False
        for ident in idents:
            keys = ident.keys
            values = [cells.get(k) for k in keys]
            if any(v is None for v in values):
                continue  # a printed blank: the identity says nothing
            gaps = [k for k, v in zip(keys, values, strict=True) if v is _GAP]
            if len(gaps) > 1:
                continue
            residual = sum(cells[k] * ident.coefficient(k) for k in keys if k not in gaps)  # type: ignore[operator]
            if not gaps:
                if residual != 0:
                    return False
                continue
            value = -residual * ident.coefficient(gaps[0])
            if value < 0:
                return False
            cells[gaps[0]] = value
            changed = True
    return True


def recover_row(
    template: str, cells: dict[str, CellValue], row_keys: list[str], dropped: set[str]
) -> dict[str, CellValue]:
    """Values for the `dropped` keys of one row: the pinned value, or None."""
    truth = [cells[k] for k in row_keys]
    printed = [cells[k] for k in row_keys if k not in dropped]
    by_key = identities_by_key(template)
    idents = list({i.id: i for k in row_keys for i in by_key.get(k, ())}.values())
    readings = set()
    for gaps in combinations(range(len(row_keys)), len(dropped)):
        trial: dict[str, object] = {k: v for k, v in cells.items() if k not in row_keys}
        values = iter(printed)
        for n, key in enumerate(row_keys):
            trial[key] = _GAP if n in gaps else next(values)
        if not _solve(trial, idents):
            continue
        reading = tuple(trial[k] for k in row_keys)
        if any(v is _GAP for v in reading):
            return dict.fromkeys(dropped)  # a consistent placement leaves a cell open
        readings.add(reading)
    if len(readings) == 1 and list(next(iter(readings))) == truth:
        return {k: cells[k] for k in dropped}
    return dict.fromkeys(dropped)


def recover_lost(doc: Document, gold: CanonicalReport, glued: bool = False) -> list[str]:
    """Put back into `gold` the lost values the printed rows pin down; returns their keys.

    Only rows whose other cells are printed one value each (no duplicate, no glued run) are
    tried; a row of part 二 has no identity and keeps its nulls. Rows are retried while a
    recovery elsewhere gives them new known cells. In a `glued` rendering (values run
    together) a row is only tried when every printed value is 0: "000000" cuts one way only,
    while "1020" has several readings this module does not enumerate.
    """
    layout = gold.layout
    columns = [c.name for c in layout.t3_columns]
    t4_keys = [k for k in layout.keys if k.startswith("t4.")]
    recovered: list[str] = []
    pending = [r for t in doc.tables() for r in t.rows if r.kind == "data"]
    progress = True
    while progress:
        progress = False
        for row in pending:
            keys = t4_keys if row.name == "t4" else [f"{row.name}.{c}" for c in columns]
            dropped = {k for k in keys if k in doc.lost and k not in recovered}
            if not dropped or not row.name.startswith(("t3.", "t4")):
                continue
            printed = [c.key for c in row.cells if c.key is not None]
            if len(printed) != len(row.cells) or len(set(printed)) != len(printed):
                continue  # a duplicated or glued value: the placements are not the row's
            if len(printed) + len(dropped) != len(keys):
                continue
            if glued and any(gold.cells[k] not in (0, None) for k in printed):
                continue
            truth = dict(gold.cells) | {k: doc.lost[k] for k in dropped}
            for key, value in recover_row(layout.template, truth, keys, dropped).items():
                if value is not None:
                    gold.cells[key] = value
                    recovered.append(key)
                    progress = True
    return [k for k in layout.keys if k in recovered]
