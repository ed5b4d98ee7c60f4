"""Tie each row the model read to the source text: locate its quote, check its numbers.

A quote is located verbatim (exact), after normalising whitespace and full-width forms
(fuzzy), or by rapidfuzz partial alignment whose digits match the quote's (fuzzy). A quote
not found, or a value not in its own quote, is flagged: the value may be invented.
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_left
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import lru_cache

from rapidfuzz import fuzz

from extractor.llm.responses import RowReading
from extractor.llm.rowproof import (
    PROVEN_CHECKS,
    CellCheck,
    CellResult,
    check_cells,
    core_label,
    label_printed,
)
from extractor.llm.units import RowSpec
from extractor.parser.locate import UNIT_LOOKBACK, header_unit
from extractor.parser.tokens import fold
from nianbao.core.models import Alignment, CellProvenance, CellValue, Method

FUZZY_CUTOFF = 90.0  # rapidfuzz partial-ratio score below which a quote counts as not found
CONFIDENCE = {Alignment.EXACT: 0.95, Alignment.FUZZY: 0.92, Alignment.NOT_FOUND: 0.3}
VALUE_NOT_IN_QUOTE = 0.5

# Characters NFKC leaves apart but OCR and models swap freely.
_EXTRA = str.maketrans({"“": '"', "”": '"', "‘": "'", "’": "'", "—": "-", "–": "-", "－": "-"})
_NUMBER = re.compile(r"-?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?")  # separators kept
_BR = re.compile(r"<br\s*/?>", re.I)
# words, i.e. CJK other than the units a number may carry ("0个", "3件", "12元"): a quote of
# numbers with units is still a quote of numbers only
_CJK = re.compile(r"[\u4e00-\u9fff]")
_UNITS = str.maketrans("", "", "件个元万项条")


def _has_words(text: str) -> bool:
    """Whether `text` holds words, not only numbers and their units."""
    return bool(_CJK.search(text.translate(_UNITS)))


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
        # a line break inside a table cell of HTML or Markdown ("社会公<br>益组织") is
        # whitespace too
        breaks = {i for m in _BR.finditer(text) for i in range(m.start(), m.end())}
        for i, ch in enumerate(text):
            if i in breaks:
                continue
            for out in unicodedata.normalize("NFKC", ch).translate(_EXTRA):
                if not out.isspace():
                    chars.append(out)
                    origin.append(i)
        self.text = "".join(chars)
        self.origin = origin

    def span(self, start: int, end: int) -> tuple[int, int]:
        """Original [start, end) of normalised [start, end)."""
        return self.origin[start], self.origin[end - 1] + 1


class SqueezedText:
    """Text with each whitespace run as one character (extractor.llm.compact.squeeze),
    mapped back to original offsets."""

    def __init__(self, text: str) -> None:
        chars: list[str] = []
        origin: list[int] = []
        i = 0
        while i < len(text):
            if not text[i].isspace():
                chars.append(text[i])
                origin.append(i)
                i += 1
                continue
            j = i
            while j < len(text) and text[j].isspace():
                j += 1
            chars.append("\n" if "\n" in text[i:j] else " ")
            origin.append(i)
            i = j
        self.text = "".join(chars)
        self.origin = origin

    def span(self, start: int, end: int) -> tuple[int, int]:
        return self.origin[start], self.origin[end - 1] + 1


@lru_cache(maxsize=16)
def _squeezed(source: str) -> SqueezedText:
    return SqueezedText(source)


def _squeeze(quote: str) -> str:
    return SqueezedText(quote).text.strip()


def normalise(text: str) -> str:
    return NormalText(text).text


def _digits(text: str) -> str:
    return "".join(ch for ch in text if ch.isdigit())


def locate(quote: str, source: str, normal: NormalText | None = None, after: int = 0) -> Located:
    """Find `quote` in `source`: verbatim, normalised, or by partial alignment. A quote
    printed more than once (a row of zeros) is taken at its first place from `after` on
    (where the rows before it were found), else at its first place."""
    needle = quote.strip()
    if not needle:
        return Located(None, Alignment.NOT_FOUND)
    at = source.find(needle, after)
    if at < 0:
        at = source.find(needle)
    if at >= 0:
        return Located((at, at + len(needle)), Alignment.EXACT, 100.0)
    # verbatim in the text as sent (prompts v3 squeeze whitespace runs): still exact
    squeezed = _squeezed(source)
    sq = _squeeze(needle)
    at = squeezed.text.find(sq, bisect_left(squeezed.origin, after)) if after else -1
    if at < 0:
        at = squeezed.text.find(sq)
    if at >= 0 and sq:
        return Located(squeezed.span(at, at + len(sq)), Alignment.EXACT, 100.0)
    normal = normal or NormalText(source)
    nq = normalise(needle)
    if not nq:
        return Located(None, Alignment.NOT_FOUND)
    at = normal.text.find(nq, bisect_left(normal.origin, after)) if after else -1
    if at < 0:
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


def _same_number(token: str, value: CellValue) -> bool:
    try:
        number = Decimal(token.replace(",", ""))
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


_UNIT_AFTER = re.compile(r"[ \t]*(?:万元|元)")


def _with_own_unit(text: str, source: str, end: int) -> str:
    """The row text with the unit printed right after its last number ("3739265元"): a quote
    may stop at the digits, and the unit decides how the number reads (元 -> 万元)."""
    unit = _UNIT_AFTER.match(source, end)
    return text + unit.group(0) if unit and text.rstrip()[-1:].isdigit() else text


def _header_unit(source: str, start: int) -> str | None:
    """The unit ("元", "万元") the column header above a part-二 row names, as the parser
    reads it (extractor.parser.locate.header_unit)."""
    before = fold(source[max(0, start - UNIT_LOOKBACK) : start])
    return header_unit(before, len(before))


LABEL_REACH = 12  # characters before a quote (on its line) where its row's label may stand


@dataclass
class Grounded:
    """One row's grounding: each cell's provenance, and what is wrong (for a re-ask)."""

    provenance: dict[str, CellProvenance]
    problems: list[str]
    located: Located
    # cells the printed row proves by their column (the token there is the value, or a
    # printed blank for a null), with nothing noted: a re-read cannot read them closer
    proven: frozenset[str] = frozenset()


def _row_text(source: str, span: tuple[int, int]) -> str:
    """The located quote with the few characters before it on its line (a label the model
    left out of its quote is printed just before the numbers)."""
    line_start = source.rfind("\n", 0, span[0]) + 1
    return source[max(line_start, span[0] - LABEL_REACH) : span[1]]


def ground(
    reading: RowReading,
    spec: RowSpec,
    template: str,
    source: str,
    extractor: str,
    normal: NormalText | None = None,
    after: int = 0,
) -> Grounded:
    """Provenance of every cell of one row read by the model, checked against the row the
    source prints where the quote points (see extractor.llm.rowproof). `after`: where the
    rows before this one were found."""
    located = locate(reading.quote, source, normal, after)
    read_something = any(v is not None for v in reading.cells.values())
    problems: list[str] = []
    row_notes: list[str] = []
    checks: dict[str, CellResult] = {}
    own: dict[str, tuple[int, int]] = {}
    if located.span is not None:
        quoted = source[located.span[0] : located.span[1]]
        # a quote with words in it must hold the row's label itself; one of numbers only
        # may have its label just before it on its line
        text = quoted if _has_words(quoted) else _row_text(source, located.span)
        text = _with_own_unit(text, source, located.span[1])
        whole_part = spec.part == "t4" and not _has_words(quoted)  # numbers under a header
        if not whole_part and not label_printed(spec, text, template):
            row_notes.append(f"llm: the quote is not in the printed row of {spec.key}")
            problems.append(
                f"your quote for {spec.key}, {reading.quote!r}, is not the row "
                f"{core_label(spec.label)!r} of the report"
            )
        unit = _header_unit(source, located.span[0]) if spec.part == "t2" else None
        checks = check_cells(spec, reading.cells, text, template, unit)
        own = cell_spans(located.span, reading.cells, source)
    elif read_something:
        problems.append(f"your quote for {spec.key}, {reading.quote!r}, is not in the report")
    out: dict[str, CellProvenance] = {}
    for key, value in reading.cells.items():
        notes = list(row_notes)
        method = Method.READ
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
            result = checks.get(key)
            note, problem = _cell_verdict(key, value, result)
            if note:
                notes.append(note)
                confidence = min(confidence, VALUE_NOT_IN_QUOTE)
            if problem:
                problems.append(problem)
            if result is not None and result.check is CellCheck.BLANK and not row_notes:
                method = Method.BLANK  # the row prints a blank in this cell's column
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
    proven = frozenset(
        key
        for key, prov in out.items()
        if not prov.notes and (r := checks.get(key)) is not None and r.check in PROVEN_CHECKS
    )
    return Grounded(out, problems, located, proven)


def _cell_verdict(
    key: str, value: CellValue, result: CellResult | None
) -> tuple[str | None, str | None]:
    """(note on the cell, problem for a re-ask) from the row check of one cell."""
    if result is None:
        return None, None
    if result.check is CellCheck.NOT_SHOWN:
        return (
            f"llm: value {value} not in its row",
            f"your value {value} for {key} is not printed in the row you quoted",
        )
    if result.check is CellCheck.CONTRADICTED:
        given = "null" if value is None else str(value)
        return (
            f"llm: the row prints {result.printed} in this column, not {given}",
            f"for {key} you gave {given}; that row prints {result.printed} in its column",
        )
    if result.check is CellCheck.UNORDERED:
        return (
            "llm: the row does not print its values in the order read",
            f"the row you quoted for {key} does not print its values in the order you gave",
        )
    if result.check is CellCheck.NULL_UNPROVEN:
        return "llm: null, but the row shows no blank in this column", None
    return None, None
