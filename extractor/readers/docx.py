"""Word (.docx) reports: paragraphs and tables in document order, cells tab-separated."""

from __future__ import annotations

import re
from pathlib import Path

from nianbao.core.errors import SourceError


def read_docx(path: Path, raw: bytes) -> str:
    import io
    import zipfile
    import zlib

    import docx
    from docx.table import Table
    from docx.text.paragraph import Paragraph
    from lxml.etree import LxmlError

    try:
        document = docx.Document(io.BytesIO(raw))
    # malformed XML (lxml), a damaged deflate stream (zlib) as well as a broken zip
    except (zipfile.BadZipFile, KeyError, ValueError, LxmlError, zlib.error) as exc:
        reason = "damaged compressed data" if isinstance(exc, zlib.error) else type(exc).__name__
        raise SourceError(f"{path.name}: not a readable .docx ({reason})") from None
    lines: list[str] = []
    for block in document.element.body.iterchildren():
        tag = block.tag.rsplit("}", 1)[-1]
        if tag == "p":
            lines.append(Paragraph(block, document).text)
        elif tag == "tbl":
            for row in Table(block, document).rows:
                cells: list[str] = []
                for cell in row.cells:
                    text = cell.text.replace("\n", " ").strip()
                    # a merged cell repeats in python-docx: print it once, as the page does
                    if cells and cells[-1] == text and text and not _is_number(text):
                        continue
                    cells.append(text)
                lines.append("\t".join(cells))
    return "\n".join(lines) + "\n"


def _is_number(text: str) -> bool:
    return bool(re.fullmatch(r"[-\d.,]+", text))
