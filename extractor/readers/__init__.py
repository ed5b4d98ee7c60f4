"""Read a report file into a `SourceDocument`: text, HTML, DOCX, a PDF or a scanned page image.

Every reader returns plain text whose table rows are one line each, cells separated by tabs
where the format knows them (HTML, DOCX, PDF tables), so the parser sees the same shape
whatever the format. Anything unreadable raises `SourceError` naming the file.

One module per format (`text`, `html`, `docx`), each with a `read_<format>(path, raw)`;
a new format is a new module here plus its suffix in `_READERS`. PDFs and page images are
read from positioned words (`extractor.geometry`: the text layer, else OCR) and come back
with their geometry; `pdf` (pdfplumber) is kept as the benchmark's baseline.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from pathlib import Path

from extractor.damage import damaged_spans
from extractor.readers.docx import read_docx
from extractor.readers.embedded_html import read_embedded_html
from extractor.readers.empty_column import without_empty_last_column
from extractor.readers.fake_bold import undoubled
from extractor.readers.html import read_html
from extractor.readers.line_numbers import without_line_numbers
from extractor.readers.normalize import plain_text, standard_ideographs, visible_lines
from extractor.readers.serial_column import without_serial_column
from extractor.readers.text import TEXT_SUFFIXES, read_text
from extractor.readers.traditional import simplified
from nianbao.core.document import SourceDocument
from nianbao.core.errors import SourceError

IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".tif", ".tiff")  # scans: read by OCR
SUFFIXES = (*TEXT_SUFFIXES, ".html", ".htm", ".docx", ".pdf", *IMAGE_SUFFIXES)

_SPACES = re.compile(r"[\s\u3000]+")
_T3_MARKERS = re.compile(r"本年新收|上年结转|予以公开|无法提供|不予处理|结转下年度")


def _read_pdf(path: Path, raw: bytes) -> tuple[str, object]:
    # positioned words (text layer, else OCR) through the one grid builder
    from extractor.geometry.reader import read_pdf

    return read_pdf(path.name, raw)


def _read_image(path: Path, raw: bytes) -> tuple[str, object]:
    from extractor.geometry.reader import read_image

    return read_image(path.name, raw)


# a reader returns the text, or the text and its geometry (where its values sit on pages)
_READERS: dict[str, tuple[str, Callable[[Path, bytes], str | tuple[str, object]]]] = {
    **{s: ("md" if s in (".md", ".markdown") else "txt", read_text) for s in TEXT_SUFFIXES},
    ".html": ("html", read_html),
    ".htm": ("html", read_html),
    ".docx": ("docx", read_docx),
    ".pdf": ("pdf", _read_pdf),
    **{s: ("image", _read_image) for s in IMAGE_SUFFIXES},
}


def check_is_report(name: str, text: str) -> None:
    """SourceError unless the text carries the part-三 table's labels."""
    if not text.strip():
        raise SourceError(f"{name}: empty file")
    # labels split over lines ("一、本年新\n收政府信息…", pdftotext's wrapped cells) count:
    # the markers are looked for in the text without its whitespace
    if len(set(_T3_MARKERS.findall(_SPACES.sub("", text)))) < 3:
        raise SourceError(f"{name}: no annual report table found (no part-三 labels)")


MAX_BYTES = 32 << 20  # a file larger than this is refused unread (a 100 MB text used 2.1 GB)
MAX_TEXT_CHARS = 4_000_000  # decoded text longer than this is refused (reports: ~10^5)


def read_bytes(path: str | Path, max_bytes: int = MAX_BYTES) -> bytes:
    """The file's bytes, read once and at most `max_bytes` of them; SourceError otherwise."""
    path = Path(path)
    try:
        with path.open("rb") as handle:
            raw = handle.read(max_bytes + 1)  # a file growing meanwhile is caught too
    except FileNotFoundError:
        raise SourceError(f"{path}: no such file") from None
    except OSError as exc:
        raise SourceError(f"{path}: cannot read ({exc.strerror})") from None
    if len(raw) > max_bytes:
        raise SourceError(
            f"{path.name}: larger than {max_bytes / (1 << 20):g} MB: refused unread "
            "(raise the input limit to read it)"
        )
    return raw


def read_document(path: str | Path, max_bytes: int = MAX_BYTES) -> SourceDocument:
    """Read one report file; `SourceError` with a one-line reason for anything else."""
    path = Path(path)
    _reader(path)  # an unsupported type is refused before its bytes are read
    return document_from_bytes(path, read_bytes(path, max_bytes))


def _reader(path: Path) -> tuple[str, Callable[[Path, bytes], str | tuple[str, object]]]:
    suffix = path.suffix.lower()
    if suffix not in _READERS:
        raise SourceError(
            f"{path.name}: unsupported file type {suffix or '(none)'}; "
            f"expected one of {', '.join(SUFFIXES)}"
        )
    return _READERS[suffix]


def document_from_bytes(path: Path, raw: bytes) -> SourceDocument:
    """The document of bytes already read: its text and its hash come from the same bytes."""
    media, reader = _reader(path)
    if not raw.strip():
        raise SourceError(f"{path.name}: empty file")
    read = reader(path, raw)
    text, geometry = read if isinstance(read, tuple) else (read, None)
    if media in ("txt", "md"):
        # a listing's numbered lines: the numbers are no values (taken off before HTML in
        # the text is read: "23 <table>" would put 23 before the table's first row)
        text = without_line_numbers(text)
        try:  # a web page saved as text, or a converter's HTML tables inside Markdown
            text = plain_text(read_embedded_html(text))
        except SourceError as exc:
            raise SourceError(f"{path.name}: {exc}") from None
    text = standard_ideographs(text)  # one for one: a PDF's word anchors hold
    if geometry is None:  # positioned text is built with "\n" only: its anchors must hold
        text = without_serial_column(without_empty_last_column(visible_lines(text)))
    if len(text) > MAX_TEXT_CHARS:
        raise SourceError(
            f"{path.name}: {len(text):,} characters of text, more than {MAX_TEXT_CHARS:,}: refused"
        )
    if geometry is None:  # a PDF's or scan's words are anchored to their characters
        text = simplified(undoubled(text))
    check_is_report(path.name, text)
    return SourceDocument(
        name=path.name,
        text=text,
        media=media,
        path=path,
        sha256=hashlib.sha256(raw).hexdigest(),
        damaged=damaged_spans(text),
        geometry=geometry,
    )
