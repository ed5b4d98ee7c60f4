"""A number broken over a line inside its row ("1\\n9" for 19): the joined reading.

A row that prints one value more than it has cells is read by leaving one value out
(`extractor.parser.decoding.alignment`). When two neighbouring values are apart only by a
line break (a newline, a markdown `<br>`), they may also be one number the line broke: this
module lists those joined readings, so the decoder weighs them against the identities beside
the placements. Without them "the only reading that satisfies the identities" would not have
weighed every reading the print allows.
"""

from __future__ import annotations

from decimal import Decimal

from extractor.parser.cells import WAN, RowResult
from extractor.parser.decoding.decode import RowCandidates
from extractor.parser.linebreaks import joinable
from extractor.parser.tokens import TokenKind
from nianbao.core.layout import ValueKind
from nianbao.core.models import CellValue, Method

# A row printing exactly one clean value more than its cells, whose unique reading under the
# identities is taken: every reading the print allows (each value left out in turn, each
# line-broken pair joined) was weighed, and every one the identities allow gives the cell
# this printed value. `rules.proving` confirms such a cell when every identity it is in holds.
SURPLUS = (
    "row printed one value too many; every reading of it the identities allow gives this value"
)


def joined_rows(folded: str, result: RowResult) -> RowCandidates | None:
    """Readings of a row printing one value more than its cells in which two neighbouring
    values a line break separates are one number; None when there are none."""
    tokens, n = result.row.tokens, len(result.keys)
    if len(tokens) != n + 1:
        return None
    candidates: list[tuple[CellValue, ...]] = []
    cell_spans: list[tuple[tuple[int, int] | None, ...]] = []
    reasons: list[str] = []
    unit = next((t.unit for t in tokens if t.unit), result.row.unit)
    for i in range(n):
        a, b = tokens[i], tokens[i + 1]
        if not joinable(folded, a, b):
            continue
        number = int(a.text.strip() + b.text.strip())
        values = [t.value for t in tokens[:i]] + [number] + [t.value for t in tokens[i + 2 :]]
        spans = [(t.start, t.end) for t in tokens]
        spans[i : i + 2] = [(a.start, b.end)]
        typed = tuple(_typed(v, k, unit) for v, k in zip(values, result.kinds, strict=True))
        candidates.append(typed)
        cell_spans.append(tuple(spans))
        pair = f"{a.text.strip()} and {b.text.strip()}"
        reasons.append(f"{pair} read as one number broken over a line")
    if not candidates:
        return None
    return RowCandidates(
        result.row.row,
        candidates,
        Method.ALIGNED,
        [(t.start, t.end) for t in tokens],
        cell_spans,
        reasons,
    )


def _typed(value: CellValue, kind: ValueKind, unit: str | None) -> CellValue:
    """An amount in 万元 (as `extractor.parser.resolve` types the placements)."""
    if value is None or kind is not ValueKind.AMOUNT:
        return value
    amount = Decimal(value)
    return amount / WAN if unit == "元" else amount


def one_too_many(result: RowResult) -> bool:
    """The row printed exactly one clean value more than its cells (no glued run, no blank):
    its readings are each value left out and each line-broken pair joined, all listed."""
    tokens = result.row.tokens
    return len(tokens) == len(result.keys) + 1 and all(t.kind is TokenKind.NUMBER for t in tokens)
