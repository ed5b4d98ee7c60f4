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
from extractor.damage import damaged_spans

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


# Undecodable bytes tolerated, as a share of the file's non-ASCII bytes: a stray byte or one
# line saved in another encoding is damage to flag (extractor.damage); more than this means
# the wrong encoding, and a GBK file read as UTF-8 goes far past it.
MAX_DAMAGE = 0.05


def _lenient(raw: bytes, encoding: str) -> tuple[str, float]:
    """`raw` decoded with U+FFFD for what does not fit, and the share of damage."""
    try:
        text = raw.decode(encoding, errors="replace")
    except LookupError:
        return "", 1.0
    non_ascii = len(raw) - len(raw.decode("ascii", errors="ignore"))
    return text, text.count("\ufffd") / max(1, non_ascii)


def decode_text(name: str, raw: bytes) -> str:
    """Bytes of a text file -> str: BOM first, then UTF-8, then charset detection; a few
    undecodable bytes become U+FFFD (flagged later) rather than losing the report."""
    for bom, encoding in _BOMS:
        if raw.startswith(bom):
            return raw.decode(encoding, errors="replace")
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
    text, damage = _lenient(raw, "utf-8")
    if damage <= MAX_DAMAGE:  # UTF-8 with a stray byte or line: never guess another codec
        return text
    from charset_normalizer import from_bytes

    best = from_bytes(raw).best()
    detected = None if best is None else best.encoding
    if detected in ("gb2312", "gbk", "hz", "big5"):
        detected = "gb18030"  # a superset: decodes every GBK file and then some
    if detected is not None:
        try:
            return raw.decode(detected)
        except (UnicodeDecodeError, LookupError):
            pass
    # A GBK report with a stray byte defeats detection: take the codec that damages least.
    tried = [_lenient(raw, enc) for enc in dict.fromkeys((detected or "gb18030", "gb18030"))]
    text, damage = min(tried, key=lambda pair: pair[1])
    if damage <= MAX_DAMAGE:
        return text
    if detected is None:
        raise SourceError(f"{name}: cannot detect the text encoding")
    raise SourceError(f"{name}: cannot decode as {best.encoding if best else detected}")


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


def html_to_text(markup: str) -> str:
    """Visible text of an HTML page: a table row per line (cells tab-separated), blocks on
    their own lines; scripts, styles and templates dropped."""
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(markup, "html.parser")
    for tag in soup(["script", "style", "noscript", "template", "head"]):
        if tag.name == "head":
            # of the head only the title is text a reader sees (it often names the report)
            title = tag.find("title")
            heading = title.get_text(" ", strip=True) if title is not None else ""
            tag.replace_with(soup.new_string("\n" + heading + "\n"))
            continue
        tag.decompose()
    for row in soup.find_all("tr"):
        cells = [c.get_text(" ", strip=True) for c in row.find_all(["td", "th"])]
        row.replace_with(soup.new_string("\n" + "\t".join(cells) + "\n"))
    for tag in soup.find_all(_BLOCKS):
        tag.insert_before(soup.new_string("\n"))
        tag.insert_after(soup.new_string("\n"))
    text = soup.get_text()
    return re.sub(r"\n[ \t\u3000]*\n(?:[ \t\u3000]*\n)+", "\n\n", text).strip() + "\n"


def _read_html(path: Path, raw: bytes) -> str:
    return html_to_text(decode_text(path.name, raw))


def _read_docx(path: Path, raw: bytes) -> str:
    import io
    import zipfile

    import docx
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    try:
        document = docx.Document(io.BytesIO(raw))
    except (zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise SourceError(f"{path.name}: not a readable .docx ({exc.__class__.__name__})") from None
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
