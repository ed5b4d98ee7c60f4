"""The source text as escaped HTML, the selected cell's span marked and scrolled into view.

The source is untrusted text (web pages, OCR): every character goes through `html.escape`,
so `<script>` or `<img onerror=...>` in a report is shown, never run. The only script on the
page is ours: it scrolls the box so the mark is in view, inside the frame.
"""

from __future__ import annotations

from collections.abc import Iterable
from html import escape
from itertools import pairwise

MARK_ID = "nb-sel"


def _clip(span: tuple[int, int] | None, size: int) -> tuple[int, int] | None:
    if span is None:
        return None
    start, end = max(0, min(span[0], size)), max(0, min(span[1], size))
    return (start, end) if end > start else None


def source_html(
    text: str,
    span: tuple[int, int] | None = None,
    row_spans: Iterable[tuple[int, int] | None] = (),
    height: int = 620,
) -> str:
    """A scrolling box of the source; `span` marked strongly, the row's extent lightly."""
    size = len(text)
    cell = _clip(span, size)
    row_parts = [s for s in (_clip(r, size) for r in row_spans) if s]
    row = (min(s[0] for s in row_parts), max(s[1] for s in row_parts)) if row_parts else None
    # Boundaries where a highlight opens or closes; the text between is escaped piecewise.
    cuts = sorted({0, size, *(cell or ()), *(row or ())})
    pieces = []
    for a, b in pairwise(cuts):
        chunk = escape(text[a:b])
        in_cell = cell is not None and cell[0] <= a and b <= cell[1]
        in_row = row is not None and row[0] <= a and b <= row[1]
        if in_cell:
            first = a == cell[0]  # type: ignore[index]
            ident = f' id="{MARK_ID}"' if first else ""
            pieces.append(f'<mark class="nb-cell-mark"{ident}>{chunk}</mark>')
        elif in_row:
            pieces.append(f'<mark class="nb-row-mark">{chunk}</mark>')
        else:
            pieces.append(chunk)
    if cell is None and row is not None:  # scroll to the row when the cell has no span
        pieces = [
            p.replace('class="nb-row-mark"', f'class="nb-row-mark" id="{MARK_ID}"', 1)
            if p.startswith("<mark")
            else p
            for p in pieces
        ]
    body = "".join(pieces)
    return (
        "<style>"
        "body{margin:0;font-family:'WenQuanYi Micro Hei','Noto Sans CJK SC',sans-serif}"
        f"#nb-source{{height:{height - 10}px;overflow:auto;white-space:pre-wrap;"
        "word-break:break-all;font-size:13px;line-height:1.55;border:1px solid #d1d5db;"
        "padding:6px 8px;background:#fafafa}"
        ".nb-cell-mark{background:#fde047;outline:2px solid #ca8a04}"
        ".nb-row-mark{background:#fef9c3}"
        "</style>"
        f'<div id="nb-source">{body}</div>'
        "<script>"
        # scroll only the box (scrollIntoView would also scroll the page around the frame)
        f"var m=document.getElementById('{MARK_ID}'),b=document.getElementById('nb-source');"
        "if(m&&b){b.scrollTop=Math.max(0,m.offsetTop-b.offsetTop-b.clientHeight/3);}"
        "</script>"
    )
