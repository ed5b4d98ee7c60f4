"""The deterministic parser: every table cell of a report out of its text, with spans.

`ParserExtractor().extract(doc)` finds the layout, meta, and each row of parts 二, 三, 四
(`locate`), reads rows that print one clean value per cell (`cells`), and hands the rest to
the joint decoder under the identities (`resolve`). Nothing is invented: a cell that cannot
be known is null and carries a note, so `rules.verdict` flags it.
"""

from __future__ import annotations

import time

from extractor.parser.cells import (
    EXTRACTOR,
    CellRead,
    RowResult,
    provenance,
    read_merged,
    read_row,
    row_keys,
)
from extractor.parser.columns import printed_order, reorder_columns
from extractor.parser.doubled import (
    DOUBLED_GLUED,
    GLUED_AFTER_PREVIOUS,
    GLUED_ONTO_NEXT,
    TWICE_AND_GLUED,
    doubled_glued,
    glued_after_previous,
    glued_onto_next,
    twice_and_glued,
)
from extractor.parser.labels import CjkStream
from extractor.parser.linebreaks import SPLIT_CELL, split_cell
from extractor.parser.locate import SHARED_LABEL, locate
from extractor.parser.meta import detect_organ, detect_template, detect_year
from extractor.parser.placement import prove_placements, row_line_bounds
from extractor.parser.plausible import (
    IMPLAUSIBLE,
    WORDS_BETWEEN,
    implausible_row,
    words_between,
)
from extractor.parser.resolve import resolve
from extractor.parser.rowlines import UNEVEN_LINES, uneven_lines
from extractor.parser.tokens import (
    BRACKETED,
    SIGN_WORD,
    TokenKind,
    bracketed,
    broken_over_line,
    fold,
    ocr_digits,
    sign_word,
)
from nianbao.core.document import SourceDocument
from nianbao.core.errors import SourceError
from nianbao.core.layout import ValueKind, layout_for
from nianbao.core.models import CanonicalReport, CellProvenance, Extraction, Meta, Method
from rules.verdict import LOW_CONFIDENCE

VERSION = "parser-56"


class ParserExtractor:
    """The embedded, offline backend (name "parser")."""

    name = "parser"
    version = VERSION

    def __init__(self, **_options: object) -> None:
        # options are accepted so the registry can pass backend-neutral settings
        pass

    def extract(self, doc: SourceDocument) -> Extraction:
        started = time.perf_counter()
        text = doc.text
        folded = fold(text)
        stream = CjkStream.of(text)
        year = detect_year(folded)
        template, _ = detect_template(stream.chars, year)
        layout = layout_for(template)
        located = locate(text, folded, stream, layout)
        if located is None:
            raise SourceError(f"{doc.name}: no part-三 table found (no 本年新收…/上年结转… rows)")
        meta = Meta(organ=detect_organ(text, year), year=year, template=template)
        merged = [r for r in located.rows if r.merged]
        results: list[RowResult] = [
            read_row(text, row, *row_keys(template, row.part, row.row))
            for row in located.rows
            if not row.merged
        ]
        cells: dict[str, object] = {}
        prov: dict[str, CellProvenance] = {}
        for result in results:
            for key, cell in result.cells.items():
                cells[key] = cell.value
                prov[key] = cell.provenance
        for key, cell in resolve(text, folded, template, results).items():
            cells[key] = cell.value
            prov[key] = cell.provenance
        for row in merged:
            for key, cell in read_merged(text, row, layout).items():
                cells[key] = cell.value
                prov[key] = cell.provenance
        if located.placements:
            read = {k: CellRead(v, prov[k]) for k, v in cells.items()}  # type: ignore[arg-type]
            prove_placements(template, located.placements, read)
        keys = layout.keys  # a property that builds the tuple: take it once
        for key in keys:
            if key not in cells:
                cells[key] = None
                prov[key] = provenance(text, None, Method.MISSING, 0.0, ["not read"])
        order = printed_order(stream, layout, located.t3_start)
        if order is not None:
            reorder_columns(layout, order, cells, prov)
        # a page that glues a row's values together (a run like "000" or "0114" somewhere)
        glues = any(t.kind is TokenKind.RUN for row in located.rows for t in row.tokens)
        for row in located.rows:
            keys_of_row = row_keys(template, row.part, row.row)[0] if not row.merged else ()
            if len(row.tokens) == len(keys_of_row):
                kinds = [layout.spec(k).kind for k in keys_of_row]
                if implausible_row(row.tokens, kinds):
                    for key in keys_of_row:
                        prov[key].notes.append(IMPLAUSIBLE)
                elif row.part != "t4" and words_between(text, row.tokens):
                    for key in keys_of_row:
                        prov[key].notes.append(WORDS_BETWEEN)
                for i in glued_onto_next(text, row.tokens):
                    if cells.get(keys_of_row[i]) is not None:
                        prov[keys_of_row[i]].notes.append(GLUED_ONTO_NEXT)
                for i in glued_after_previous(row.tokens) if glues else ():
                    if cells.get(keys_of_row[i]) is not None:
                        prov[keys_of_row[i]].notes.append(GLUED_AFTER_PREVIOUS)
                if glues and row.part != "t4" and twice_and_glued(row.tokens):
                    for key in keys_of_row:
                        prov[key].notes.append(TWICE_AND_GLUED)
                if split_cell(folded, row.tokens):
                    for key in keys_of_row:
                        prov[key].notes.append(SPLIT_CELL)
                elif row.part != "t4" and uneven_lines(text, row.tokens):
                    for key in keys_of_row:
                        prov[key].notes.append(UNEVEN_LINES)
            if SHARED_LABEL in row.notes:
                for key in row_keys(template, row.part, row.row)[0]:
                    if cells.get(key) is not None and SHARED_LABEL not in prov[key].notes:
                        prov[key].notes.append(SHARED_LABEL)
        bounds = row_line_bounds(text, located.rows)
        for key, p in prov.items():
            if cells.get(key) is None or p.span is None:
                continue
            if doubled_glued(text, p.span):
                p.notes.append(DOUBLED_GLUED)
            if p.snippet and ocr_digits(p.snippet):
                # a letter read as a digit is a correction of the print: a person confirms it
                p.notes.append(f"read through OCR look-alikes: {p.snippet.strip()!r}")
            if bracketed(text, p.span):
                if layout.spec(key).kind is ValueKind.SIGNED and p.method == Method.READ:
                    # in 本年增/减 a number alone in brackets is the accounting minus
                    cells[key] = -cells[key]  # type: ignore[operator]
                else:  # a count in brackets: a note, or a sign a count cannot take
                    p.notes.append(BRACKETED)
            if sign_word(text, p.span) and p.method != Method.READ:
                # "减18181" cut as a glued run: the word's minus went with the run, not
                # necessarily with this value (read whole, the token carries its sign)
                p.notes.append(SIGN_WORD)
            if broken_over_line(text, p.span) and tuple(p.span) not in bounds:
                p.notes.append("digits run on over a line break: one number broken, or two")
        report = CanonicalReport(meta=meta, cells=cells)
        flags = [k for k in keys if prov[k].notes or prov[k].confidence < LOW_CONFIDENCE]
        extraction = Extraction(
            report=report,
            provenance={k: prov[k] for k in keys},
            flags=flags,
            extractor=EXTRACTOR,
            extractor_version=VERSION,
            source_name=doc.name,
            usage={"seconds": time.perf_counter() - started},
        )
        if doc.geometry is not None:  # a PDF or a scan: page + box, and the OCR score's say
            from extractor.geometry.provenance import locate_cells

            extraction = locate_cells(doc, extraction)
        return extraction


__all__ = ["VERSION", "ParserExtractor"]
