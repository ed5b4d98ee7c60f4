"""Rows the parser could not read directly: candidate readings, chosen jointly by `decode`.

Every row goes to `extractor.parser.decoding.decode` (parts 三 and 四 under the
identities, part 二 ranked): a cleanly read row as its one reading, a glued row with its cuts
from `extractor.parser.decoding.segment`, a row with too few or too many values with its
placements from `extractor.parser.decoding.alignment`. The decoder picks one reading per row
so the identities hold. The parser then keeps only what is known: a cell the decoder had to
guess between readings (or could not reconcile with the identities) is set back to null with
the readings as alternatives and a note, so `rules.verdict` flags it; the parser never invents.
"""

from __future__ import annotations

import itertools
import math
import re
from collections.abc import Collection, Mapping, Sequence
from decimal import Decimal

from extractor.parser.cells import WAN, CellRead, RowResult, provenance, row_keys
from extractor.parser.decoding.alignment import align
from extractor.parser.decoding.decode import (
    T4_RUN,
    Decoded,
    DecodedCell,
    RowCandidates,
    decode_t2,
    decode_t3,
    decode_t4,
)
from extractor.parser.decoding.placeholders import MARK, has_glued_mark, segment_blanks
from extractor.parser.decoding.segment import Cut, Segmentation, SumSpec, segment, sums_for
from extractor.parser.joins import (
    SURPLUS,
    equal_surplus_row,
    joined_rows,
    one_too_many,
    refuse_unexplained_surplus,
)
from extractor.parser.restated import restated_rows
from extractor.parser.rowlines import token_lines
from extractor.parser.tokens import Token, TokenKind
from nianbao.core.layout import ValueKind
from nianbao.core.models import CellValue, Method
from rules.cuts import CUT_PROVEN, grouped_readings
from rules.narrative import document_figures
from rules.proving import BLANK_CHECKED_BY_IDENTITIES, GLUED_NOT_LOST, PLACEHOLDERS
from rules.verdict import LOW_CONFIDENCE

_NOT_RUN = re.compile(r"[^0-9.\-\s]")
# a decoded value less sure than the review threshold is a guess: kept as an alternative only
GUESS_BELOW = LOW_CONFIDENCE
ONE_READING = 0.95  # rules.proving.ONE_READING: a row reading checked by its identities
REALIGNED_CONFIDENCE = 0.85  # a unique placement of a realigned row: kept, but flagged
ONE_READING_DOUBTED = 0.85  # the only cut, on the guess that every cell prints once
MAX_SURPLUS = 2  # values a row may print beyond its cells and still be placed (doubled, stray)
# a row printing more than that, all of whose placements give the same values ("0" thirteen
# times for seven cells): the values are sure, not that each cell printed one (a blank of its
# own may be among them, the rest another row's whose label was lost)
RUN_ON = "far more values than cells, another row's among them: a cell may be printed blank"
MAX_PLACEMENTS = 8  # placements of one short/long row handed to the decoder
MAX_ALIGNED = 64  # placements weighed per row before the row's sums pick those handed over
MAX_LOST = 2  # values a spaced row may have lost rather than glued (`_lost_as_likely_as_glued`)
CROWDED = 6  # more misaligned rows than this in one part: fewer placements each (search size)
CROWDED_PLACEMENTS = 3
UNSURE_BLANK = (
    f"{BLANK_CHECKED_BY_IDENTITIES}: where it stands depends on how many values the run holds"
)


def _row_span(result: RowResult) -> tuple[int, int] | None:
    tokens = result.row.tokens
    if tokens:
        return tokens[0].start, tokens[-1].end
    return result.row.segment


def _typed(value: CellValue, kind: ValueKind, unit: str | None) -> CellValue:
    if value is None:
        return value
    if kind is not ValueKind.AMOUNT:
        # "1.0" in a count cell is 1; "5.4" no count at all (`_fits_kinds` drops the reading)
        if isinstance(value, Decimal) and value == value.to_integral():
            return int(value)
        return value
    amount = Decimal(value)
    return amount / WAN if unit == "元" else amount


def _fits_kinds(values: Sequence[CellValue], kinds: Sequence[ValueKind]) -> bool:
    """No fraction in a count's cell: "padding:0cm 5.4pt" of an HTML page read as plain text
    is no count, and a reading that puts it in one is none."""
    return not any(
        isinstance(v, Decimal) and v != v.to_integral() and k is not ValueKind.AMOUNT
        for v, k in zip(values, kinds, strict=True)
    )


def _sums_allow(values: Sequence[CellValue], sums: Sequence[SumSpec]) -> bool:
    """Can each sum hold once the row's unknown cells (None, counts >= 0) are filled?"""
    for parts, total in sums:
        target = values[total]
        known = [values[p] for p in parts if values[p] is not None]
        counts = [v for v in known if isinstance(v, int)]
        if not isinstance(target, int) or len(counts) != len(known):
            continue  # the total unknown, or an amount among them: no bound to apply
        whole = sum(counts)
        if whole > target or (len(counts) == len(parts) and whole != target):
            return False
    return True


def _unit(result: RowResult) -> str | None:
    return next((t.unit for t in result.row.tokens if t.unit), result.row.unit)


def segment_row(folded: str, template: str, result: RowResult) -> RowCandidates | None:
    """Every cut of a glued row into its cells under its own sums; None when it is no run."""
    tokens = result.row.tokens
    if not tokens or any(t.kind is TokenKind.BLANK for t in tokens):
        return None
    start, end = tokens[0].start, tokens[-1].end
    if _row_stretch(folded, result) != (start, end):
        # a placeholder glued on at an end ("000/第二十条") is a cell as well: the readings
        # with it are blank_run_row's, or none ("000" alone would read one way, wrongly)
        return None
    if _digits_set_aside(folded, tokens, start, end):
        return None
    stretch = folded[start:end].replace("万元", "  ").replace("元", " ")
    # thousands separators inside a glued run ("4,53205,598") are no cuts: cut the run
    # without them, then keep the readings whose values carry each comma as printed
    compact, where = _without_thousands_commas(stretch)
    # units and separators inside the stretch become spaces (a cut)
    run = _NOT_RUN.sub(" ", compact)
    n = len(result.keys)
    if sum(ch.isdigit() for ch in run) < n:
        return None
    kinds = result.kinds
    found = segment(
        run,
        n,
        signed=[i for i, k in enumerate(kinds) if k is ValueKind.SIGNED],
        sums=sums_for(template, result.keys),
        decimals=[i for i, k in enumerate(kinds) if k is ValueKind.AMOUNT],
    )
    if len(compact) < len(stretch):
        found = _with_thousands_commas(found, stretch, where)
    if not found.readings or _GLUED_BLANK.search(stretch):
        # a blank's placeholder glued in ("000—0000") would be cut here as a mere gap, but the
        # blank is a cell: readings of a run with blanks are blank_run_row's, or none
        return None
    unit = _unit(result)
    # decode's own constructor carries the spans, the stuck-row-number reasons and whether
    # the cutting search was bounded; the parser only types the values (amounts in 万元)
    found_rows = RowCandidates.from_segmentation(result.row.row, found, offset=start)
    found_rows.candidates = [
        tuple(_typed(v, k, unit) for v, k in zip(c, kinds, strict=True))
        for c in found_rows.candidates
    ]
    return found_rows


def _digits_set_aside(folded: str, tokens: list[Token], start: int, end: int) -> bool:
    """Digits between the row's first and last value that are in none of its tokens: the
    tokenizer set them aside (a note's "0(其中新增7项) 0", a page footer), so the stretch is
    no glued run, and cutting it would read the note's 7 as a cell."""
    inside = sum(ch.isdigit() for ch in folded[start:end])
    return inside != sum(ch.isdigit() for t in tokens for ch in folded[t.start : t.end])


# a placeholder inside a glued stretch: "——", "—", "无", "/", or a dash that is no minus sign
_GLUED_BLANK = re.compile(r"——|[—无/]|[-–](?!\d)")
_GROUPED = re.compile(r"-?\d{1,3}(?:,\d{3})+(?:\.\d+)?")


def _without_thousands_commas(stretch: str) -> tuple[str, list[int]]:
    """The stretch without its digit-to-digit commas, and each kept character's offset."""
    where = [
        i
        for i, ch in enumerate(stretch)
        if not (ch == "," and 0 < i < len(stretch) - 1)
        or not (stretch[i - 1].isdigit() and stretch[i + 1].isdigit())
    ]
    return "".join(stretch[i] for i in where), where


def _with_thousands_commas(found: Segmentation, stretch: str, where: list[int]) -> Segmentation:
    """The readings (spans back in `stretch`) in which every comma sits inside one value
    printed as a grouped number ("4,532"): a value never starts or ends at a comma."""
    kept_at = set(where)
    commas = [i for i, ch in enumerate(stretch) if ch == "," and i not in kept_at]
    kept: list[Cut] = []
    for reading in found.readings:
        spans = tuple((where[s], where[e - 1] + 1) for s, e in reading.spans)
        inside = all(any(a < c < b for a, b in spans) for c in commas)
        grouped = all("," not in stretch[a:b] or _GROUPED.fullmatch(stretch[a:b]) for a, b in spans)
        if inside and grouped:
            kept.append(Cut(reading.values, spans, reading.row_number))
    # the run's only reading whatever number of values it holds, commas kept where printed
    # ("1,1967,9331,201" is 1,196|7,933|1,201 and nothing else): the cut is what the row
    # prints, as "规章000" is 0|0|0 (rules.cuts)
    runs = re.sub(r"[^0-9,\s]", " ", stretch)
    sole = len(kept) == 1 and grouped_readings(runs) == 1
    return Segmentation(kept, found.truncated and not sole, sole)


def align_row(
    result: RowResult, limit: int = MAX_PLACEMENTS, sums: Sequence[SumSpec] = ()
) -> RowCandidates | None:
    """Placements of a row's clean values on its cells (a value dropped or missing);
    `sums`: the row's own sums (`sums_for`), which rule some placements out."""
    tokens = result.row.tokens
    if not tokens or any(t.kind is TokenKind.RUN for t in tokens):
        return None
    unit = _unit(result)
    placements = align([t.value for t in tokens], len(result.keys), limit=MAX_ALIGNED + 1)
    unweighed = len(placements) > MAX_ALIGNED
    placements = [p for p in placements[:MAX_ALIGNED] if _fits_kinds(p.values, result.kinds)]
    # the most plausible placements only (the joint search grows with every row's count),
    # those the row's own sums allow first: a cap that cuts off only placements the sums
    # rule out leaves no reading that could satisfy the identities unweighed
    possible = [p for p in placements if _sums_allow(p.values, sums)]
    capped = unweighed or len(possible) > limit
    weighed = placements
    placements = [*possible, *(p for p in placements if p not in possible)][:limit]
    if not placements:
        return None
    if len(tokens) > len(result.keys) + MAX_SURPLUS and len({p.values for p in placements}) > 1:
        # far more values than cells, and they place more than one way: another row's values
        # ran on into this one (its label lost), and leaving out whichever the identities like
        # would read that row as this one. (Every value printed twice, "0 0 0 0 0 0" for three
        # cells, places one way: that stays.)
        return None
    found = RowCandidates.from_alignment(
        result.row.row, placements, [(t.start, t.end) for t in tokens]
    )

    def typed(values: Sequence[CellValue]) -> tuple[CellValue, ...]:
        return tuple(_typed(v, k, unit) for v, k in zip(values, result.kinds, strict=True))

    found.candidates = [typed(c) for c in found.candidates]
    found.truncated = capped  # the decoder then never calls a choice unique
    if len(weighed) > len(placements):
        found.weighed = [typed(p.values) for p in weighed]
    return found


def line_rows(text: str, result: RowResult) -> RowCandidates | None:
    """A label followed by several whole printed rows (each line exactly one value per cell,
    as when PDF-to-markdown detaches labels from their rows): each line is one reading."""
    tokens = result.row.tokens
    n = len(result.keys)
    if len(tokens) <= n or len(tokens) % n or any(t.kind is TokenKind.RUN for t in tokens):
        return None
    lines = token_lines(text, tokens)
    if any(len(line) != n for line in lines):
        return None
    unit = _unit(result)
    rows = [line for line in lines if _fits_kinds([t.value for t in line], result.kinds)]
    if not rows:
        return None
    return RowCandidates(
        result.row.row,
        [
            tuple(_typed(t.value, k, unit) for t, k in zip(r, result.kinds, strict=True))
            for r in rows
        ],
        Method.ALIGNED,
        spans=[(t.start, t.end) for t in tokens],
        cell_spans=[tuple((t.start, t.end) for t in r) for r in rows],
        reasons=[f"one of {len(rows)} whole rows printed after this label" for _ in rows],
    )


def candidates_of(
    folded: str, template: str, result: RowResult, limit: int = MAX_PLACEMENTS
) -> RowCandidates | None:
    """The readings of one row for the decoder; None when the text supports none."""
    if result.ambiguous is None:
        cells = result.cells.values()
        if not cells or all(c.provenance.method in (Method.MISSING, Method.ABSENT) for c in cells):
            return None
        values = tuple(result.cells[k].value for k in result.keys)
        spans = [result.cells[k].provenance.span for k in result.keys]
        return RowCandidates(result.row.row, [values], Method.READ, spans=spans)  # type: ignore[arg-type]
    found = None
    if len(result.row.tokens) < len(result.keys):
        found = (
            blank_run_row(folded, template, result)
            or glued_cell_row(folded, result)
            or segment_row(folded, template, result)
        )
        if found is not None and _lost_as_likely_as_glued(folded, result):
            # clean values in separate table cells, or set apart by spaces: a value lost is
            # as likely as two glued ("| 19 | 5 |" for three cells is not only 1|9|5); the
            # decoder weighs both
            found = _union(found, align_row(result, limit, sums_for(template, result.keys)))
    if found is None and (equal := equal_surplus_row(folded, result)) is not None:
        return equal
    if found is None and len(result.row.tokens) == len(result.keys) + 1:
        # one value too many: one left out, or two that a line break split from one number
        placed = align_row(result, limit, sums_for(template, result.keys))
        joined = joined_rows(folded, result)
        if placed is not None and joined is not None:
            return _union(placed, joined)
    return (
        found
        or line_rows(folded, result)
        or align_row(result, limit, sums_for(template, result.keys))
    )


_NOT_RUN_OR_MARK = re.compile(r"[^0-9.\-\s/—–无]")


def _row_stretch(folded: str, result: RowResult) -> tuple[int, int] | None:
    """The row's printed values, with a placeholder glued on either end ("…信息无000000")
    when it lies inside the row's own segment (after its label, before the next)."""
    tokens, segment_span = result.row.tokens, result.row.segment
    if not tokens:
        return None
    start, end = tokens[0].start, tokens[-1].end
    if segment_span is None:
        return start, end
    lo, hi = segment_span
    head = max(
        (m for m in MARK.finditer(folded, max(lo, start - 2), start) if m.end() == start),
        key=lambda m: m.end() - m.start(),
        default=None,
    )
    if head is not None and head.start() >= lo:
        start = head.start()
    tail = MARK.match(folded, end, hi) if end < hi else None
    if tail is not None and not _MINUS.match(folded, tail.start()):
        end = tail.end()
    return start, end


# a dash right before a digit is a number's minus sign ("0-10条": 0 and -10), no placeholder
_MINUS = re.compile(r"[-–]\d")


def blank_run_row(folded: str, template: str, result: RowResult) -> RowCandidates | None:
    """A glued row with blank placeholders inside its digits ("0无00000"): each placeholder a
    printed blank (None, its span the placeholder's), the pieces between cut under one
    count (`extractor.parser.decoding.placeholders`)."""
    tokens = result.row.tokens
    # (a dash glued to a digit, "0—00" or "—0", is a blank token and still this row's mark)
    if not tokens or any(t.kind is TokenKind.BLANK and not _glued(folded, t) for t in tokens):
        return None
    where = _row_stretch(folded, result)
    if where is None:
        return None
    start, end = where
    if _digits_set_aside(folded, tokens, start, end):
        return None
    stretch = folded[start:end].replace("万元", "  ").replace("元", " ")
    if "," in stretch:
        return None  # thousands separators: the plain cut handles them
    run = _NOT_RUN_OR_MARK.sub(" ", stretch)
    if not has_glued_mark(run):
        return None
    kinds = result.kinds
    found = segment_blanks(
        run,
        len(result.keys),
        signed=[i for i, k in enumerate(kinds) if k is ValueKind.SIGNED],
        decimals=[i for i, k in enumerate(kinds) if k is ValueKind.AMOUNT],
        sums=sums_for(template, result.keys),
    )
    if not found.values:
        return None
    unit = _unit(result)
    spans = [tuple((start + a, start + b) for a, b in cut) for cut in found.spans]
    return RowCandidates(
        result.row.row,
        [tuple(_typed(v, k, unit) for v, k in zip(c, kinds, strict=True)) for c in found.values],
        Method.SEGMENTED,
        [(start, end)],
        spans,  # type: ignore[arg-type]
        ["placeholders read as blank cells" for _ in found.values],
        found.truncated,
        found.sole,
    )


def _glued(folded: str, token: Token) -> bool:
    """A token touching a digit on either side."""
    return (
        folded[token.start - 1 : token.start].isdigit()
        or folded[token.end : token.end + 1].isdigit()
    )


def glued_cell_row(folded: str, result: RowResult) -> RowCandidates | None:
    """A row whose values each sit in their own table cell but one cell holds a glued run
    ("| 0 | 无 | 1 | 001 | 1 |"): the other cells stay as printed and the run is cut into
    the cells left over; the decoder chooses among the cuts under the identities."""
    tokens, n = result.row.tokens, len(result.keys)
    runs = [i for i, t in enumerate(tokens) if t.kind is TokenKind.RUN]
    if len(runs) != 1 or len(tokens) >= n or not _in_own_cells(folded, tokens):
        return None
    at, k = runs[0], n - len(tokens) + 1
    glued = tokens[at]
    if "," in glued.text:
        return None  # thousands separators inside: the whole row's cut handles them
    kinds = result.kinds[at : at + k]
    run = _NOT_RUN.sub(
        " ", folded[glued.start : glued.end].replace("万元", "  ").replace("元", " ")
    )
    if sum(ch.isdigit() for ch in run) < k:
        return None
    found = segment(
        run,
        k,
        signed=[i for i, kind in enumerate(kinds) if kind is ValueKind.SIGNED],
        decimals=[i for i, kind in enumerate(kinds) if kind is ValueKind.AMOUNT],
    )
    if not found.readings:
        return None
    unit = _unit(result)
    before = [
        _typed(t.value, kind, unit) for t, kind in zip(tokens[:at], result.kinds, strict=False)
    ]
    after_kinds = result.kinds[at + k :]
    after = [
        _typed(t.value, kind, unit) for t, kind in zip(tokens[at + 1 :], after_kinds, strict=True)
    ]
    own = [(t.start, t.end) for t in tokens]
    candidates, cell_spans = [], []
    for reading in found.readings:
        cut = [_typed(v, kind, unit) for v, kind in zip(reading.values, kinds, strict=True)]
        candidates.append((*before, *cut, *after))
        cut_spans = [(glued.start + a, glued.start + b) for a, b in reading.spans]
        cell_spans.append((*own[:at], *cut_spans, *own[at + 1 :]))
    return RowCandidates(
        result.row.row,
        candidates,
        Method.SEGMENTED,
        own,
        cell_spans,
        None,
        found.truncated,
        found.sole,  # the run read one way only; the other cells are each in their own cell
    )


def _in_own_cells(folded: str, tokens: list[Token]) -> bool:
    """Every token apart from the next by a table separator (tab, pipe or line)."""
    return len(tokens) >= 2 and all(
        any(sep in folded[a.end : b.start] for sep in "|\t\n")
        for a, b in itertools.pairwise(tokens)
    )


def _delimited(folded: str, tokens: list[Token]) -> bool:
    """Two or more clean values, each in its own table cell (tab, pipe or line apart)."""
    if len(tokens) < 2 or any(t.kind is not TokenKind.NUMBER for t in tokens):
        return False
    return all(
        any(sep in folded[a.end : b.start] for sep in "|\t\n")
        for a, b in itertools.pairwise(tokens)
    )


def _lost_as_likely_as_glued(folded: str, result: RowResult) -> bool:
    """A row printing fewer values than cells where values lost explain the print as well
    as values glued: each value in its own table cell, or, at most MAX_LOST short, each
    value set apart by spaces and each one number as printed ("0 0 0 0 0 10 1 0 2 …" for 15
    cells: 10 cut 1|0, or a cell lost; a "0000" can only be glued, and "500000 5" for seven
    cells is a glued run, not five cells lost). Found by sweeps: synth-6403-0039, whose cut
    made every group sum hold over a lost cell and a misprinted total, and synth-7350-0103,
    "12 0 36 0 …" two cells short, cut 1|2|0|3|6: both went out proven."""
    tokens = result.row.tokens
    if _delimited(folded, tokens):
        return True
    if not 0 < len(result.keys) - len(tokens) <= MAX_LOST or len(tokens) < 2:
        return False
    return all(t.kind is TokenKind.NUMBER for t in tokens) and all(
        a.end < b.start and not folded[a.end : b.start].strip()
        for a, b in itertools.pairwise(tokens)
    )


def _union(cut: RowCandidates, placed: RowCandidates | None) -> RowCandidates:
    """The readings of both: cuts of the digits and placements of the printed values.
    Marked "aligned": whichever the identities pick, where a value went is a judgement."""
    if placed is None:
        return cut
    extra = [n for n, c in enumerate(placed.candidates) if c not in cut.candidates]
    cell_spans = None
    if cut.cell_spans is not None and placed.cell_spans is not None:
        cell_spans = [*cut.cell_spans, *(placed.cell_spans[n] for n in extra)]
    reasons = None
    if cut.reasons is not None or placed.reasons is not None:
        mine = cut.reasons or [""] * len(cut.candidates)
        theirs = placed.reasons or [""] * len(placed.candidates)
        reasons = [*mine, *(theirs[n] for n in extra)]
    return RowCandidates(
        cut.row,
        [*cut.candidates, *(placed.candidates[n] for n in extra)],
        Method.ALIGNED,
        placed.spans or cut.spans,
        cell_spans,
        reasons,
        cut.truncated or placed.truncated,
    )


def _to_cell(text: str, decoded: DecodedCell, keep_below: float = GUESS_BELOW) -> CellRead:
    """A decoded cell as the parser reports it: a guess is null, its readings alternatives.
    A value at `keep_below` or above is kept (a realigned row's unique placement is kept,
    noted, at REALIGNED_CONFIDENCE)."""
    notes = list(decoded.notes)
    value, alternatives = decoded.value, list(decoded.alternatives)
    span = decoded.span
    glued_blank = value is None and decoded.method == Method.SEGMENTED and span is not None
    if glued_blank and text[span[0] : span[1]].strip() in PLACEHOLDERS:  # type: ignore[index]
        # a placeholder glued into the run: printed blank. Proven only when the run's count
        # is what the print shows (its only reading at any count); else noted, so flagged
        if decoded.confidence < CUT_PROVEN:
            notes.append(UNSURE_BLANK)
        prov = provenance(text, span, Method.BLANK, decoded.confidence, notes, alternatives)
        return CellRead(None, prov)
    if decoded.confidence < keep_below and (alternatives or decoded.method != Method.READ):
        if value is not None:
            alternatives = [value, *[a for a in alternatives if a != value]]
            notes.append(f"not taken: {value} is one of several readings")
        value = None
    return CellRead(
        value,
        provenance(text, decoded.span, decoded.method, decoded.confidence, notes, alternatives),
    )


def resolve(text: str, folded: str, template: str, results: list[RowResult]) -> dict[str, CellRead]:
    """Every cell of every row, decoded jointly; a read cell keeps its own provenance."""
    parts: dict[str, dict[str, RowCandidates]] = {"t2": {}, "t3": {}, "t4": {}}
    own: dict[str, CellRead] = {}
    short: list[tuple[str, ...]] = []  # keys of spaced rows short of values (`_spaced_short`)
    # a part whose rows were all read cleanly and found has nothing to decode
    doubtful = {
        r.row.part
        for r in results
        if r.ambiguous is not None
        or (r.row.label is None and r.row.part != "t2" and r.row.absent is None)
    }
    crowded = {
        part
        for part in doubtful
        if sum(r.ambiguous is not None for r in results if r.row.part == part) > CROWDED
    }
    for result in results:
        own.update(result.cells)
        if result.row.part not in doubtful:
            continue
        limit = CROWDED_PLACEMENTS if result.row.part in crowded else MAX_PLACEMENTS
        if one_too_many(result) and result.row.part not in crowded:
            # each value left out in turn: all n + 1 placements (part 四's 16), none cut off
            limit = max(limit, len(result.keys) + 1)
        if _spaced_short(folded, result):
            short.append(result.keys)
            # every placement of the lost values (two of seven: 21) the row's sums allow, none
            # cut off: a cut the identities prove must not stay in doubt for placements
            # never weighed
            lost = len(result.keys) - len(result.row.tokens)
            limit = max(limit, math.comb(len(result.keys), lost))
        found = candidates_of(folded, template, result, limit)
        if found is None:
            if result.ambiguous is not None:
                span = _row_span(result)
                note = f"{result.ambiguous}; no reading of the values fits the row"
                for key in result.keys:
                    prov = provenance(text, span, Method.UNRESOLVED, 0.0, [note])
                    own[key] = CellRead(None, prov)
            continue
        if result.row.part == "t4":
            found.row = T4_RUN
        parts[result.row.part][found.row] = found
    if parts["t2"]:
        parts["t2"] = restated_rows(parts["t2"], template, document_figures(text))
    decoders = {"t2": decode_t2, "t3": decode_t3, "t4": decode_t4}
    decoded: list[Decoded] = [decoders[p](parts[p], template) for p in decoders if p in doubtful]
    local: dict[str, CellValue] = {}
    realigned: set[str] = set()
    surplus = {k for r in results if r.row.part != "t2" and one_too_many(r) for k in r.keys}
    for part, rows in parts.items():
        for found in rows.values():
            if found.how != Method.READ:
                keys = row_keys(template, part, found.row)[0]
                local.update(_agreed_under_own_sums(template, keys, found))
                if found.how == Method.ALIGNED:
                    realigned.update(keys)
    out = _merge(
        text, own, decoded, local, realigned, surplus, _glued_not_lost(template, decoded, short)
    )
    for result in results:
        if len(result.row.tokens) > len(result.keys) + MAX_SURPLUS:
            for key in result.keys:
                cell = out.get(key)
                if cell is not None and cell.provenance.method == Method.ALIGNED:
                    cell.provenance.notes.append(RUN_ON)
    _doubt_glued_t4_cut(folded, parts["t4"].get(T4_RUN), out)
    refuse_unexplained_surplus(folded, [r for r in results if r.row.part != "t2"], out)
    force_zeros(text, template, out)
    question_blanks(template, out)
    return out


# Part 四's cells glued into one run ("5000050个000001件0001"): the run holds more digits than
# its 15 cells, so the cut makes some values longer than one digit. Each cell is in one
# identity only, its group's sum, and a group of mostly zeros adds up however its digits are
# shared out: a value printed twice glued on ("5" then "0" twice reads "50"), a cell lost
# ("36条528" for 36, 5, a lost cell, 28 cut 3|6|52|8), or a blank where a number belongs
# ("1-10/1100…": 1|0 read 10) each leave a wrong cut as the only one that adds up.
GLUED_T4_CUT = (
    "part 四 printed as one glued run with more digits than cells: a longer value here may be "
    "two cells, or a value and another printed twice, and the group sums cannot tell"
)


GLUED_T4_LOST = (
    "part 四 printed as one glued run of a digit a cell: a cell may be lost and two digits "
    "one value, and the group sums cannot tell"
)
# two digits side by side that may be one value (no value starts with 0 but a lone 0)
_TWO_DIGIT_VALUE = re.compile(r"[1-9]\d")


def longer_value_in_doubt(values: Sequence[object], printed: int) -> bool:
    """A cut of a glued run of `printed` digits and placeholders into `values` that makes a
    value of more than one digit: that value may be two cells (one lost elsewhere) or a value
    with a doubled one glued on."""
    if printed <= len(values):
        return False
    return any(isinstance(value, int) and abs(value) >= 10 for value in values)


def _doubt_glued_t4_cut(folded: str, run: RowCandidates | None, cells: dict[str, CellRead]) -> None:
    """Part 四 cut out of one glued run with a longer value that may be two cells or hide a
    value printed twice (`longer_value_in_doubt`), or cut a digit a cell where two digits
    may be one value beside a lost cell: every cell of the run is in doubt (in place), one
    decision."""
    if run is None or run.how != Method.SEGMENTED or run.sole or not run.spans:
        return
    keys = [k for k in cells if k.startswith("t4.")]
    start, end = run.spans[0]
    stretch = folded[start:end]
    # each digit, and each blank's placeholder ("1-10/1100…"), may be a cell of its own
    printed = sum(ch.isdigit() for ch in stretch) + len(MARK.findall(stretch))
    values = [cells[k].value for k in keys]
    if longer_value_in_doubt(values, printed):
        note = GLUED_T4_CUT
    elif printed == len(values) and _TWO_DIGIT_VALUE.search(stretch):
        # as many digits as cells, read one a cell: a cell lost leaves as many digits when
        # two of them are one value ("0 1 0 12" with 维持 lost reads 0|1|0|1|2, its group
        # sum holding: synth-9270-0156); a page that glues values shows no lost cell
        note = GLUED_T4_LOST
    else:
        return
    for key in keys:
        prov = cells[key].provenance
        prov.confidence = min(prov.confidence, ONE_READING_DOUBTED)
        prov.notes.append(note)


def question_blanks(template: str, cells: dict[str, CellRead]) -> None:
    """A cell printed blank stays null, but when an identity whose other cells are all known
    says it holds a non-zero count, the blank is noted (so flagged): a value may be lost."""
    blanks = {k for k, c in cells.items() if c.provenance.method == Method.BLANK}
    if not blanks:
        return
    from rules.identities import identities_for

    for ident in identities_for(template):
        open_keys = [k for k in ident.keys if cells.get(k) is None or cells[k].value is None]
        if len(open_keys) != 1 or open_keys[0] not in blanks:
            continue
        (key,) = open_keys
        coef = ident.coefficient(key)
        rest = sum(ident.coefficient(k) * cells[k].value for k in ident.keys if k != key)  # type: ignore[operator]
        implied = -rest * coef
        if implied != 0:
            note = f"printed blank, but {ident.id} implies {implied}"
            if note not in cells[key].provenance.notes:
                cells[key].provenance.notes.append(note)


def _agreed_under_own_sums(
    template: str, keys: tuple[str, ...], found: RowCandidates
) -> dict[str, CellValue]:
    """Cells on which every reading that satisfies the row's own sums agrees."""
    sums = sums_for(template, keys)
    good = [
        c
        for c in found.candidates
        if all(
            None not in (*(c[p] for p in parts), c[t]) and sum(c[p] for p in parts) == c[t]  # type: ignore[misc]
            for parts, t in sums
        )
    ]
    if not good or not sums:
        return {}
    return {
        key: good[0][i]
        for i, key in enumerate(keys)
        if good[0][i] is not None and all(c[i] == good[0][i] for c in good)
    }


def _spaced_short(folded: str, result: RowResult) -> bool:
    """A part-三/四 row printing fewer values than its cells, each set apart, so read both as
    values lost and as values glued (`_lost_as_likely_as_glued`: spaced, at most MAX_LOST
    short; in table cells, any number short), whose every placement of the lost values can
    be weighed (at most MAX_LOST lost, or MAX_ALIGNED placements: three of seven is 35)."""
    lost = len(result.keys) - len(result.row.tokens)
    weighable = lost <= MAX_LOST or math.comb(len(result.keys), lost) <= MAX_ALIGNED
    return (
        result.row.part != "t2"
        and lost > 0
        and weighable
        and _lost_as_likely_as_glued(folded, result)
    )


def _glued_not_lost(
    template: str, decoded: list[Decoded], short: list[tuple[str, ...]]
) -> set[str]:
    """Cells of spaced rows short of values (`short`: their keys, `_spaced_short`) whose
    one reading the identities allow reads every cell as printed (a cut of glued digits,
    no value lost), every placement of lost values weighed, each cell in two identities or
    more: a lost value and a misprint elsewhere could leave a wrong cut as the one reading
    that adds up where one identity checks the cell (part 四, synth-6403-0039), not where
    two do."""
    from rules.identities import identities_by_key

    if not short:
        return set()
    checks = identities_by_key(template)
    cells = {k: c for part in decoded for k, c in part.cells.items()}
    return {
        key
        for keys in short
        if all(
            k in cells
            and cells[k].method == Method.INFERRED
            and _every_reading_weighed(cells[k])
            and len(checks.get(k, ())) >= 2
            for k in keys
        )
        for key in keys
    }


def _merge(
    text: str,
    own: Mapping[str, CellRead],
    decoded: list[Decoded],
    local: Mapping[str, CellValue],
    realigned: set[str],
    surplus: Collection[str] = (),
    glued: Collection[str] = (),
) -> dict[str, CellRead]:
    out: dict[str, CellRead] = dict(own)
    for part in decoded:
        for key, cell in part.cells.items():
            mine = own.get(key)
            if mine is not None and mine.provenance.method == Method.ABSENT:
                continue  # the row is not printed: null is its reading, whatever fits the sums
            if cell.method == Method.READ and mine is not None:
                continue  # read as printed: keep the parser's own provenance (blank, notes)
            if cell.method == Method.MISSING and mine is not None:
                continue  # the parser knows why it is missing
            if cell.confidence < GUESS_BELOW and local.get(key) is not None:
                value = local[key]
                note = "taken: every reading that satisfies its own row's sum gives this value"
                prov = provenance(
                    text, cell.span, cell.method, 0.8, [*cell.notes, note], list(cell.alternatives)
                )
                out[key] = CellRead(value, prov)
                continue
            keep_below = GUESS_BELOW
            inferred = cell.method == Method.INFERRED
            if key in surplus and inferred and _every_reading_weighed(cell):
                out[key] = _to_cell(text, _printed(cell))
                continue
            if key in glued:
                out[key] = _to_cell(text, _printed(cell, GLUED_NOT_LOST))
                continue
            if key in realigned and inferred and cell.confidence >= GUESS_BELOW:
                # a placement of a row that printed too few or too many values: even the one
                # the identities allow is a judgement about where values were lost or doubled
                why = cell.basis or "the identities allow only this placement"
                cell.confidence = REALIGNED_CONFIDENCE
                cell.notes = [*cell.notes, f"row realigned: {why}"]
                keep_below = REALIGNED_CONFIDENCE
            out[key] = _to_cell(text, cell, keep_below)
    return out


def _every_reading_weighed(cell: DecodedCell) -> bool:
    """The unique reading of a row printing one value too many, under identities that hold."""
    return (
        cell.value is not None
        and cell.confidence >= GUESS_BELOW
        and cell.basis.startswith("the only reading")
        and cell.basis.endswith("satisfies the identities")
    )


def _printed(cell: DecodedCell, why: str = SURPLUS) -> DecodedCell:
    """Every value as printed, one left out or two joined (or glued, none lost): checked by
    the identities."""
    cell.method = Method.ALIGNED
    cell.confidence = ONE_READING
    cell.notes = [*cell.notes, f"{why} ({cell.basis})"]
    return cell


# cells of rows (or cells) the report does not print: null is their reading, never inferred
NOT_PRINTED = (Method.BLANK, Method.MISSING, Method.ABSENT)


def force_zeros(text: str, template: str, cells: dict[str, CellRead]) -> None:
    """Counts are never negative: when one side of an identity is known and sums to 0,
    every unknown count on the other side is 0 (method "inferred", noted, so flagged)."""
    from nianbao.core.layout import layout_for
    from rules.identities import identities_for

    open_cells = [
        c for c in cells.values() if c.value is None and c.provenance.method not in NOT_PRINTED
    ]
    if not open_cells:
        return  # nothing unknown in a printed row: the usual case, skip the identities
    kinds = {s.key: s.kind for s in layout_for(template).cells}
    changed = True
    while changed:
        changed = False
        for ident in identities_for(template):
            for known, other in ((ident.lhs, ident.rhs), (ident.rhs, ident.lhs)):
                values = [cells[k].value if k in cells else None for k in known]
                if any(v is None for v in values) or sum(values) != 0:  # type: ignore[arg-type]
                    continue
                for key in other:
                    cell = cells.get(key)
                    if kinds.get(key) is not ValueKind.COUNT:
                        continue
                    # only cells of printed rows: a row the report does not print stays null
                    if cell is None or cell.value is not None:
                        continue
                    if cell.provenance.method in NOT_PRINTED:
                        continue
                    note = f"inferred 0: {ident.id} has 0 on its other side; counts are >= 0"
                    span = cell.provenance.span
                    cells[key] = CellRead(0, provenance(text, span, Method.INFERRED, 0.8, [note]))
                    changed = True
