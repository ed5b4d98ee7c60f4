"""Rows the parser could not read directly: candidate readings, and what they pin down.

Candidate readings of a row come from `extractor.segmentation` (a glued digit run cut into
the row's cells under its sums: a part-三 row's total, part 四's group totals). A cell on which
every candidate agrees is known (method "segmented"); a cell on which they disagree stays
null with the readings as alternatives; a row with no reading stays null. Every such cell
carries a note, so `rules.review_flags` flags it, except a unique reading's cells.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

from extractor.alignment import align
from extractor.layout import ValueKind
from extractor.models import CellValue
from extractor.parser.cells import WAN, CellRead, RowResult, provenance
from extractor.parser.tokens import TokenKind
from extractor.segmentation import SumSpec, segment, sums_for

SEGMENTED_CONFIDENCE = 0.9  # a unique cut under the row's sums: trusted, not flagged
_NOT_RUN = re.compile(r"[^0-9.\-\s]")


@dataclass(frozen=True)
class Candidates:
    """The readings of one ambiguous row, with each value's source span per reading."""

    values: list[tuple[CellValue, ...]]
    spans: list[tuple[tuple[int, int], ...]]
    truncated: bool
    how: str  # "segmented", "aligned"
    reasons: tuple[str, ...] = ()  # why each reading is plausible (alignment)
    verified: bool = True  # every reading satisfies all of the row's sums (none hidden by null)


def _row_span(result: RowResult) -> tuple[int, int] | None:
    tokens = result.row.tokens
    if tokens:
        return tokens[0].start, tokens[-1].end
    return result.row.segment


def _run_of(folded: str, result: RowResult) -> tuple[str, int] | None:
    """The row's value tokens as one run ("230 000023"), same length as the source slice, so
    a run offset plus `start` is a source offset; None when a token is no digit run."""
    tokens = result.row.tokens
    if not tokens or any(t.kind is TokenKind.BLANK for t in tokens):
        return None
    start, end = tokens[0].start, tokens[-1].end
    inside = folded[start:end]
    # units and separators inside the stretch become spaces (a cut), keeping the offsets
    run = _NOT_RUN.sub(" ", inside.replace("万元", "  ").replace("元", " "))
    return run, start


def segment_row(folded: str, template: str, result: RowResult) -> Candidates | None:
    """Every cut of a glued row into its cells under its sums; None when it is no run."""
    got = _run_of(folded, result)
    if got is None:
        return None
    run, start = got
    n = len(result.keys)
    if sum(ch.isdigit() for ch in run) < n:
        return None
    signed = [i for i, k in enumerate(result.kinds) if k is ValueKind.SIGNED]
    decimals = [i for i, k in enumerate(result.kinds) if k is ValueKind.AMOUNT]
    sums = sums_for(template, result.keys)
    found = segment(run, n, signed=signed, sums=sums, decimals=decimals)
    units = next((t.unit for t in result.row.tokens if t.unit), None)
    values = [
        tuple(_typed(v, k, units) for v, k in zip(r.values, result.kinds, strict=True))
        for r in found.readings
    ]
    spans = [tuple((start + s, start + e) for s, e in r.spans) for r in found.readings]
    return Candidates(values, spans, found.truncated, "segmented")


def _typed(value: int | Decimal, kind: ValueKind, unit: str | None) -> CellValue:
    if kind is ValueKind.AMOUNT:
        amount = Decimal(value)
        return amount / WAN if unit == "元" else amount
    return value


def _holds(values: tuple[CellValue, ...], sums: list[SumSpec]) -> bool | None:
    """True / False when every sum can be checked; None when a null cell hides one."""
    verdict: bool | None = True
    for parts, total in sums:
        cells = [values[p] for p in parts] + [values[total]]
        if any(v is None for v in cells):
            verdict = None if verdict else verdict
            continue
        if sum(values[p] for p in parts) != values[total]:  # type: ignore[misc]
            return False
    return verdict


def align_row(text: str, template: str, result: RowResult) -> Candidates | None:
    """Placements of a row's clean values on its cells (values dropped or missing), keeping
    only those its sums allow; None when a token is a glued run or no placement fits."""
    tokens = result.row.tokens
    if not tokens or any(t.kind is TokenKind.RUN for t in tokens):
        return None
    n = len(result.keys)
    units = next((t.unit for t in tokens if t.unit), None)
    values = [t.value for t in tokens]
    sums = sums_for(template, result.keys)
    kept = []
    for placement in align(values, n):
        typed = tuple(
            None if v is None else _typed(v, k, units)
            for v, k in zip(placement.values, result.kinds, strict=True)
        )
        verdict = _holds(typed, sums)
        if verdict is not False:
            kept.append((verdict, typed, placement))
    verified = any(v for v, _, _ in kept)
    if verified:  # a placement the sums verify beats unverifiable ones
        kept = [k for k in kept if k[0]]
    if not kept:
        return None
    spans = [
        tuple(
            (tokens[s].start, tokens[s].end) if s is not None else _row_span(result)
            for s in p.source
        )
        for _, _, p in kept
    ]
    return Candidates(
        [t for _, t, _ in kept],
        spans,  # type: ignore[arg-type]
        False,
        "aligned",
        tuple(p.reason for _, _, p in kept),
        verified,
    )


def _cells_from(text: str, result: RowResult, cands: Candidates) -> dict[str, CellRead]:
    """Per cell: the agreed value, or null with the differing readings as alternatives."""
    out: dict[str, CellRead] = {}
    for i, key in enumerate(result.keys):
        readings = [c[i] for c in cands.values]
        distinct = list(dict.fromkeys(readings))
        spans = {s[i] for s in cands.spans}
        span = next(iter(spans)) if len(spans) == 1 else _row_span(result)
        if len(distinct) == 1 and distinct[0] is not None and not cands.truncated:
            # one reading, or every reading agrees on this cell: the cell is known
            if cands.verified:
                prov = provenance(text, span, cands.how, SEGMENTED_CONFIDENCE)
            else:
                why = "; ".join(dict.fromkeys(cands.reasons))
                prov = provenance(text, span, cands.how, 0.8, [f"row realigned ({why})"])
            out[key] = CellRead(distinct[0], prov)
            continue
        if cands.how == "aligned":
            shown = ", ".join("null" if v is None else str(v) for v in distinct[:4])
            note = (
                f"row prints {len(result.row.tokens)} values for {len(result.keys)} cells; "
                f"this cell could be {shown}"
            )
        else:
            note = f"glued digits: {len(cands.values)} readings under the row's sums disagree"
        if cands.truncated:
            note += " (search bounded)"
        others = [v for v in distinct if v is not None][:8]
        out[key] = CellRead(
            None, provenance(text, span, cands.how, 0.3, [note], alternatives=others)
        )
    return out


def resolve(text: str, folded: str, template: str, results: list[RowResult]) -> dict[str, CellRead]:
    """Cells of every ambiguous row: what its candidate readings pin down, else null."""
    out: dict[str, CellRead] = {}
    for result in results:
        if result.ambiguous is None:
            continue
        cands = None
        if len(result.row.tokens) < len(result.keys):
            cands = segment_row(folded, template, result)
        if not (cands and cands.values):
            cands = align_row(text, template, result) or cands
        if cands is not None and cands.values:
            out.update(_cells_from(text, result, cands))
            continue
        span = _row_span(result)
        why = "no cut of the digits fits the row's sums" if cands is not None else ""
        note = f"{result.ambiguous}; cannot tell which value belongs to which cell"
        if why:
            note = f"{result.ambiguous}; {why}"
        for key in result.keys:
            out[key] = CellRead(None, provenance(text, span, "unresolved", 0.0, [note]))
    return out
