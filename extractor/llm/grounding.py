"""Tie each row the model read to the source text: locate its quote, check its numbers.

A quote is located verbatim (exact), after normalising whitespace and full-width forms
(fuzzy), or by rapidfuzz partial alignment whose digits match the quote's (fuzzy). A quote
not found, or a value not in its own quote, is flagged: the value may be invented.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from rapidfuzz import fuzz

from extractor.llm.responses import RowReading
from nianbao.core.models import Alignment, CellProvenance, CellValue, Method

FUZZY_CUTOFF = 90.0  # rapidfuzz partial-ratio score below which a quote counts as not found
CONFIDENCE = {Alignment.EXACT: 0.95, Alignment.FUZZY: 0.92, Alignment.NOT_FOUND: 0.3}
VALUE_NOT_IN_QUOTE = 0.5

# Characters NFKC leaves apart but OCR and models swap freely.
_EXTRA = str.maketrans({"“": '"', "”": '"', "‘": "'", "’": "'", "—": "-", "–": "-", "－": "-"})
_NUMBER = re.compile(r"-?\d+(?:\.\d+)?")


@dataclass(frozen=True)
class Located:
    """Where a quote sits in the source: [start, end) offsets, how it was found, the score."""

    span: tuple[int, int] | None
    alignment: Alignment
    score: float = 0.0


class NormalText:
    """Text with whitespace removed and forms unified, mapped back to original offsets."""

    def __init__(self, text: str) -> None:
        chars: list[str] = []
        origin: list[int] = []
        for i, ch in enumerate(text):
            for out in unicodedata.normalize("NFKC", ch).translate(_EXTRA):
                if not out.isspace():
                    chars.append(out)
                    origin.append(i)
        self.text = "".join(chars)
        self.origin = origin

    def span(self, start: int, end: int) -> tuple[int, int]:
        """Original [start, end) of normalised [start, end)."""
        return self.origin[start], self.origin[end - 1] + 1


def normalise(text: str) -> str:
    return NormalText(text).text


def _digits(text: str) -> str:
    return "".join(ch for ch in text if ch.isdigit())


def locate(quote: str, source: str, normal: NormalText | None = None) -> Located:
    """Find `quote` in `source`: verbatim, normalised, or by partial alignment."""
    needle = quote.strip()
    if not needle:
        return Located(None, Alignment.NOT_FOUND)
    at = source.find(needle)
    if at >= 0:
        return Located((at, at + len(needle)), Alignment.EXACT, 100.0)
    normal = normal or NormalText(source)
    nq = normalise(needle)
    if not nq:
        return Located(None, Alignment.NOT_FOUND)
    at = normal.text.find(nq)
    if at >= 0:
        return Located(normal.span(at, at + len(nq)), Alignment.FUZZY, 100.0)
    hit = fuzz.partial_ratio_alignment(nq, normal.text, score_cutoff=FUZZY_CUTOFF)
    if hit is None or hit.dest_end <= hit.dest_start:
        return Located(None, Alignment.NOT_FOUND, 0.0 if hit is None else hit.score)
    # A near match whose numbers differ is a different row (or an invented one).
    if _digits(normal.text[hit.dest_start : hit.dest_end]) != _digits(nq):
        return Located(None, Alignment.NOT_FOUND, hit.score)
    return Located(normal.span(hit.dest_start, hit.dest_end), Alignment.FUZZY, hit.score)


def value_in_quote(value: CellValue, quote: str) -> bool:
    """Whether the quote shows this number (as a token, inside a glued run, or in 元)."""
    if value is None:
        return True
    text = normalise(quote)
    tokens = _NUMBER.findall(text)
    if isinstance(value, Decimal):
        for token in tokens:
            try:
                number = Decimal(token)
            except InvalidOperation:  # pragma: no cover - the pattern only matches numbers
                continue
            if number == value or number / 10000 == value:
                return True
        return False
    shown = str(abs(value))
    # Glued runs ("640020470") hold several values: a digit substring is all one can check.
    return any(shown == t.lstrip("-") or (len(t) > len(shown) and shown in t) for t in tokens)


def _same_number(token: str, value: CellValue) -> bool:
    try:
        number = Decimal(token)
    except InvalidOperation:  # pragma: no cover - the pattern only matches numbers
        return False
    if isinstance(value, Decimal):
        return number == value or number / 10000 == value
    return number == value


def cell_spans(
    row_span: tuple[int, int], cells: dict[str, CellValue], source: str
) -> dict[str, tuple[int, int]]:
    """Each non-null cell's own [start, end) inside its row, when the row's last numbers
    are exactly its values in column order; {} when that is not certain (glued digits,
    a blank printed as "/", an extra number): the row span then stands for every cell."""
    values = [(k, v) for k, v in cells.items() if v is not None]
    if not values:
        return {}
    text = source[row_span[0] : row_span[1]]
    tokens = [(m.start(), m.end(), m.group()) for m in _NUMBER.finditer(text)]
    if len(tokens) < len(values):
        return {}
    tail = tokens[-len(values) :]
    if not all(_same_number(tok, v) for (_, _, tok), (_, v) in zip(tail, values, strict=True)):
        return {}
    return {
        key: (row_span[0] + start, row_span[0] + end)
        for (start, end, _), (key, _) in zip(tail, values, strict=True)
    }


def ground(
    reading: RowReading, source: str, extractor: str, normal: NormalText | None = None
) -> dict[str, CellProvenance]:
    """Provenance of every cell of one row read by the model."""
    located = locate(reading.quote, source, normal)
    read_something = any(v is not None for v in reading.cells.values())
    own = cell_spans(located.span, reading.cells, source) if located.span else {}
    out: dict[str, CellProvenance] = {}
    for key, value in reading.cells.items():
        notes: list[str] = []
        if located.alignment is Alignment.NOT_FOUND:
            confidence = CONFIDENCE[Alignment.NOT_FOUND]
            if reading.quote.strip():
                notes.append("llm: quote not found in the source")
            elif value is None and not read_something:
                confidence = 1.0  # a row the model says is not printed: null flags it anyway
            else:
                notes.append("llm: no quote given")
        else:
            confidence = CONFIDENCE[located.alignment]
            if not value_in_quote(value, reading.quote):
                notes.append(f"llm: value {value} not in its quote")
                confidence = min(confidence, VALUE_NOT_IN_QUOTE)
        method = Method.READ
        if value is None and located.alignment is not Alignment.NOT_FOUND:
            method = Method.BLANK  # the row was found and this cell is empty in it
        span = own.get(key, located.span)
        out[key] = CellProvenance(
            extractor=extractor,
            span=span,
            snippet=source[span[0] : span[1]] if span else None,
            method=method,
            alignment=located.alignment,
            confidence=confidence,
            notes=notes,
        )
    return out
