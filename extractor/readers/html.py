"""HTML reports (saved web pages): visible text, one table row per line.

A <table> is read as the grid it states (`html_grid`): merged cells expanded, empty cells in
its value columns printed as blanks. A table holding another table lays out the page: its
rows and cells are blocks of text like any other.
"""

from __future__ import annotations

import re
from pathlib import Path

from extractor.readers.html_grid import grid_lines, table_rows
from extractor.readers.text import decode_text
from nianbao.core.errors import SourceError

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
    from bs4 import BeautifulSoup
    from bs4.element import CData, NavigableString, Tag

    # lxml's HTML parser closes what HTML lets a page leave open ("<td>5<td>0": each cell
    # ends at the next); the standard library's nested each unclosed cell in the one before
    soup = BeautifulSoup(markup, "lxml")
    layout = _layout_tables(soup)
    out: list[str] = []
    # (node, depth, inside a layout table: its rows and cells are blocks)
    stack: list[tuple[object, int, bool]] = [(child, 1, False) for child in reversed(soup.contents)]
    while stack:
        node, depth, in_layout = stack.pop()
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
        if name == "table":
            in_layout = id(node) in layout
            lines = None if in_layout else _table_lines(node)
            if lines is not None:
                out.append("\n" + "\n".join(lines) + "\n")
                continue
        elif name == "tr" and not in_layout:  # a row outside any table: its cells by tabs
            cells = [_cell_text(c) for c in node.find_all(["td", "th"])]
            out.append("\n" + "\t".join(cells) + "\n")
            continue
        if name in _BLOCKS or (in_layout and name in ("td", "th")):
            out.append("\n")
            stack.append((None, depth, in_layout))
        stack.extend((child, depth + 1, in_layout) for child in reversed(node.contents))
    text = "".join(out)
    return re.sub(r"\n[ \t\u3000]*\n(?:[ \t\u3000]*\n)+", "\n\n", text).strip() + "\n"


def _layout_tables(soup: object) -> set[int]:
    """Ids of the tables that hold another table (page layout, not a grid of values). One
    walk with enter/exit events: linear whatever the nesting."""
    from bs4.element import Tag

    nested: set[int] = set()
    open_tables: list[int] = []
    stack: list[tuple[object, bool]] = [(soup, False)]
    while stack:
        node, leaving = stack.pop()
        if leaving:
            open_tables.pop()
            continue
        if not isinstance(node, Tag):
            continue
        if node.name == "table":
            if open_tables:
                nested.add(open_tables[-1])
            open_tables.append(id(node))
            stack.append((node, True))
        stack.extend((child, False) for child in reversed(node.contents))
    return nested


def _table_lines(table: object) -> list[str] | None:
    """A table's lines read as its grid, with its caption first; None when it cannot be
    read as a grid (a nested table, a grid too large)."""
    rows = table_rows(table)
    if rows is None:
        return None
    lines = grid_lines(rows, _cell_text)
    if lines is None:
        return None
    from bs4.element import Tag

    caption = table.find("caption", recursive=False) if isinstance(table, Tag) else None
    return [_cell_text(caption), *lines] if caption is not None else lines


def _cell_text(cell: object) -> str:
    """A table cell's visible text as a browser lays it out: inline elements run together
    (Word's HTML splits "95" into <span>9</span><span>5</span>), block elements and <br>
    break it, and whitespace runs collapse to one space."""
    from bs4.element import CData, NavigableString, Tag

    parts: list[str] = []
    stack: list[object] = [cell]
    while stack:
        node = stack.pop()
        if node is None:
            parts.append(" ")  # the end of a block
        elif isinstance(node, NavigableString):
            if type(node) in (NavigableString, CData):
                parts.append(str(node))
        elif isinstance(node, Tag) and node.name not in _SKIPPED:
            if node.name in _BLOCKS:
                parts.append(" ")
                stack.append(None)
            stack.extend(reversed(node.contents))
    return " ".join("".join(parts).split())


def read_html(path: Path, raw: bytes) -> str:
    try:
        return html_to_text(decode_text(path.name, raw))
    except SourceError as exc:
        raise SourceError(f"{path.name}: {exc}") from None
