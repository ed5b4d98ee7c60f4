"""Read a report file into a `SourceDocument`: text, HTML, DOCX or a PDF with a text layer.

Every reader returns plain text whose table rows are one line each, cells separated by tabs
where the format knows them (HTML, DOCX, PDF tables), so the parser sees the same shape
whatever the format. Anything unreadable raises `SourceError` naming the file.
"""

from __future__ import annotations

import codecs
import hashlib
import re
from collections.abc import Callable
from pathlib import Path

from extractor.base import SourceDocument, SourceError

TEXT_SUFFIXES = (".txt", ".md", ".text", ".markdown")
SUFFIXES = (*TEXT_SUFFIXES, ".html", ".htm", ".docx", ".pdf")

_T3_MARKERS = re.compile(r"本年新收|上年结转|予以公开|无法提供|不予处理|结转下年度")
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


def decode_text(name: str, raw: bytes) -> str:
    """Bytes of a text file -> str: BOM first, then strict UTF-8, then charset detection."""
    for bom, encoding in _BOMS:
        if raw.startswith(bom):
            return raw.decode(encoding)
    if b"\x00" in raw[:4096]:
        # UTF-16 without a BOM: Chinese text has a NUL in every other byte of ASCII chars.
        even, odd = raw[0:4096:2].count(0), raw[1:4096:2].count(0)
        if max(even, odd) > len(raw[:4096]) // 8:
            try:
                return raw.decode("utf-16-be" if even > odd else "utf-16-le")
            except UnicodeDecodeError:
                pass
        raise SourceError(f"{name}: binary data, not text")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        pass
    from charset_normalizer import from_bytes

    best = from_bytes(raw).best()
    if best is None:
        raise SourceError(f"{name}: cannot detect the text encoding")
    encoding = best.encoding
    if encoding in ("gb2312", "gbk", "hz", "big5"):
        encoding = "gb18030"  # a superset: decodes every GBK file and then some
    try:
        return raw.decode(encoding)
    except (UnicodeDecodeError, LookupError):
        raise SourceError(f"{name}: cannot decode as {best.encoding}") from None


def _read_text(path: Path, raw: bytes) -> str:
    return decode_text(path.name, raw)


_BLOCKS = (
    "p",
    "div",
    "br",
    "li",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "section",
    "article",
    "table",
    "tr",
    "title",
)


MAX_HTML_DEPTH = 1_000  # elements nested deeper than any real page (a few dozen at most)
_SKIPPED = frozenset(("script", "style", "noscript", "template"))


def html_to_text(markup: str) -> str:
    """Visible text of an HTML page: a table row per line (cells tab-separated), blocks on
    their own lines; scripts, styles and templates dropped.

    One walk over the parsed tree with an explicit stack: linear in the page whatever its
    depth (inserting newline strings around every block was quadratic in the nesting: a
    page of 100,000 nested <div>s took 300 s). Deeper than MAX_HTML_DEPTH is refused."""
    from bs4 import BeautifulSoup, CData, NavigableString, Tag

    soup = BeautifulSoup(markup, "html.parser")
    out: list[str] = []
    stack: list[tuple[object, int]] = [(child, 1) for child in reversed(soup.contents)]
    while stack:
        node, depth = stack.pop()
        if node is None:  # the end of a block
            out.append("\n")
            continue
        if isinstance(node, NavigableString):
            if type(node) in (NavigableString, CData):  # not comments, doctypes, scripts
                out.append(str(node))
            continue
        assert isinstance(node, Tag)
        if depth > MAX_HTML_DEPTH:
            raise SourceError(
                f"elements nested more than {MAX_HTML_DEPTH:,} deep: not a report page"
            )
        name = node.name
        if name in _SKIPPED:
            continue
        if name == "head":
            # of the head only the title is text a reader sees (it often names the report)
            title = node.find("title")
            out.append("\n" + (title.get_text(" ", strip=True) if title is not None else "") + "\n")
            continue
        if name == "tr":
            cells = [_cell_text(c) for c in node.find_all(["td", "th"])]
            out.append("\n" + "\t".join(cells) + "\n")
            continue
        if name in _BLOCKS:
            out.append("\n")
            stack.append((None, depth))
        stack.extend((child, depth + 1) for child in reversed(node.contents))
    text = "".join(out)
    return re.sub(r"\n[ \t\u3000]*\n(?:[ \t\u3000]*\n)+", "\n\n", text).strip() + "\n"


def _cell_text(cell: object) -> str:
    """A table cell's visible text, its strings stripped and joined by spaces."""
    from bs4 import CData, NavigableString, Tag

    parts: list[str] = []
    stack = [cell]
    while stack:
        node = stack.pop()
        if isinstance(node, NavigableString):
            if type(node) in (NavigableString, CData) and node.strip():
                parts.append(node.strip())
        elif isinstance(node, Tag) and node.name not in _SKIPPED:
            stack.extend(reversed(node.contents))
    return " ".join(parts)


def _read_html(path: Path, raw: bytes) -> str:
    try:
        return html_to_text(decode_text(path.name, raw))
    except SourceError as exc:
        raise SourceError(f"{path.name}: {exc}") from None


MAX_UNZIPPED = 256 << 20  # bytes a .docx may expand to (a 2.7 MB one expanded to 5.2 GB)
_UNZIP_CHUNK = 1 << 20


def check_unzipped_size(name: str, raw: bytes, limit: int = MAX_UNZIPPED) -> None:
    """SourceError unless the zip's parts expand to at most `limit` bytes in all: the sizes
    the archive declares first, then the bytes each part really inflates to, streamed in
    chunks and stopped at the limit (a declared size can lie)."""
    import io
    import zipfile

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
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, NotImplementedError) as exc:
        raise SourceError(f"{name}: not a readable .docx ({exc.__class__.__name__})") from None
    except (OSError, RuntimeError) as exc:  # a damaged or encrypted part
        raise SourceError(f"{name}: not a readable .docx ({exc})") from None


def _too_big(name: str, size: int, limit: int) -> str:
    return f"{name}: expands to more than {limit >> 20} MB unzipped ({size >> 20}+ MB): refused"


def _read_docx(path: Path, raw: bytes) -> str:
    import io
    import zipfile

    import docx
    from docx.table import Table
    from docx.text.paragraph import Paragraph
    from lxml.etree import LxmlError

    check_unzipped_size(path.name, raw)
    try:
        document = docx.Document(io.BytesIO(raw))
    except (zipfile.BadZipFile, KeyError, ValueError, LxmlError) as exc:
        # lxml refuses a text node over 10 MB ("huge text node") and malformed XML
        reason = str(exc).splitlines()[0][:120] if str(exc) else exc.__class__.__name__
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


def _read_pdf(path: Path, raw: bytes) -> str:
    from extractor.pdf_text import pdf_to_text

    return pdf_to_text(path.name, raw)


_READERS: dict[str, tuple[str, Callable[[Path, bytes], str]]] = {
    **{s: ("md" if s in (".md", ".markdown") else "txt", _read_text) for s in TEXT_SUFFIXES},
    ".html": ("html", _read_html),
    ".htm": ("html", _read_html),
    ".docx": ("docx", _read_docx),
    ".pdf": ("pdf", _read_pdf),
}


def check_is_report(name: str, text: str) -> None:
    """SourceError unless the text carries the part-三 table's labels."""
    if not text.strip():
        raise SourceError(f"{name}: empty file")
    if len(set(_T3_MARKERS.findall(text))) < 3:
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


def _reader(path: Path) -> tuple[str, Callable[[Path, bytes], str]]:
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
    text = reader(path, raw).replace("\r\n", "\n").replace("\r", "\n")
    if len(text) > MAX_TEXT_CHARS:
        raise SourceError(
            f"{path.name}: {len(text):,} characters of text, more than {MAX_TEXT_CHARS:,}: refused"
        )
    check_is_report(path.name, text)
    return SourceDocument(
        name=path.name,
        text=text,
        media=media,
        path=path,
        sha256=hashlib.sha256(raw).hexdigest(),
    )
