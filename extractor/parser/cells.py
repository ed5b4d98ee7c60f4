"""Turn a located row's tokens into cell values with provenance, or into candidates.

A row with exactly one clean token per cell is read directly. Any other row (a glued digit
run, too few or too many tokens) yields candidate readings for the joint decoder
(`extractor.parser.resolve`), which chooses under the identities.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from functools import cache

from extractor.parser.rowread import RowRead
from extractor.parser.tokens import Token, TokenKind
from nianbao.core.layout import Layout, ValueKind, layout_for
from nianbao.core.models import Alignment, CellProvenance, CellValue, Method

EXTRACTOR = "parser"
EDGE_BLANK = "an empty cell at the row's edge: a blank, or the table's layout"
# a cell read blank from an empty line where a table printed one cell per line has a cell:
# flagged, since a value lost with no trace beside a stray empty line reads the same
EMPTY_LINE = "an empty line where the table prints a cell: a blank, or a value lost"
# a row read with an empty cell at its edge counted as one of its cells: were the empty
# cell the table's layout (an empty last column), the row would be a value short and its
# values could go elsewhere, which identities over 0s cannot tell (a markdown table's empty
# 备注 column after a row that lost a value read "| 规章 | 0 | 8 |  |" as 0, 8, blank; part
# 四's "| 0 | 0 | 0 | 0件 | … | 1 |  |" likewise). The edge cell is flagged already, so the
# row waits either way: its other cells are named with it
PLACED_BY_EDGE = "placed counting an empty cell at the row's edge as one of its cells"
DETACHED = "values printed apart from the row's label; placed by the order of rows"
# a cell of a row another of whose values its column cannot hold (`_doubt_row_around`)
MISFIT_IN_ROW = "another value of this row cannot stand in its column: the row may be misread"
# a sub-row's 0 under a group printed as one merged row of 0 (rules.proving checks it)
MERGED_ZERO = "0 printed by its merged group row; counts are >= 0, so each row of it is 0"
WAN = Decimal(10000)


@dataclass
class CellRead:
    """One cell's reading: value and provenance."""

    value: CellValue
    provenance: CellProvenance


@dataclass
class RowResult:
    """A row read directly (`cells`), or left to the decoder (`ambiguous` with a reason)."""

    row: RowRead
    keys: tuple[str, ...]
    kinds: tuple[ValueKind, ...]
    cells: dict[str, CellRead] = field(default_factory=dict)
    ambiguous: str | None = None


@cache
def row_keys(template: str, part: str, row: str) -> tuple[tuple[str, ...], tuple[ValueKind, ...]]:
    """Canonical keys and value kinds of one printed row (part 四: all 15 cells), in order."""
    specs = [
        s for s in layout_for(template).cells if s.part == part and (part == "t4" or s.row == row)
    ]
    return tuple(s.key for s in specs), tuple(s.kind for s in specs)


def to_value(
    token: Token, kind: ValueKind, header_unit: str | None = None
) -> tuple[CellValue, list[str]]:
    """A clean token's value in the cell's type; notes when the reading is doubtful.
    An amount is in 万元: its own unit first, else its column header's, else 万元."""
    notes: list[str] = []
    value = token.value
    if value is None:
        return None, notes
    if kind is ValueKind.AMOUNT:
        amount = Decimal(value)
        if (token.unit or header_unit) == "元":
            amount = amount / WAN  # exact: Decimal division by 10^4
        return amount, notes
    if token.bracketed and kind is ValueKind.SIGNED:
        value = -value  # in 本年增/减 a number alone in brackets is the accounting minus
    if isinstance(value, Decimal):
        if value == value.to_integral():
            return int(value), notes
        return None, [f"printed {token.text.strip()} where a whole number belongs"]
    if value < 0 and kind is ValueKind.COUNT:
        notes.append(f"negative count {value}")
    return value, notes


def provenance(
    text: str,
    span: tuple[int, int] | None,
    method: Method,
    confidence: float,
    notes: list[str] | None = None,
    alternatives: list[CellValue] | None = None,
) -> CellProvenance:
    fields = {
        "extractor": EXTRACTOR,
        "span": span,
        "snippet": text[span[0] : span[1]] if span else None,
        "method": method,
        "alignment": Alignment.EXACT if span else Alignment.NONE,
        "confidence": confidence,
        "notes": notes or [],
        "alternatives": alternatives or [],
        "page": None,
        "box": None,
    }
    return _construct(fields)


def _construct(fields: dict[str, object]) -> CellProvenance:
    """A CellProvenance from fields built (and typed) right here, without re-validation:
    what `model_construct` does, minus its per-field default handling (a report builds 200
    of these, and `model_construct` was half the parser's time)."""
    prov = CellProvenance.__new__(CellProvenance)
    object.__setattr__(prov, "__dict__", fields)
    object.__setattr__(prov, "__pydantic_fields_set__", set(fields))
    object.__setattr__(prov, "__pydantic_extra__", None)
    object.__setattr__(prov, "__pydantic_private__", None)
    return prov


def read_row(
    text: str, row: RowRead, keys: tuple[str, ...], kinds: tuple[ValueKind, ...]
) -> RowResult:
    """Read a row directly when it prints one clean token per cell; else mark it ambiguous."""
    result = RowResult(row, keys, kinds)
    tokens = row.tokens
    label_conf = 1.0 if row.label is None or row.label.how != "fuzzy" else 0.9
    method, extra = Method.READ, []
    if row.detached:
        # values printed apart from a label that was not found in order: placed by order
        label_conf, method = 0.8, Method.ALIGNED
        extra = [DETACHED]
    elif row.label is None:
        for key in keys:
            if row.absent is not None:
                # not printed at all: nothing stands where the row would (extractor.parser.absent)
                prov = provenance(text, row.absent, Method.ABSENT, 1.0, [])
            else:
                prov = provenance(text, None, Method.MISSING, 0.0, list(row.notes))
            result.cells[key] = CellRead(None, prov)
        return result
    if len(tokens) == len(keys) and all(t.kind is not TokenKind.RUN for t in tokens):
        misfits = []  # cells whose printed value their column cannot hold
        for key, kind, token in zip(keys, kinds, tokens, strict=True):
            span = (token.start, token.end)
            if token.kind is TokenKind.BLANK:
                # an empty cell at the row's edge proves no blank: flagged, with the reading
                edge = [EDGE_BLANK] if token.edge else [EMPTY_LINE] if token.empty_line else []
                blank = provenance(text, span, Method.BLANK, label_conf, [*edge, *extra])
                result.cells[key] = CellRead(None, blank)
                continue
            value, notes = to_value(token, kind, row.unit)
            conf = label_conf if not notes else 0.5
            prov = provenance(text, span, method, conf, [*notes, *extra])
            result.cells[key] = CellRead(value, prov)
            if notes:
                misfits.append(key)
        if misfits:
            _doubt_row_around(result, misfits)
        if any(t.kind is TokenKind.BLANK and t.edge for t in tokens):
            for cell in result.cells.values():
                if cell.value is not None:
                    cell.provenance.notes.append(PLACED_BY_EDGE)
        return result
    runs = sum(t.kind is TokenKind.RUN for t in tokens)
    if not tokens:
        result.ambiguous = "no values printed after the label"
    elif runs or len(tokens) < len(keys):
        result.ambiguous = f"{len(tokens)} value tokens for {len(keys)} cells"
    else:
        result.ambiguous = f"{len(tokens)} values for {len(keys)} cells"
    return result


def _doubt_row_around(result: RowResult, misfits: list[str]) -> None:
    """A value its column cannot hold (a negative count) shows the row misread somewhere: a
    value printed twice or two glued ("8920 8920 –750" for 8920, −7, 50), which moves its
    neighbours too. Part 二 has no identity to catch them, so every cell of the row is
    doubted, not only the misfit (synth-7804-0204)."""
    for key, cell in result.cells.items():
        if key not in misfits:
            cell.provenance.notes.append(f"{MISFIT_IN_ROW} ({', '.join(misfits)})")
            cell.provenance.confidence = min(cell.provenance.confidence, 0.5)


def read_merged(text: str, row: RowRead, layout: Layout) -> dict[str, CellRead]:
    """Cells of layout rows a report prints as one merged group row.

    Counts are never negative, so a 0 the merged row prints makes every one of its rows 0 in
    that column: the print shows it (method "read" from the merged row's cell, noted
    `MERGED_ZERO`, which `rules.proving` confirms only when every identity the cell is in
    holds). Any other value cannot be shared out, so those cells stay null with a note saying
    what the merged row prints.
    """
    out: dict[str, CellRead] = {}
    tokens = row.tokens
    clean = len(tokens) == len(row.columns) and all(t.kind is TokenKind.NUMBER for t in tokens)
    printed = " ".join(t.text.strip() for t in tokens) or "nothing"
    for name in row.merged:
        for n, column in enumerate(row.columns):
            key = layout.t3_key(name, column)
            if clean and tokens[n].value == 0:
                span = (tokens[n].start, tokens[n].end)
                note = [f"{MERGED_ZERO} ({row.row} prints 0 in this column)"]
                out[key] = CellRead(0, provenance(text, span, Method.READ, 1.0, note))
                continue
            why = (
                f"the report prints {row.row} as one row ({printed}); "
                "its rows in the layout cannot be told apart"
            )
            out[key] = CellRead(None, provenance(text, row.segment, Method.UNRESOLVED, 0.0, [why]))
    return out
