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
from extractor.parser.doubts import note_cell_doubts, note_row_doubts
from extractor.parser.labels import CjkStream
from extractor.parser.locate import locate
from extractor.parser.meta import detect_organ, detect_template, detect_year
from extractor.parser.placement import prove_placements
from extractor.parser.resolve import resolve
from extractor.parser.several import several_reports
from extractor.parser.tokens import fold
from nianbao.core.document import SourceDocument
from nianbao.core.errors import SeveralReportsError, SourceError
from nianbao.core.layout import layout_for
from nianbao.core.models import CanonicalReport, CellProvenance, Extraction, Meta, Method
from rules.verdict import LOW_CONFIDENCE

VERSION = "parser-152"


class ParserExtractor:
    """The embedded, offline backend (name "parser")."""

    name = "parser"
    version = VERSION

    def __init__(self, **_options: object) -> None:
        # options are accepted so the registry can pass backend-neutral settings
        pass

    def extract(self, doc: SourceDocument) -> Extraction:
        return self._extract(doc, whole=True)

    def _reading(self, text: str) -> tuple[dict[str, object], frozenset[str]] | None:
        """One printing cut out of a file (`several_reports`): every cell and those read
        cleanly (not null, not flagged), or None when the text holds no table."""
        try:
            extraction = self._extract(SourceDocument.from_text("part", text), whole=False)
        except SourceError:
            return None
        cells = dict(extraction.report.cells)
        flagged = set(extraction.flags)
        return cells, frozenset(k for k, v in cells.items() if v is not None and k not in flagged)

    def _extract(self, doc: SourceDocument, whole: bool) -> Extraction:
        """`whole`: the document is a file as given (a part cut out of one is not checked
        for another report again)."""
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
        several = whole and several_reports(text, stream, layout, located, self._reading)
        if several:
            raise SeveralReportsError(f"{doc.name}: {several}")
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
        note_row_doubts(text, folded, template, located.rows, cells, prov)
        note_cell_doubts(text, layout, located.rows, cells, prov)
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


def refuse_several_reports(doc: SourceDocument) -> None:
    """For a backend that does not run the parser (the LLM): the same refusal, from the
    parser's reading; any other trouble the parser has with the file is the backend's."""
    try:
        ParserExtractor().extract(doc)
    except SeveralReportsError:
        raise
    except SourceError:
        pass


__all__ = ["VERSION", "ParserExtractor", "refuse_several_reports"]
