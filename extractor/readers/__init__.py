"""Read a report file into a `SourceDocument`: text, HTML, DOCX or a PDF with a text layer.

Every reader returns plain text whose table rows are one line each, cells separated by tabs
where the format knows them (HTML, DOCX, PDF tables), so the parser sees the same shape
whatever the format. Anything unreadable raises `SourceError` naming the file.

One module per format (`text`, `html`, `docx`, `pdf`), each with a `read_<format>(path, raw)`;
a new format is a new module here plus its suffix in `_READERS`.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from pathlib import Path

from extractor.damage import damaged_spans
from extractor.readers.docx import read_docx
from extractor.readers.html import read_html
from extractor.readers.pdf import read_pdf
from extractor.readers.text import TEXT_SUFFIXES, read_text
from nianbao.core.document import SourceDocument
from nianbao.core.errors import SourceError

SUFFIXES = (*TEXT_SUFFIXES, ".html", ".htm", ".docx", ".pdf")

_T3_MARKERS = re.compile(r"本年新收|上年结转|予以公开|无法提供|不予处理|结转下年度")

_READERS: dict[str, tuple[str, Callable[[Path, bytes], str]]] = {
    **{s: ("md" if s in (".md", ".markdown") else "txt", read_text) for s in TEXT_SUFFIXES},
    ".html": ("html", read_html),
    ".htm": ("html", read_html),
    ".docx": ("docx", read_docx),
    ".pdf": ("pdf", read_pdf),
}


def check_is_report(name: str, text: str) -> None:
    """SourceError unless the text carries the part-三 table's labels."""
    if not text.strip():
        raise SourceError(f"{name}: empty file")
    if len(set(_T3_MARKERS.findall(text))) < 3:
        raise SourceError(f"{name}: no annual report table found (no part-三 labels)")


def read_document(path: str | Path) -> SourceDocument:
    """Read one report file; `SourceError` with a one-line reason for anything else."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in _READERS:
        raise SourceError(
            f"{path.name}: unsupported file type {suffix or '(none)'}; "
            f"expected one of {', '.join(SUFFIXES)}"
        )
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise SourceError(f"{path}: no such file") from None
    except OSError as exc:
        raise SourceError(f"{path}: cannot read ({exc.strerror})") from None
    if not raw.strip():
        raise SourceError(f"{path.name}: empty file")
    media, reader = _READERS[suffix]
    text = reader(path, raw).replace("\r\n", "\n").replace("\r", "\n")
    check_is_report(path.name, text)
    return SourceDocument(
        name=path.name,
        text=text,
        media=media,
        path=path,
        sha256=hashlib.sha256(raw).hexdigest(),
        damaged=damaged_spans(text),
    )
