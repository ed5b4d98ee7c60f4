"""A Word body as HTML: paragraphs as <p>, tables as <table> whose merged cells keep their
shape (w:gridSpan -> colspan, w:vMerge restart/continue -> rowspan), so the HTML reader sees
the table's grid and an empty cell stays an empty cell in its column.

Bounded: a span is cut to the table's width, at most MAX_COLUMNS (Word itself stops at 63);
a vertical merge is followed row by row with one open cell per column (linear); tables
nested deeper than MAX_NESTING are flattened to their text. Every text is escaped, so a
document's text never becomes markup.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
MAX_COLUMNS = 64  # Word's tables have at most 63 columns
MAX_NESTING = 8  # tables inside tables inside ... deeper than this: their text only
# wrappers whose children are the document's own blocks, rows or cells
_WRAPPERS = frozenset((f"{W}sdt", f"{W}sdtContent", f"{W}customXml"))

ParagraphText = Callable[[Any], str]  # a w:p element's text


@dataclass
class _Cell:
    text: str
    colspan: int = 1
    rowspan: int = 1


def _children(element: Any, tag: str) -> Iterator[Any]:
    """`element`'s children named `tag`, looking through content controls (w:sdt) and
    custom XML wrappers, without recursion (a deep chain of wrappers is a loop)."""
    stack = [iter(element)]
    while stack:
        child = next(stack[-1], None)
        if child is None:
            stack.pop()
        elif child.tag == tag:
            yield child
        elif child.tag in _WRAPPERS:
            stack.append(iter(child))


def _blocks(element: Any) -> Iterator[Any]:
    """The paragraphs and tables of a body or cell, in order."""
    stack = [iter(element)]
    while stack:
        child = next(stack[-1], None)
        if child is None:
            stack.pop()
        elif child.tag in (f"{W}p", f"{W}tbl"):
            yield child
        elif child.tag in _WRAPPERS:
            stack.append(iter(child))


def _int_val(element: Any, path: str, default: int) -> int:
    found = element.find(path)
    if found is None:
        return default
    value = found.get(f"{W}val")
    try:
        return int(value) if value is not None else default
    except ValueError:
        return default


def _merge(tc: Any, kind: str) -> str | None:
    """A cell's w:vMerge/w:hMerge: "restart", "continue" (the attribute absent) or None."""
    found = tc.find(f"{W}tcPr/{W}{kind}")
    if found is None:
        return None
    return "restart" if found.get(f"{W}val") == "restart" else "continue"


def _one_line(text: str) -> str:
    return text.replace("\t", " ").replace("\r", " ").replace("\n", " ").strip()


def _flat_text(element: Any, paragraph_text: ParagraphText) -> str:
    """Every paragraph under `element` (nested tables too), joined by spaces."""
    parts = (_one_line(paragraph_text(p)) for p in element.iter(f"{W}p"))
    return " ".join(p for p in parts if p)


def _cell_text(tc: Any, paragraph_text: ParagraphText) -> str:
    parts = []
    for block in _blocks(tc):
        text = paragraph_text(block) if block.tag == f"{W}p" else _flat_text(block, paragraph_text)
        if text := _one_line(text):
            parts.append(text)
    return " ".join(parts)


# where a table in a table's cell sits: directly, or in a content control around the cell
_INNER_TABLES = tuple(
    path.replace("w:", W)
    for path in (
        "w:tr/w:tc/w:tbl",
        "w:tr/w:tc/w:sdt/w:sdtContent/w:tbl",
        "w:tr/w:sdt/w:sdtContent/w:tc/w:tbl",
        "w:sdt/w:sdtContent/w:tr/w:tc/w:tbl",
    )
)


def _holds_table(tbl: Any) -> bool:
    """A table with a table in one of its cells: a frame laid out around blocks."""
    return any(tbl.find(path) is not None for path in _INNER_TABLES)


def _grid_rows(tbl: Any, paragraph_text: ParagraphText) -> list[list[_Cell]]:
    """The table's rows as HTML cells: spans from gridSpan/hMerge/vMerge, a row's leading
    w:gridBefore an empty cell (it keeps the columns where they are), w:gridAfter nothing
    (the row is short, as printed)."""
    rows: list[list[_Cell]] = []
    open_down: dict[int, _Cell] = {}  # grid column -> the cell a vMerge there continues
    for tr in _children(tbl, f"{W}tr"):
        cells: list[_Cell] = []
        last: _Cell | None = None  # the cell just placed in this row (an hMerge widens it)
        still_open: dict[int, _Cell] = {}
        col = min(max(_int_val(tr, f"{W}trPr/{W}gridBefore", 0), 0), MAX_COLUMNS)
        if col:
            cells.append(_Cell("", colspan=col))
        for tc in _children(tr, f"{W}tc"):
            if col >= MAX_COLUMNS:
                break
            span = min(max(_int_val(tc, f"{W}tcPr/{W}gridSpan", 1), 1), MAX_COLUMNS - col)
            down = _merge(tc, "vMerge")
            if down == "continue" and col in open_down:
                above = open_down[col]
                above.rowspan += 1
                still_open[col] = above
                last = None
            elif _merge(tc, "hMerge") == "continue" and last is not None:
                last.colspan += span  # the legacy horizontal merge: one wider cell
            else:
                cell = last = _Cell(_cell_text(tc, paragraph_text), colspan=span)
                cells.append(cell)
                if down == "restart":
                    still_open[col] = cell
            col += span
        open_down = still_open
        rows.append(cells)
    return rows


def _table_html(rows: list[list[_Cell]]) -> str:
    out = ["<table>"]
    for cells in rows:
        out.append("<tr>")
        for cell in cells:
            attrs = (f" colspan={cell.colspan}" if cell.colspan > 1 else "") + (
                f" rowspan={cell.rowspan}" if cell.rowspan > 1 else ""
            )
            out.append(f"<td{attrs}>{html.escape(cell.text)}</td>")
        out.append("</tr>")
    out.append("</table>")
    return "".join(out)


def body_html(body: Any, paragraph_text: ParagraphText) -> str:
    """The body's blocks as one HTML page. A table holding tables is a frame: its cells'
    blocks are read in order as if they stood in the body (its inner tables keep their
    grids); past MAX_NESTING frames a table is read as its text."""
    out: list[str] = ["<!doctype html><html><body>"]
    stack: list[tuple[Iterator[Any], int]] = [(_blocks(body), 0)]
    while stack:
        blocks, depth = stack[-1]
        block = next(blocks, None)
        if block is None:
            stack.pop()
        elif block.tag == f"{W}p":
            out.append(f"<p>{html.escape(paragraph_text(block))}</p>")
        elif depth >= MAX_NESTING:
            out.append(f"<p>{html.escape(_flat_text(block, paragraph_text))}</p>")
        elif _holds_table(block):
            cells = (tc for tr in _children(block, f"{W}tr") for tc in _children(tr, f"{W}tc"))
            stack.append(((b for tc in cells for b in _blocks(tc)), depth + 1))
        else:
            out.append(_table_html(_grid_rows(block, paragraph_text)))
    out.append("</body></html>")
    return "".join(out)
