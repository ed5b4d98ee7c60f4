"""Plain-text tables that line up with Chinese characters (two columns wide each)."""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence


def width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def pad(text: str, size: int) -> str:
    return text + " " * max(0, size - width(text))


def table(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """A left-aligned table with a rule under the header."""
    sizes = [width(h) for h in headers]
    for row in rows:
        sizes = [max(s, width(c)) for s, c in zip(sizes, row, strict=True)]
    lines = ["  ".join(pad(h, s) for h, s in zip(headers, sizes, strict=True)).rstrip()]
    lines.append("  ".join("-" * s for s in sizes))
    lines += [
        "  ".join(pad(c, s) for c, s in zip(row, sizes, strict=True)).rstrip() for row in rows
    ]
    return "\n".join(lines)
