"""Rows placed by printed order: prove each cell's placement, or flag what depends on it.

`extractor.parser.locate` places whole value lines whose labels it could not tie to them
on the rows by order, and hands back each group of rows whose lines could go to any of its
rows. `rules.placement.prove_placement` enumerates the other arrangements; here the result
goes into the cells' provenance:
- a cell every arrangement the identities allow gives the same value: its "placed by the
  order of rows" note becomes `PROVEN`, which `rules.proving` confirms only when every
  identity the cell is in holds (like any reading the identities check);
- a cell another allowed arrangement gives another value: noted, with those values as
  alternatives, so it is flagged even when its row kept its own line;
- past the search bound, a row that kept its own line is flagged too (nothing is known).
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from extractor.parser.cells import DETACHED, CellRead, row_keys
from extractor.parser.locate import RowRead
from extractor.parser.tokens import TokenKind
from nianbao.core.models import CellValue
from rules.placement import prove_placement

# the note of a cell whose placement is proven (rules.proving.CHECKED_BY_IDENTITIES)
PROVEN = "placed by the order of rows; no other order the identities allow changes it"
DEPENDS = "placed by the order of rows; another order the identities allow gives another value"
BOUNDED = "placed by the order of rows; too many other orders to check them all"
PROVEN_CONFIDENCE = 1.0


def prove_placements(
    template: str, groups: list[list[RowRead]], cells: dict[str, CellRead]
) -> None:
    """Rewrite the provenance of the cells of `groups` (in place) by their placement proof."""
    rows = [[row_keys(template, "t3", r.row)[0] for r in group] for group in groups]
    rows = [[keys for keys in group if all(k in cells for k in keys)] for group in rows]
    values: Mapping[str, CellValue] = {k: c.value for k, c in cells.items()}
    proof = prove_placement(template, values, rows)
    for key in proof.proven:
        prov = cells[key].provenance
        if DETACHED in prov.notes and cells[key].value is not None:
            prov.notes[:] = [PROVEN if n == DETACHED else n for n in prov.notes]
            prov.confidence = max(prov.confidence, PROVEN_CONFIDENCE)
    for key in proof.depends:
        # one note, first, for every cell the order decides (detached or not): one cause,
        # so `rules.proving` makes one decision of it
        prov = cells[key].provenance
        prov.notes[:] = [DEPENDS, *(n for n in prov.notes if n != DETACHED)]
        prov.alternatives[:] = [*prov.alternatives, *proof.others.get(key, [])]
    for key in proof.bounded:
        prov = cells[key].provenance
        if DETACHED not in prov.notes:
            prov.notes.append(BOUNDED)


_BREAK = re.compile(r"[ \t\u3000\xa0]*\r?\n[ \t\u3000\xa0]*")


def row_line_bounds(text: str, rows: list[RowRead]) -> set[tuple[int, int]]:
    """Spans of the tokens on either side of a line break between two whole printed rows:
    the break ends a line holding exactly one row's values and the next line holds exactly
    another row's. Such a break is the rows' boundary, not a number broken over a line (one
    number broken there would leave a row a value short: a second fault, which no reading
    of any row assumes)."""
    first: dict[int, tuple[int, int]] = {}
    last: dict[int, tuple[int, int]] = {}
    for row in rows:
        tokens = row.tokens
        if row.merged or row.part == "t4" or len(tokens) != len(row.columns) or not tokens:
            continue
        if any(t.kind is TokenKind.RUN for t in tokens):
            continue
        if "\n" in text[tokens[0].start : tokens[-1].end]:
            continue  # not one line
        first[tokens[0].start] = (tokens[0].start, tokens[0].end)
        last[tokens[-1].end] = (tokens[-1].start, tokens[-1].end)
    out: set[tuple[int, int]] = set()
    for end, span in last.items():
        gap = _BREAK.match(text, end)
        if gap is not None and gap.end() in first:
            out.update((span, first[gap.end()]))
    return out
