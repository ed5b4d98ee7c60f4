"""Part 二 rows read more than one way, settled by what the narrative restates.

Part 二 has no identity: a glued run ("行政规范性文件8855698") cut into its three cells has
no sum to check the cut against, so every cut waits for a person. The narrative (part 一)
often says the same figures in words ("现行有效行政规范性文件698件……本年度制发的规范性文件
88件", read by `rules.narrative.document_figures`). A row is settled by them only when the
narrative states every one of its cells but one, exactly one reading of the row agrees with
every stated figure, and that reading prints a value in every cell: the one cell not stated
is then what the print holds between the stated ones (88|55|698), never a guess. A stated
figure no reading agrees with settles nothing (the narrative may count another scope).
"""

from __future__ import annotations

from collections.abc import Mapping

from extractor.parser.cells import row_keys
from extractor.parser.decoding.decode import RowCandidates


def restated_rows(
    rows: Mapping[str, RowCandidates], template: str, stated: Mapping[str, int]
) -> dict[str, RowCandidates]:
    """The rows, each one the narrative settles narrowed to its one agreeing reading."""
    out = dict(rows)
    for name, row in rows.items():
        keys = row_keys(template, "t2", name)[0]
        pinned = {p: stated[key] for p, key in enumerate(keys) if key in stated}
        if not pinned or len(pinned) < len(keys) - 1:
            continue
        agreeing = [
            n
            for n, reading in enumerate(row.candidates)
            if all(reading[p] == value for p, value in pinned.items())
        ]
        if len({row.candidates[n] for n in agreeing}) != 1 or row.truncated:
            continue
        n = agreeing[0]
        reading = row.candidates[n]
        if any(value is None for value in reading):
            continue  # a cell the row does not print: the narrative does not show it blank
        out[name] = RowCandidates(
            row.row,
            [reading],
            row.how,
            row.spans,
            [row.cell_spans[n]] if row.cell_spans else None,
            restated=tuple(sorted(pinned)),
        )
    return out
