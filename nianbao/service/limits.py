"""What an upload must be before it is stored: a bare file name of a report type, within the
size limit, with content of that type (no zip bomb as a .docx, no binary as text).

Every refusal is an `Refused` with an HTTP status and one line saying what to do. The name is
only ever shown, never used as a path: stored uploads are named by their content hash.
"""

from __future__ import annotations

import io
import unicodedata
import zipfile

from extractor.readers import SUFFIXES, check_is_report
from extractor.readers.html import html_to_text
from extractor.readers.text import TEXT_SUFFIXES, decode_text
from nianbao.core.errors import NianbaoError, SourceError

MAX_NAME = 255
# A .docx is a zip: refuse one that would expand past these before any reader opens it.
MAX_DOCX_EXPANDED = 200 * 1024 * 1024
MAX_DOCX_ENTRIES = 2_000
MAX_DOCX_RATIO = 200  # deflate rarely beats 100:1 on XML; bombs reach 1000:1 and more
DOCX_MAIN = "word/document.xml"


class Refused(NianbaoError):
    """An upload (or request) refused: the HTTP status and one line saying what to do."""

    def __init__(self, status: int, detail: str) -> None:
        super().__init__(detail)
        self.status, self.detail = status, detail


def check_name(name: str | None) -> str:
    """The uploaded file's name if it is a bare file name; 400 for paths and odd names."""
    if not name or not name.strip():
        raise Refused(400, "a file part without a file name: send each report as a named file")
    if len(name) > MAX_NAME:
        raise Refused(400, f"{name[:40]}...: file name longer than {MAX_NAME} characters")
    if any(unicodedata.category(ch) in ("Cc", "Cf") for ch in name):
        raise Refused(400, f"{name!r}: control characters in the file name")
    if "/" in name or "\\" in name or name in (".", "..") or name.startswith("."):
        raise Refused(400, f"{name!r}: a path, not a bare file name (directories are never used)")
    return name


def check_suffix(name: str) -> str:
    """The reader's suffix for this name; 415 for a type the readers do not read."""
    dot = name.rfind(".")
    suffix = name[dot:].lower() if dot > 0 else ""
    if suffix not in SUFFIXES:
        raise Refused(
            415,
            f"{name}: unsupported file type {suffix or '(none)'}; "
            f"expected one of {', '.join(SUFFIXES)}",
        )
    return suffix


def check_content(name: str, suffix: str, body: bytes) -> None:
    """422 unless the bytes are what the suffix says (and, for text, a report)."""
    if not body.strip():
        raise Refused(422, f"{name}: empty file")
    try:
        if suffix == ".pdf":
            if not body.lstrip()[:5] == b"%PDF-":
                raise Refused(422, f"{name}: not a PDF (no %PDF- header)")
        elif suffix == ".docx":
            _check_docx(name, body)
        else:
            text = decode_text(name, body)
            if suffix not in TEXT_SUFFIXES:
                text = html_to_text(text)
            check_is_report(name, text)
    except SourceError as exc:
        raise Refused(422, f"{exc} (not an annual report this service reads)") from None


def _check_docx(name: str, body: bytes) -> None:
    try:
        archive = zipfile.ZipFile(io.BytesIO(body))
    except zipfile.BadZipFile:
        raise Refused(422, f"{name}: not a .docx (not a zip archive)") from None
    with archive:
        entries = archive.infolist()
        if len(entries) > MAX_DOCX_ENTRIES:
            raise Refused(413, f"{name}: {len(entries)} parts in the .docx; a report has far fewer")
        expanded = sum(e.file_size for e in entries)
        if expanded > MAX_DOCX_EXPANDED:
            raise Refused(
                413,
                f"{name}: expands to {expanded // (1024 * 1024)} MB "
                f"(limit {MAX_DOCX_EXPANDED // (1024 * 1024)} MB): refused as a zip bomb",
            )
        for e in entries:
            if e.file_size > 1024 * 1024 and e.file_size > MAX_DOCX_RATIO * max(e.compress_size, 1):
                raise Refused(
                    413,
                    f"{name}: part {e.filename} compressed {e.file_size // max(e.compress_size, 1)}"
                    ":1: refused as a zip bomb",
                )
        if DOCX_MAIN not in archive.namelist():
            raise Refused(422, f"{name}: a zip archive but not a .docx (no {DOCX_MAIN})")
