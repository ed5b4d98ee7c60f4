"""The source text as escaped HTML, the selected cell's span marked and in view.

The source is untrusted text (web pages, OCR): every character goes through `html.escape`,
so `<script>` or `<img onerror=...>` in a report is shown, never run. The box is inline
HTML (`st.html`, which sanitises it again), not a frame, and runs no script at all: a
Streamlit frame gets both `allow-scripts` and `allow-same-origin`, which would let a script
that slipped through act as the app. The mark is kept in view without one: the text starts
a few lines above it, the lines before folded into a `<details>` the reviewer can open.
"""

from __future__ import annotations

from collections.abc import Iterable
from html import escape
from itertools import pairwise

MARK_ID = "nb-sel"
CONTEXT_LINES = 6  # lines shown above the mark before the fold


def _clip(span: tuple[int, int] | None, size: int) -> tuple[int, int] | None:
    if span is None:
        return None
    start, end = max(0, min(span[0], size)), max(0, min(span[1], size))
    return (start, end) if end > start else None


def _fold_at(text: str, focus: int | None) -> int:
    """Where the shown text starts: CONTEXT_LINES lines above `focus` (0: show it all)."""
    if focus is None:
        return 0
    start = text.rfind("\n", 0, focus) + 1  # the start of the mark's line
    for _ in range(CONTEXT_LINES):
        if start <= 0:
            return 0
        start = text.rfind("\n", 0, start - 1) + 1
    return start


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
    focus = cell or row
    fold = _fold_at(text, min(focus[0], row[0] if row else focus[0]) if focus else None)
    # Boundaries where a highlight opens or closes; the text between is escaped piecewise.
    cuts = sorted({0, size, fold, *(cell or ()), *(row or ())})
    above, pieces = [], []
    marked = False
    for a, b in pairwise(cuts):
        chunk = escape(text[a:b])
        in_cell = cell is not None and cell[0] <= a and b <= cell[1]
        in_row = row is not None and row[0] <= a and b <= row[1]
        if in_cell or in_row:
            first = not marked and (in_cell or cell is None)
            ident = f' id="{MARK_ID}"' if first else ""
            marked = marked or first
            kind = "nb-cell-mark" if in_cell else "nb-row-mark"
            chunk = f'<mark class="{kind}"{ident}>{chunk}</mark>'
        (above if b <= fold else pieces).append(chunk)
    fold_html = ""
    if above:
        n = text.count("\n", 0, fold)
        fold_html = (
            f'<details class="nb-above"><summary>{n} line(s) above</summary>'
            f"{''.join(above)}</details>"
        )
    return (
        "<style>"
        f"#nb-source{{max-height:{height - 10}px;overflow:auto;white-space:pre-wrap;"
        "word-break:break-all;font-size:13px;line-height:1.55;border:1px solid #d1d5db;"
        "padding:6px 8px;background:#fafafa;"
        "font-family:'WenQuanYi Micro Hei','Noto Sans CJK SC',sans-serif}"
        ".nb-cell-mark{background:#fde047;outline:2px solid #ca8a04}"
        ".nb-row-mark{background:#fef9c3}"
        ".nb-above summary{color:#6b7280;cursor:pointer;font-size:12px}"
        "</style>"
        f'<div id="nb-source">{fold_html}{"".join(pieces)}</div>'
    )
