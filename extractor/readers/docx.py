"""Word (.docx) reports: the body turned into HTML (`docx_html`: paragraphs, tables with their
merged cells as colspan/rowspan) and read by the HTML reader, after the size and XML checks."""

from __future__ import annotations

from pathlib import Path

from extractor.readers.docx_html import body_html
from extractor.readers.html import read_html
from nianbao.core.errors import SourceError

MAX_UNZIPPED = 256 << 20  # bytes a .docx may expand to (a 2.7 MB one expanded to 5.2 GB)
_UNZIP_CHUNK = 1 << 20


def check_unzipped_size(name: str, raw: bytes, limit: int = MAX_UNZIPPED) -> None:
    """SourceError unless the zip's parts expand to at most `limit` bytes in all: the sizes
    the archive declares first, then the bytes each part really inflates to, streamed in
    chunks and stopped at the limit (a declared size can lie)."""
    import io
    import zipfile
    import zlib

    try:
        with zipfile.ZipFile(io.BytesIO(raw)) as archive:
            members = archive.infolist()
            declared = sum(m.file_size for m in members)
            if declared > limit:
                raise SourceError(_too_big(name, declared, limit))
            total = 0
            for member in members:
                with archive.open(member) as part:
                    while chunk := part.read(_UNZIP_CHUNK):
                        total += len(chunk)
                        if total > limit:
                            raise SourceError(_too_big(name, total, limit))
    # ValueError: a member's header offset that points before the file (found by fuzzing)
    except (
        zipfile.BadZipFile,
        zipfile.LargeZipFile,
        EOFError,
        NotImplementedError,
        ValueError,
    ) as exc:
        raise SourceError(f"{name}: not a readable .docx ({exc.__class__.__name__})") from None
    except zlib.error:  # a part whose compressed bytes are damaged (found by fuzzing)
        raise SourceError(f"{name}: not a readable .docx (damaged compressed data)") from None
    except (OSError, RuntimeError) as exc:  # a damaged or encrypted part
        raise SourceError(f"{name}: not a readable .docx ({exc})") from None


def _too_big(name: str, size: int, limit: int) -> str:
    return f"{name}: expands to more than {limit >> 20} MB unzipped ({size >> 20}+ MB): refused"


def read_docx(path: Path, raw: bytes) -> str | tuple[str, object]:
    import io
    import zipfile
    import zlib

    import docx
    from docx.text.paragraph import Paragraph
    from lxml.etree import LxmlError

    check_unzipped_size(path.name, raw)
    try:
        document = docx.Document(io.BytesIO(raw))
    # malformed XML or a text node over 10 MB (lxml), a damaged deflate stream (zlib)
    except (zipfile.BadZipFile, KeyError, ValueError, LxmlError, zlib.error) as exc:
        if isinstance(exc, zlib.error):
            reason = "damaged compressed data"
        else:
            reason = str(exc).splitlines()[0][:120] if str(exc) else exc.__class__.__name__
        raise SourceError(f"{path.name}: not a readable .docx ({reason})") from None
    # well-formed XML whose root is not a Word document (a renamed or mangled root tag):
    # python-docx then hands back a plain element with no body
    body = getattr(document.element, "body", None)
    if body is None:
        raise SourceError(f"{path.name}: not a readable .docx (no document body)")
    # the body as HTML (merged cells as colspan/rowspan), read by the HTML reader: a Word
    # table reads as the same grid as a web page's
    markup = body_html(body, lambda p: Paragraph(p, document).text)
    return read_html(path, markup.encode("utf-8"))
