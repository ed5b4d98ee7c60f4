"""Words with boxes from a PDF's text layer, through pypdfium2 (PDFium: Apache/BSD).

PDFium gives every character of the text layer with its box; characters are joined into
words where they sit side by side on one line, and split at spaces, line changes and gaps
(a table's cells are separated by gaps, not by characters).
"""

from __future__ import annotations

from typing import Any

from extractor.geometry.words import Box, PageWords, Word
from nianbao.core.errors import SourceError

GAP = 0.45  # a horizontal gap wider than this many character heights starts a new word


def open_pdf(name: str, raw: bytes) -> Any:
    """A pypdfium2 document; SourceError for anything PDFium cannot open."""
    import pypdfium2 as pdfium

    try:
        return pdfium.PdfDocument(raw)
    except pdfium.PdfiumError as exc:
        raise SourceError(f"{name}: not a readable PDF ({exc})") from None


def page_words(page: Any, index: int) -> PageWords:
    """The words of one PDFium page, boxes in points from the page's top left."""
    width, height = page.get_size()
    textpage = page.get_textpage()
    try:
        count = textpage.count_chars()
        text = textpage.get_text_range() if count else ""
        if len(text) != count:  # surrogate pairs: fall back to one char at a time
            text = "".join(textpage.get_text_range(k, 1) or " " for k in range(count))
        words: list[Word] = []
        chars: list[tuple[str, float, float, float, float]] = []

        def flush() -> None:
            if chars:
                words.append(
                    Word(
                        "".join(c[0] for c in chars),
                        min(c[1] for c in chars),
                        min(c[2] for c in chars),
                        max(c[3] for c in chars),
                        max(c[4] for c in chars),
                    )
                )
                chars.clear()

        for k in range(count):
            ch = text[k]
            if ch.isspace() or not ch.isprintable():
                flush()
                continue
            left, bottom, right, top = textpage.get_charbox(k)
            if right <= left or top <= bottom:
                flush()  # a generated character (no glyph): a separator at most
                continue
            box = (ch, left, height - top, right, height - bottom)
            if chars:
                prev = chars[-1]
                h = max(prev[4] - prev[2], box[4] - box[2])
                same_line = abs((prev[2] + prev[4]) - (box[2] + box[4])) / 2 < 0.5 * h
                if not same_line or left - prev[3] > GAP * h or left < prev[1] - 0.2 * h:
                    flush()
            chars.append(box)
        flush()
    finally:
        textpage.close()
    across, upright = _rules(page, height)
    return PageWords(index, width, height, words, source="text", rules=across, uprights=upright)


RULE_THICK = 2.0  # points: a path object this thin is a ruling segment, not a shape
RULE_LONG = 5.0  # points: and at least this long
MAX_PATHS = 20_000  # page objects looked at on one page (a drawing is no table)


def _rules(page: Any, height: float) -> tuple[list[Box], list[Box]]:
    """The page's horizontal and vertical ruling segments as boxes (top-left origin).
    PDFium's raw calls over the page's top-level objects: the object wrappers cost three
    times as much, and a text PDF is read in tens of milliseconds."""
    import ctypes

    import pypdfium2.raw as pdfium_c

    out: list[Box] = []
    upright: list[Box] = []
    left, bottom, right, top = (ctypes.c_float() for _ in range(4))
    count = min(pdfium_c.FPDFPage_CountObjects(page.raw), MAX_PATHS)
    for n in range(count):
        obj = pdfium_c.FPDFPage_GetObject(page.raw, n)
        if pdfium_c.FPDFPageObj_GetType(obj) != pdfium_c.FPDF_PAGEOBJ_PATH:
            continue
        if not pdfium_c.FPDFPageObj_GetBounds(obj, left, bottom, right, top):
            continue
        tall, wide = top.value - bottom.value, right.value - left.value
        box = (left.value, height - top.value, right.value, height - bottom.value)
        if tall <= RULE_THICK and wide >= RULE_LONG:
            out.append(box)
        elif wide <= RULE_THICK and tall >= RULE_LONG:
            upright.append(box)
    return out, upright


def pdf_words(name: str, raw: bytes) -> list[PageWords]:
    """Every page's words; a page without a text layer has none."""
    pdf = open_pdf(name, raw)
    try:
        pages = []
        for index in range(len(pdf)):
            page = pdf[index]
            try:
                pages.append(page_words(page, index))
            finally:
                page.close()
        return pages
    finally:
        pdf.close()
