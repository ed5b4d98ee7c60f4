"""Rows placed by printed order: note each cell's placement and what else the print allows.

`extractor.parser.locate` places whole value lines whose labels it could not tie to them on
the rows by order (labels printed as a block above their value lines, stacked apart from
them, or lost), and hands back each group of rows whose lines could go to any of its rows.

The printed order is the reading: the labels and the value lines both stand in the order of
the national table, and a line goes to the row in the same place (as a person reading the
print, and every gold label here, places them). It is checked like any reading that assumes
something about the print: `rules.proving` confirms such a cell only when every identity it
is in holds. `rules.placement.prove_placement` enumerates the other arrangements the
identities allow; the note says whether one would give the cell another value, for the
person who opens the report for another cause (the identities cannot tell two rows of one
sum group apart, so for them the print's order is the only evidence there is).
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from extractor.parser.cells import DETACHED, CellRead, row_keys
from extractor.parser.rowread import RowRead
from extractor.parser.tokens import TokenKind
from nianbao.core.models import CellValue
from rules.placement import prove_placement
from rules.proving import PLACED_BY_ORDER, blank_evidence

# the notes of a cell placed by printed order (rules.proving.CHECKED_BY_IDENTITIES: its prefix)
ORDERED = PLACED_BY_ORDER
PROVEN = f"{ORDERED}; no other order the identities allow changes it"
DEPENDS = f"{ORDERED}; another order the identities allow would give"
BOUNDED = f"{ORDERED}; too many other orders to check them all"
ORDERED_CONFIDENCE = 1.0


def prove_placements(
    template: str, groups: list[list[RowRead]], cells: dict[str, CellRead]
) -> None:
    """Rewrite the provenance of the cells of `groups` (in place): each cell whose line was
    placed by order gets one note saying what the identities allow besides its value."""
    rows = [[row_keys(template, "t3", r.row)[0] for r in group] for group in groups]
    rows = [[keys for keys in group if all(k in cells for k in keys)] for group in rows]
    # a blank the print proves (a placeholder, an empty field) counts 0 in the identities,
    # as rules.proving counts it: it is checked, and checks the others, as a value does
    values: Mapping[str, CellValue] = {
        k: 0 if c.value is None and blank_evidence(c.provenance) else c.value
        for k, c in cells.items()
    }
    proof = prove_placement(template, values, rows)
    for key in {k for group in rows for keys in group for k in keys}:
        prov = cells[key].provenance
        if DETACHED not in prov.notes:
            continue  # read on its own label's line: not placed by order
        if cells[key].value is None and not blank_evidence(prov):
            continue  # nothing read and nothing proves a blank: stays unread
        if key in proof.depends:
            others = ", ".join(str(v) for v in proof.others.get(key, []))
            note = f"{DEPENDS} {others}"
        else:
            note = BOUNDED if key in proof.bounded else PROVEN
        prov.notes[:] = [note if n == DETACHED else n for n in prov.notes]
        prov.confidence = max(prov.confidence, ORDERED_CONFIDENCE)


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
