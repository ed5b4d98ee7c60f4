"""Blank placeholders glued inside a digit run ("0无00000", "00000/0", "0—00").

A flattened page prints a blank cell's placeholder with nothing around it, so the row's
values and its blanks come as one stretch. A placeholder there is a cell boundary on both
sides and a printed blank; the digit pieces between placeholders are cut as runs of their
own (`segment`), under one count: the row's n cells = the blanks + the pieces' values.

"-" is a placeholder too, but in a row with a signed column (`t2.*.change`) a "-" before a
digit may be a minus sign: it is read as one, and as a blank only when no reading takes it
for a sign; such a row is never `sole` (so its cells are always flagged).

`sole` keeps `rules.cuts`'s rule: every mark is surely one blank, and every piece has exactly
one reading whatever number of values it holds, so the row's count is what the print shows
(not an assumption) and it equals n. Nothing here chooses between readings: the decoder does.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from extractor.parser.decoding.segment import MAX_RESULTS, Segmentation, SumSpec, segment
from rules.cuts import readings

# The placeholders the tokenizer reads as a blank (`tokens._BLANK`), in folded text ("／" is
# "/", "－" is "-"); "——" is one mark. The longest first, so "——" is never two.
MARK = re.compile(r"——|[—–无/-]")
_UNSURE = "——"  # one blank or two: the count is not shown
# combinations of the pieces' readings weighed per run (the product grows as readings^pieces;
# the row sums may reject nearly all): past it the readings are `truncated`, so flagged
MAX_COMBINATIONS = 20_000
Value = int | Decimal | None
Span = tuple[int, int]


@dataclass(frozen=True)
class Mark:
    start: int
    end: int
    text: str


@dataclass
class Readings:
    """Every reading of a run with placeholders, most plausible first; None at each blank,
    whose span is the placeholder's."""

    values: list[tuple[Value, ...]] = field(default_factory=list)
    spans: list[tuple[Span, ...]] = field(default_factory=list)
    truncated: bool = False
    sole: bool = False
    priors: list[int] = field(default_factory=list)


def marks_in(run: str) -> list[Mark]:
    return [Mark(m.start(), m.end(), m.group(0)) for m in MARK.finditer(run)]


def has_glued_mark(run: str) -> bool:
    """A placeholder with a digit right beside it: the blank is glued into the run."""
    for mark in marks_in(run):
        before = run[mark.start - 1 : mark.start]
        after = run[mark.end : mark.end + 1]
        if before.isdigit() or after.isdigit():
            return True
    return False


def _maybe_sign(run: str, mark: Mark, signed: Sequence[int]) -> bool:
    """A "-" right before a digit in a row with a signed column can be a minus sign."""
    return bool(signed) and mark.text == "-" and run[mark.end : mark.end + 1].isdigit()


def segment_blanks(
    run: str,
    n: int,
    *,
    signed: Sequence[int] = (),
    decimals: Sequence[int] = (),
    sums: Sequence[SumSpec] = (),
    limit: int = MAX_RESULTS,
) -> Readings:
    """Every reading of `run` (digits, points, spaces and placeholders) as n cells, each
    placeholder a blank cell, meeting `sums` with blanks counted as nothing printed (0)."""
    marks = marks_in(run)
    unsure = [m for m in marks if _maybe_sign(run, m, signed)]
    out = Readings()
    if len(unsure) > 3:
        return out  # too many ways to read the signs: leave the row to be flagged
    found: dict[tuple[Value, ...], tuple[tuple[Span, ...], int]] = {}
    # the signs first: a "-" before a digit in a signed row is read as a blank only when no
    # reading takes it for a sign (the row is never `sole` either way, so always flagged)
    for as_sign in itertools.product((True, False), repeat=len(unsure)):
        if found and not all(as_sign):
            break
        signs = {m for m, s in zip(unsure, as_sign, strict=True) if s}
        blanks = [m for m in marks if m not in signs]
        truncated = _collect(run, n, blanks, signed, decimals, sums, limit, found)
        out.truncated |= truncated
        if len(found) > limit:
            out.truncated = True
            break
    ranked = sorted(found.items(), key=lambda item: item[1][1])[:limit]
    out.values = [v for v, _ in ranked]
    out.spans = [s for _, (s, _) in ranked]
    out.priors = [p for _, (_, p) in ranked]
    out.sole = (
        len(out.values) == 1
        and not out.truncated
        and not unsure
        and all(m.text != _UNSURE for m in marks)
        and all(
            readings(piece, signed=bool(signed), decimal=bool(decimals)) == 1
            for piece, _ in _pieces(run, marks)
            if piece.strip()
        )
    )
    return out


def _pieces(run: str, blanks: Sequence[Mark]) -> list[tuple[str, int]]:
    """The stretches between the blanks, each with its offset in the run."""
    out, at = [], 0
    for mark in blanks:
        out.append((run[at : mark.start], at))
        at = mark.end
    out.append((run[at:], at))
    return out


def _collect(
    run: str,
    n: int,
    blanks: Sequence[Mark],
    signed: Sequence[int],
    decimals: Sequence[int],
    sums: Sequence[SumSpec],
    limit: int,
    found: dict[tuple[Value, ...], tuple[tuple[Span, ...], int]],
) -> bool:
    """Add the readings with these marks as blanks to `found`; True when a bound was hit."""
    pieces = _pieces(run, blanks)
    # "-" left in a piece is a sign; any other mark left there is no value: no reading
    if any(MARK.search(p.replace("-", "")) for p, _ in pieces):
        return False
    need = n - len(blanks)
    if need < 0:
        return False
    truncated = False
    weighed = 0
    for counts in _compositions([p for p, _ in pieces], need):
        per_piece: list[Segmentation | None] = []
        at = 0
        for (piece, _), k in zip(pieces, counts, strict=True):
            if k == 0:
                per_piece.append(None)
            else:
                local = range(at, at + k)
                seg = segment(
                    piece,
                    k,
                    signed=[i - at for i in signed if i in local],
                    decimals=[i - at for i in decimals if i in local],
                )
                if not seg.readings:
                    break
                truncated |= seg.truncated
                per_piece.append(seg)
            at += k + 1  # the blank after the piece
        else:
            for combo in itertools.product(*[s.readings if s else [None] for s in per_piece]):
                weighed += 1
                if weighed > MAX_COMBINATIONS:
                    return True
                values: list[Value] = []
                spans: list[Span] = []
                prior = 0
                for i, ((_, offset), cut) in enumerate(zip(pieces, combo, strict=True)):
                    if cut is not None:
                        values.extend(cut.values)
                        spans.extend((offset + s, offset + e) for s, e in cut.spans)
                        prior += cut.prior[0]
                    if i < len(blanks):
                        values.append(None)
                        spans.append((blanks[i].start, blanks[i].end))
                vector = tuple(values)
                if not _meets(vector, sums) or vector in found:
                    continue
                found[vector] = (tuple(spans), prior)
                if len(found) > limit:
                    return True
    return truncated


def _compositions(pieces: Sequence[str], need: int) -> Iterator[tuple[int, ...]]:
    """Value counts per piece adding up to `need`: an empty piece holds none, any other at
    least one and at most its digits."""
    if not pieces:
        if need == 0:
            yield ()
        return
    digits = sum(ch.isdigit() for ch in pieces[0])
    lo, hi = (0, 0) if not digits else (1, digits)
    for k in range(lo, min(hi, need) + 1):
        for rest in _compositions(pieces[1:], need - k):
            yield (k, *rest)


def _meets(vector: tuple[Value, ...], sums: Sequence[SumSpec]) -> bool:
    """Every row sum holds, a blank counted as nothing printed (0)."""
    return all(sum(vector[p] or 0 for p in parts) == (vector[total] or 0) for parts, total in sums)
