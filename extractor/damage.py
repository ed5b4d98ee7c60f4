"""Damaged source text: where undecodable bytes were replaced, and the cells they touch.

A report with one stray byte (a `\\xff` at the end, a line saved in another encoding) is
decoded with U+FFFD in place of the bytes that fit no encoding rather than lost. Those spans
are kept with the document; a cell read from a line that holds one carries a reason, so a
person looks at it before it is trusted.
"""

from __future__ import annotations

import re

from nianbao.core.document import SourceDocument
from nianbao.core.models import Extraction

REPLACEMENT = "\ufffd"
DAMAGE_NOTE = "source damaged on this line: undecodable bytes replaced by �"
_RUNS = re.compile(f"{REPLACEMENT}+")

Span = tuple[int, int]


def damaged_spans(text: str) -> tuple[Span, ...]:
    """The runs of U+FFFD in `text`, as (start, end)."""
    return tuple(m.span() for m in _RUNS.finditer(text))


def _line_of(text: str, span: Span) -> Span:
    start = text.rfind("\n", 0, span[0]) + 1
    end = text.find("\n", span[1])
    return start, len(text) if end < 0 else end


def mark_damage(doc: SourceDocument, extraction: Extraction) -> Extraction:
    """`extraction` with DAMAGE_NOTE on every cell whose span shares a line with damage
    (changed in place, and returned)."""
    if not doc.damaged:
        return extraction
    for prov in extraction.provenance.values():
        if prov.span is None:
            continue
        start, end = _line_of(doc.text, prov.span)
        touched = any(a < end and b > start for a, b in doc.damaged)
        if touched and DAMAGE_NOTE not in prov.notes:
            prov.notes.append(DAMAGE_NOTE)
    return extraction
