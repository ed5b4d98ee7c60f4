"""Plain-text and Markdown reports: bytes to str, whatever the encoding."""

from __future__ import annotations

import codecs
from pathlib import Path

from nianbao.core.errors import SourceError

TEXT_SUFFIXES = (".txt", ".md", ".text", ".markdown")
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


def read_text(path: Path, raw: bytes) -> str:
    return decode_text(path.name, raw)
