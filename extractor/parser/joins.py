"""A number broken over a line inside its row ("1\\n9" for 19): the joined reading.

A row that prints one value more than it has cells is read by leaving one value out
(`extractor.parser.decoding.alignment`). When two neighbouring values are apart only by a
line break (a newline, a markdown `<br>`), they may also be one number the line broke: this
module lists those joined readings, so the decoder weighs them against the identities beside
the placements. Without them "the only reading that satisfies the identities" would not have
weighed every reading the print allows.
"""

from __future__ import annotations

import itertools
from decimal import Decimal

from extractor.parser.cells import WAN, CellRead, RowResult
from extractor.parser.decoding.decode import RowCandidates
from extractor.parser.linebreaks import joinable
from extractor.parser.tokens import Token, TokenKind, line_around
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


def equal_surplus_row(folded: str, result: RowResult) -> RowCandidates | None:
    """A row printing one value more than its cells, every value the same ("| 0 | 0 | 0 | 0 |"
    for three cells: a value printed twice), and no two a line break could join: whichever
    value is the extra, every cell reads that value, so the row is read as printed (the
    first values' spans). None otherwise."""
    tokens, n = result.row.tokens, len(result.keys)
    if not one_too_many(result) or len({t.value for t in tokens}) != 1:
        return None
    if len({t.unit for t in tokens}) != 1 or joined_rows(folded, result) is not None:
        return None
    if _spaced_in_one_cell(folded, tokens):
        return None
    unit = tokens[0].unit or result.row.unit
    values = tuple(
        _typed(-t.value if t.bracketed and k is ValueKind.SIGNED else t.value, k, unit)  # type: ignore[operator]
        for t, k in zip(tokens, result.kinds, strict=False)
    )
    return RowCandidates(
        result.row.row, [values], Method.READ, spans=[(t.start, t.end) for t in tokens[:n]]
    )


def _spaced_in_one_cell(folded: str, tokens: list[Token]) -> bool:
    """Two neighbouring values only spaces apart inside one cell of a delimited row ("| 行政处罚
    | 7 7 |"): a value printed twice, or one number with a space in it (77). A 0 first is
    no number's start, so "0 0" is a value twice."""
    line = line_around(folded, tokens[0].start, tokens[-1].end)
    if "|" not in line and "\t" not in line:
        return False  # no cell bounds: a space is how values are apart
    return any(
        a.value != 0 and folded[a.end : b.start].strip(" \u3000") == "" and a.end < b.start
        for a, b in itertools.pairwise(tokens)
    )


def one_too_many(result: RowResult) -> bool:
    """The row printed exactly one clean value more than its cells (no glued run, no blank):
    its readings are each value left out and each line-broken pair joined, all listed."""
    tokens = result.row.tokens
    return len(tokens) == len(result.keys) + 1 and all(t.kind is TokenKind.NUMBER for t in tokens)


# a surplus row whose print explains its extra value one way (a value printed twice, a page
# number, a broken number) while the identities take another reading: not proven
DOUBLED_REFUSED = (
    "row printed one value too many and a value twice, but the identities take a reading "
    "that leaves out another value: the print itself may be wrong"
)


def explained_readings(folded: str, result: RowResult) -> set[tuple[CellValue, ...]]:
    """The readings of a row printing one value too many that its print explains: one of
    two equal neighbouring values left out (a value printed twice; two 0s not beside a
    number broken over a line), a value set apart by more line breaks than any two others
    left out (a page number on a line or in a block of its own), or two values a line break
    alone separates joined. Empty when the row shows no such cause."""
    tokens = result.row.tokens
    values = [t.value for t in tokens]
    out: set[tuple[CellValue, ...]] = set()
    joined = joined_rows(folded, result)
    # a line break inside a row whose other values share a line: a number broken over it
    # is the likelier cause (in a table printed one value per line every gap is a break)
    broken = joined is not None and any(
        "\n" not in folded[a.end : b.start] for a, b in itertools.pairwise(tokens)
    )
    for i in range(len(values) - 1):
        # two 0s side by side are most rows' print, weak sign of one printed twice: beside a
        # number broken over a line they would let the identities hide the report's own
        # error by leaving a 0 out (synth-8013-0296: "1\n0 0 1 …" for a printed 10)
        if values[i] == values[i + 1] and not (values[i] == 0 and broken):
            out.add(tuple(values[:i] + values[i + 1 :]))
    # a value set apart from the others by more line breaks than any two of them share
    gaps = [folded.count("\n", a.end, b.start) for a, b in itertools.pairwise(tokens)]
    tight = min(gaps, default=0)
    for i in range(len(tokens)):
        before = i == 0 or gaps[i - 1] > tight
        after = i == len(tokens) - 1 or gaps[i] > tight
        if before and after:
            out.add(tuple(values[:i] + values[i + 1 :]))
    if joined is not None:
        out.update(joined.candidates)
    return out


def refuse_unexplained_surplus(
    folded: str, results: list[RowResult], cells: dict[str, CellRead]
) -> None:
    """Take the surplus proof back from a row whose print shows why it has a value too many
    (a value printed twice, a number broken over a line) when the reading the identities
    chose is not one of those (in place). A report whose own print breaks an identity can
    be made to hold by leaving out a value printed once: the identities then pick a wrong
    reading as the only one, and the print's own error would go unseen."""
    for result in results:
        keys = result.keys
        if not all(k in cells for k in keys) or not one_too_many(result):
            continue
        if not any(SURPLUS in " ".join(cells[k].provenance.notes) for k in keys):
            continue
        explained = explained_readings(folded, result)
        chosen = tuple(cells[k].value for k in keys)
        if explained and chosen not in explained:
            for key in keys:
                prov = cells[key].provenance
                prov.notes[:] = [DOUBLED_REFUSED if SURPLUS in n else n for n in prov.notes]
