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


def _utf16_without_bom(raw: bytes) -> str | None:
    """UTF-16 text without a BOM, or None for binary data.

    Its NULs are the high bytes of ASCII characters, so they all fall on one parity (even
    offsets: big-endian). A mostly Chinese report has few of them (CJK characters carry no
    NUL), so their share says nothing; their side does. Binary data has NULs on both.
    """
    head = raw[:4096]
    even, odd = head[0::2].count(0), head[1::2].count(0)
    if max(even, odd) < 3 * min(even, odd) + 2:  # a CJK character may end in 00 too
        return None
    try:
        text = raw.decode("utf-16-be" if even > odd else "utf-16-le")
    except UnicodeDecodeError:
        return None
    sample = text[:4096]
    controls = sum(1 for c in sample if c < " " and c not in "\t\n\r\f")
    return text if controls <= len(sample) // 100 else None


def decode_text(name: str, raw: bytes) -> str:
    """Bytes of a text file -> str: BOM first, then UTF-8, then charset detection; a few
    undecodable bytes become U+FFFD (flagged later) rather than losing the report."""
    for bom, encoding in _BOMS:
        if raw.startswith(bom):
            return raw.decode(encoding, errors="replace")
    if b"\x00" in raw[:4096]:
        text = _utf16_without_bom(raw)
        if text is None:
            raise SourceError(f"{name}: binary data, not text")
        return text
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


def read_text(path: Path, raw: bytes) -> str:
    return decode_text(path.name, raw)
