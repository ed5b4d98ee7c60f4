"""Text of a PDF with a text layer, with its drawn tables rebuilt as one line per row.

pdfplumber finds the ruled tables of a page; each table row becomes one tab-separated line
(wrapped cell text joined), and the text outside the tables is kept as lines, all in page
order from top to bottom. A PDF without a text layer (a scan) is a `SourceError`.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

from nianbao.core.errors import SourceError


def _cell(text: str | None) -> str:
    # a wrapped cell ("商业\n企业", a vertical label one char per line) is one cell value
    return "" if text is None else "".join(text.split("\n")).strip()


def _inside(obj: dict[str, Any], boxes: list[tuple[float, float, float, float]]) -> bool:
    cx = (obj["x0"] + obj["x1"]) / 2
    cy = (obj["top"] + obj["bottom"]) / 2
    return any(x0 <= cx <= x1 and top <= cy <= bottom for x0, top, x1, bottom in boxes)


def _page_lines(page: Any) -> list[str]:
    tables = page.find_tables()
    boxes = [t.bbox for t in tables]
    blocks: list[tuple[float, str]] = []
    for table in tables:
        rows = table.extract()
        for row, cells in zip(table.rows, rows, strict=False):
            # None is the inside of a merged cell (not a cell of its own); "" an empty cell
            line = "\t".join(_cell(c) for c in cells if c is not None).strip("\t")
            if line.strip():
                blocks.append((row.bbox[1], line))
    outside = page.filter(lambda obj: obj.get("object_type") != "char" or not _inside(obj, boxes))
    for line in outside.extract_text_lines(layout=False, strip=True):
        if line["text"].strip():
            blocks.append((line["top"], line["text"]))
    blocks.sort(key=lambda b: b[0])
    return [text for _, text in blocks]


def pdf_to_text(name: str, raw: bytes) -> str:
    """All pages' text, tables as tab-separated rows; SourceError when nothing is readable."""
    import pdfplumber
    from pdfminer.pdfparser import PDFSyntaxError

    try:
        with pdfplumber.open(io.BytesIO(raw)) as pdf:
            lines: list[str] = []
            for page in pdf.pages:
                lines += _page_lines(page)
                page.flush_cache()
    except (PDFSyntaxError, ValueError, KeyError, TypeError) as exc:
        raise SourceError(f"{name}: not a readable PDF ({exc.__class__.__name__})") from None
    except Exception as exc:  # pdfminer raises many private types on broken files
        raise SourceError(f"{name}: not a readable PDF ({exc.__class__.__name__})") from None
    text = "\n".join(lines)
    if not text.strip():
        raise SourceError(f"{name}: PDF has no text layer (scanned?); OCR it first")
    return text + "\n"


def read_pdf(path: Path, raw: bytes) -> str:
    return pdf_to_text(path.name, raw)
