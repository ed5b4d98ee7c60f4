"""Tie each cell of an extraction to its page and box, and let the OCR score weigh in.

Every cell whose span falls on anchored text gets the page and the box (the union of its
anchors). For an OCR'd source, a value read with a low score (or repaired from a digit
look-alike) keeps its confidence only when an identity it sits in holds with every cell
known and none it sits in breaks; otherwise its confidence becomes the score and a note says
why, so the review flags it. A blank mark read with a low score (and not confirmed by a
second reading) is flagged whatever the identities say: they cannot tell a blank from a 0.
"""

from __future__ import annotations

from extractor.geometry.words import Anchor, Geometry, union
from nianbao.core.document import SourceDocument
from nianbao.core.layout import ValueKind
from nianbao.core.models import CellProvenance, Extraction

LOW_SCORE = 0.9  # OCR readings below this score need an identity's confirmation


def _confirmed(extraction: Extraction, doubtful_blanks: set[str]) -> set[str]:
    """Cells in a holding identity and in no breaking one. A cell the source shows blank
    counts as nothing printed (0), as the proof counts it; a blank mark read with a low
    score (`doubtful_blanks`) leaves its identities unknown."""
    from rules.findings import Status
    from rules.identities import identities_for
    from rules.proving import blank_evidence, identity_status

    report = extraction.report
    blank = {
        key
        for key, value in report.cells.items()
        if value is None
        and key not in doubtful_blanks
        and blank_evidence(extraction.provenance.get(key))
    }
    held: set[str] = set()
    broken: set[str] = set()
    for ident in identities_for(report.meta.template):
        status = identity_status(ident, report.cells, blank)
        if status is Status.PASSED:
            held.update(ident.keys)
        elif status is Status.FAILED:
            broken.update(ident.keys)
    return held - broken


def _sign_may_be_lost(extraction: Extraction, key: str, anchors: list[Anchor]) -> bool:
    """A value of a column that may be negative (本年增/减), read without a minus, with a
    minus-like mark left of its digits on the page: no identity holds it, so a person looks."""
    value = extraction.report.cells.get(key)
    if value is None or value < 0 or not any(a.dash for a in anchors):
        return False
    return extraction.report.layout.spec(key).kind is ValueKind.SIGNED


def locate_cells(doc: SourceDocument, extraction: Extraction) -> Extraction:
    """The extraction with page + box on every anchored cell and OCR doubt applied."""
    geometry: Geometry | None = doc.geometry
    if geometry is None or not geometry.anchors:
        return extraction
    ocr = geometry.source == "ocr"
    anchored = {
        key: anchors
        for key, prov in extraction.provenance.items()
        if (anchors := geometry.covering(*prov.span) if prov.span else [])
    }
    score = {key: min(a.score for a in anchors) for key, anchors in anchored.items()}
    cells = extraction.report.cells
    # blank marks read with a low score, not confirmed by a second reading: no identity can
    # tell a blank from a 0 or confirm it, so a person looks
    doubtful_blanks = {
        key
        for key in anchored
        if ocr
        and cells.get(key) is None
        and score[key] < LOW_SCORE
        and extraction.provenance[key].method == "blank"
    }
    confirmed: set[str] | None = None
    provenance: dict[str, CellProvenance] = {}
    flags = list(extraction.flags)
    for key, prov in extraction.provenance.items():
        anchors = anchored.get(key)
        if not anchors:
            provenance[key] = prov
            continue
        page = anchors[0].page
        box = union([a.box for a in anchors if a.page == page])
        update: dict[str, object] = {"page": page + 1, "box": tuple(round(v, 5) for v in box)}
        value = cells.get(key)
        if key in doubtful_blanks:
            update["confidence"] = min(prov.confidence, round(score[key], 3))
            mark = (prov.snippet or "").strip() or "a blank"
            note = f"OCR read the blank mark {mark!r} with score {score[key]:.2f}"
            update["notes"] = [*prov.notes, note + "; a digit may be lost"]
            if key not in flags:
                flags.append(key)
        elif ocr and _sign_may_be_lost(extraction, key, anchors):
            update["confidence"] = min(prov.confidence, 0.5)
            note = f"OCR read {prov.snippet or value!s} with a mark like a minus sign before it"
            update["notes"] = [*prov.notes, note + "; the sign may be lost"]
            if key not in flags:
                flags.append(key)
        elif ocr and value is not None and score[key] < LOW_SCORE:
            if confirmed is None:
                confirmed = _confirmed(extraction, doubtful_blanks)
            if key not in confirmed:
                update["confidence"] = min(prov.confidence, round(score[key], 3))
                note = f"OCR read {prov.snippet or value!s} with score {score[key]:.2f}"
                update["notes"] = [*prov.notes, note + "; no identity confirms it"]
                if key not in flags:
                    flags.append(key)
        provenance[key] = prov.model_copy(update=update)
    order = {k: n for n, k in enumerate(extraction.report.layout.keys)}
    flags.sort(key=lambda k: order.get(k, len(order)))
    return extraction.model_copy(update={"provenance": provenance, "flags": flags})
