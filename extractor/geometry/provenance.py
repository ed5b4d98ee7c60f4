"""Tie each cell of an extraction to its page and box, and let the OCR score weigh in.

Every cell whose span falls on anchored text gets the page and the box (the union of its
anchors). For an OCR'd source, a value read with a low score (or repaired from a digit
look-alike) keeps its confidence only when an identity it sits in holds with every cell
known and none it sits in breaks; otherwise its confidence becomes the score and a note says
why, so the review flags it. A blank mark read with a low score (and not confirmed by a
second reading) is flagged whatever the identities say: they cannot tell a blank from a 0.
"""

from __future__ import annotations

from extractor.geometry.words import Geometry, union
from nianbao.core.document import SourceDocument
from nianbao.core.models import CellProvenance, Extraction

LOW_SCORE = 0.9  # OCR readings below this score need an identity's confirmation


def _confirmed(extraction: Extraction) -> set[str]:
    """Cells in a holding identity with every cell known and in no breaking one."""
    from rules.engine import check
    from rules.findings import Status

    result = check(extraction.report, localise_errors=False)
    held: set[str] = set()
    broken: set[str] = set()
    for finding in result.checks:
        if finding.status is Status.PASSED:
            held.update(finding.cells)
        elif finding.status is Status.FAILED:
            broken.update(finding.cells)
    return held - broken


def locate_cells(doc: SourceDocument, extraction: Extraction) -> Extraction:
    """The extraction with page + box on every anchored cell and OCR doubt applied."""
    geometry: Geometry | None = doc.geometry
    if geometry is None or not geometry.anchors:
        return extraction
    confirmed: set[str] | None = None
    provenance: dict[str, CellProvenance] = {}
    flags = list(extraction.flags)
    for key, prov in extraction.provenance.items():
        anchors = geometry.covering(*prov.span) if prov.span else []
        if not anchors:
            provenance[key] = prov
            continue
        page = anchors[0].page
        box = union([a.box for a in anchors if a.page == page])
        update: dict[str, object] = {"page": page + 1, "box": tuple(round(v, 5) for v in box)}
        score = min(a.score for a in anchors)
        value = extraction.report.cells.get(key)
        if geometry.source == "ocr" and value is None and score < LOW_SCORE:
            # a blank mark read with a low score, not confirmed by a second reading: no
            # identity can tell a blank from a 0 or confirm it, so a person looks
            if prov.method == "blank":
                update["confidence"] = min(prov.confidence, round(score, 3))
                mark = (prov.snippet or "").strip() or "a blank"
                note = f"OCR read the blank mark {mark!r} with score {score:.2f}"
                update["notes"] = [*prov.notes, note + "; a digit may be lost"]
                if key not in flags:
                    flags.append(key)
        elif geometry.source == "ocr" and value is not None and score < LOW_SCORE:
            if confirmed is None:
                confirmed = _confirmed(extraction)
            if key not in confirmed:
                update["confidence"] = min(prov.confidence, round(score, 3))
                note = f"OCR read {prov.snippet or value!s} with score {score:.2f}"
                update["notes"] = [*prov.notes, note + "; no identity confirms it"]
                if key not in flags:
                    flags.append(key)
        provenance[key] = prov.model_copy(update=update)
    order = {k: n for n, k in enumerate(extraction.report.layout.keys)}
    flags.sort(key=lambda k: order.get(k, len(order)))
    return extraction.model_copy(update={"provenance": provenance, "flags": flags})
