"""An HTML <table> read as the grid it states: colspan/rowspan expanded, one line per row.

A PDF's grid must be inferred from where its words sit (`extractor.geometry.grid`); an HTML
table states it. So each table is expanded into its logical grid (a header cell spanning six
columns covers those six, a vertical label with rowspan covers its rows), its value columns
are found (right of the rows' labels, up to the last number or the last column of the
header just above: the header defines a column no value fills), and each row with values
prints in the shape the geometry path prints: "label<TAB>cell<TAB>cell…", one item per cell.

An empty <td> in a value column the table defines prints the printed-blank placeholder (a
proven blank, like an empty PDF grid cell); a value column covered by a cell merged down
from a row above prints the unread mark (no value, no blank). A row with fewer cells than
the table's columns (and no colspan to cover them) prints only what it has: a short row,
which the parser does not take as blanks.

Why positioned cells are not handed to the geometry grid builder: it infers the columns
from value words, so a row printed all blank (no value word) would join a neighbour's
label there, and a row of dashes is taken for a rule. Here the grid is known; the output
shape, the placeholder and the value reading (`geometry.numbers`) are what is shared.

Bounds: colspan and rowspan are capped (a rowspan never reaches past the table's last row),
and a table whose expanded grid would exceed MAX_GRID_CELLS is read flat instead.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from extractor.geometry.numbers import PLACEHOLDER, UNREAD, read_value

MAX_SPAN = 64  # a colspan beyond any real report table's width (the widest has ~15 columns)
MAX_WIDTH = 256  # logical columns of one table; cells beyond are not read
MAX_GRID_CELLS = 1_000_000  # expanded positions of one table (rowspan x colspan summed)
HEADER_ROWS = 4  # rows above a band read as its header (the national template has three)
_SKIPPED = frozenset(("script", "style", "noscript", "template"))
_CELLS = frozenset(("td", "th"))


@dataclass(slots=True)
class Cell:
    """One <td>/<th>: its visible text, where it starts, how far it spans, and its kind."""

    text: str
    row: int
    col: int
    colspan: int
    kind: str  # "num" (a number), "blank" (empty or a placeholder), "text" (anything else)


# one row of the logical grid: column -> (the cell covering it, is this its origin row)
Row = dict[int, tuple[Cell, bool]]


def _span(tag: object, name: str, cap: int) -> int:
    """A colspan/rowspan attribute as an int in [1, cap] (0 or junk -> 1, as browsers do
    for colspan; rowspan=0 "to the end" is read as 1: a value never spreads unasked)."""
    raw = tag.get(name)  # type: ignore[attr-defined]
    try:
        value = int(str(raw).strip()) if raw is not None else 1
    except ValueError:
        return 1
    return min(max(value, 1), cap)


def _kind(text: str) -> str:
    if not text:
        return "blank"
    reading = read_value(text, False)
    if reading is None:
        return "text"
    return "blank" if reading.blank else "num"


def table_rows(table: object) -> list[list[object]] | None:
    """The <tr>s of a table (not of tables nested in it), each with its <td>/<th> tags; None
    when a table is nested in it (a layout table: its cells are blocks of the page)."""
    from bs4.element import Tag

    rows: list[list[object]] = []
    stack = list(reversed(getattr(table, "contents", [])))
    while stack:
        node = stack.pop()
        if not isinstance(node, Tag) or node.name in _SKIPPED:
            continue
        if node.name == "table":
            return None
        if node.name == "tr":
            cells: list[object] = []
            inner = list(reversed(node.contents))
            while inner:
                child = inner.pop()
                if not isinstance(child, Tag) or child.name in _SKIPPED:
                    continue
                if child.name == "table":
                    return None
                if child.name in _CELLS:
                    if child.find("table") is not None:
                        return None
                    cells.append(child)
                else:
                    inner.extend(reversed(child.contents))
            rows.append(cells)
            continue
        if node.name in _CELLS:
            continue  # a cell outside any row: not part of the grid
        stack.extend(reversed(node.contents))
    return rows


def expand(rows: Sequence[Sequence[object]], text_of: Callable[[object], str]) -> list[Row] | None:
    """The logical grid of the rows; None when it would exceed MAX_GRID_CELLS."""
    grid: list[Row] = []
    carry: dict[int, tuple[Cell, int]] = {}  # column -> (cell merged down, rows it still covers)
    size = 0
    for r, tags in enumerate(rows):
        slots: Row = {c: (cell, False) for c, (cell, _) in carry.items()}
        carry = {c: (cell, left - 1) for c, (cell, left) in carry.items() if left > 1}
        col = 0
        for tag in tags:
            while col in slots:
                col += 1
            if col >= MAX_WIDTH:
                break
            colspan = min(_span(tag, "colspan", MAX_SPAN), MAX_WIDTH - col)
            rowspan = _span(tag, "rowspan", len(rows) - r)
            text = text_of(tag)
            cell = Cell(text, r, col, colspan, _kind(text))
            for k in range(colspan):
                if col + k in slots:
                    break  # overlapping cells (malformed): the earlier one keeps the place
                slots[col + k] = (cell, True)
                if rowspan > 1:
                    carry[col + k] = (cell, rowspan - 1)
            size += colspan * rowspan
            if size > MAX_GRID_CELLS:
                return None
            col += colspan
        grid.append(slots)
    return grid


def _has_number(slots: Row) -> bool:
    return any(own and cell.kind == "num" for cell, own in slots.values())


def _maybe_blank(slots: Row) -> bool:
    """A label (one or two cells of its own), then only empty or placeholder cells of its
    own: a row printed blank, or a title row with empty cells (told apart by where it
    stands: `_bands`)."""
    texts = [c for c, (cell, _) in slots.items() if cell.kind == "text"]
    own = {id(cell) for cell, o in slots.values() if o and cell.kind == "text"}
    if not 0 < len(own) <= 2:
        return False
    # empty cells left of the label are the label columns' (a merged label going on)
    blanks = [c for c, (cell, o) in slots.items() if o and cell.kind == "blank" and c > min(texts)]
    return bool(blanks) and max(texts) < min(blanks)


def _empty(slots: Row) -> bool:
    """A row with no text of its own in any cell (a spacer row, a row of empty cells)."""
    return not any(own and cell.text for cell, own in slots.values())


def _bands(grid: list[Row]) -> list[list[int]]:
    """Runs of value rows: rows with a number, and runs of blank rows followed by one (or
    ending the table). A blank row before a header is no proof: a title row
    ("第二十条第（一）项") with empty cells over its table's header looks the same."""
    kinds = ["num" if _has_number(s) else "blank" if _maybe_blank(s) else "" for s in grid]
    keep = [k == "num" for k in kinds]
    r = 0
    while r < len(grid):
        if kinds[r] != "blank":
            r += 1
            continue
        end = r
        while end < len(grid) and kinds[end] == "blank":
            end += 1
        # values must follow (a title row stands over a header), or the table ends after
        # values or a header ("收费 | (blank)"); what comes before does not matter (values,
        # a header, or nothing: the first row of a table split at a page break). Rows with
        # nothing in them (Word's zero-height spacer row under its tables) are not there.
        after = end
        while after < len(grid) and _empty(grid[after]):
            after += 1
        if (kinds[after] == "num") if after < len(grid) else r > 0:
            keep[r:end] = [True] * (end - r)
        r = end
    bands: list[list[int]] = []
    for r, kept in enumerate(keep):
        if not kept:
            continue
        if bands and bands[-1][-1] == r - 1:
            bands[-1].append(r)
        else:
            bands.append([r])
    return bands


def _value_start(rows: list[Row]) -> int | None:
    """A band's first value column: right of every number row's labels (an empty cell
    between a label and the values is the label's). None when the rows disagree (a label
    reaching past another row's first number: a row shifted, the grid is not clean)."""
    firsts: list[int] = []
    label_end = 0
    for slots in rows:
        nums = [c for c, (cell, own) in slots.items() if own and cell.kind == "num"]
        if not nums:
            continue
        first = min(nums)
        firsts.append(first)
        for c, (cell, _) in slots.items():
            if c < first and cell.kind == "text":
                label_end = max(label_end, cell.col + cell.colspan)
    if not firsts:
        return None
    return label_end if label_end <= min(firsts) else None


def _blank_band_start(grid: list[Row], band: list[int]) -> int | None:
    """Where the values of a band of blank rows only start: right after their labels, when
    every row's label ends in the same column and the header just above starts a column
    there (the header defines the columns no value shows)."""
    ends = {max(c for c, (cell, _) in grid[r].items() if cell.kind == "text") + 1 for r in band}
    if len(ends) != 1 or band[0] == 0:
        return None
    v0 = ends.pop()
    header = grid[band[0] - 1]
    starts = header.get(v0)
    return v0 if starts is not None and starts[0].kind == "text" and starts[0].col == v0 else None


def _value_stop(grid: list[Row], band: list[int]) -> int:
    """One past a band's last value column: its last number or placeholder, or the last
    header text in the rows just above it (a column left blank in every row)."""
    stop = 0
    for r in band:
        for c, (cell, own) in grid[r].items():
            if own and cell.text and cell.kind != "text":
                stop = max(stop, c + 1)
    r = band[0] - 1
    while r >= 0 and r >= band[0] - HEADER_ROWS and not _has_number(grid[r]):
        for c, (cell, _) in grid[r].items():
            if cell.kind == "text":
                stop = max(stop, c + 1)
        r -= 1
    return stop


def _is_value_row(slots: Row, v0: int) -> bool:
    """No text in a value column (that is a header, or a note), and something of its own
    there."""
    values = [(cell, own) for c, (cell, own) in slots.items() if c >= v0]
    if any(cell.kind == "text" and cell.col + cell.colspan > v0 for cell, _ in values):
        return False
    return not any(cell.kind == "text" for cell, _ in values) and any(own for _, own in values)


def _plain(slots: Row) -> str:
    """A header or text row as the flat reader prints it: its own cells' texts by tabs."""
    cells = sorted(
        {id(cell): cell for cell, origin in slots.values() if origin}.values(),
        key=lambda cell: cell.col,
    )
    return "\t".join(cell.text for cell in cells)


def _value_line(slots: Row, v0: int, stop: int) -> str:
    """A value row: its labels, then one item per cell of the value columns [v0, stop)."""
    parts: list[str] = []
    for c in range(v0):
        cell, own = slots.get(c, (None, False))
        if cell is not None and own and cell.col == c and cell.kind == "text":
            parts.append(cell.text)  # a merged label prints on its first row only
    last = min(max((c for c in slots if c >= v0), default=v0 - 1), stop - 1)
    for c in range(v0, last + 1):
        if c not in slots:
            parts.append(UNREAD)  # no cell here, yet one further right: no telling
            continue
        cell, own = slots[c]
        if c != max(cell.col, v0):
            continue  # the rest of a colspan: one cell, one item
        if cell.kind == "text" and cell.col < v0:
            continue  # a label spanning into the value columns: no value of its own
        if not own:
            parts.append(UNREAD)  # merged down from a row above: not this row's own value
        else:
            parts.append(cell.text or PLACEHOLDER)  # an empty <td> prints the blank
    return "\t".join(parts)


def grid_lines(
    rows: Sequence[Sequence[object]], text_of: Callable[[object], str]
) -> list[str] | None:
    """The table's lines: value rows as "label<TAB>cell…" with blanks printed, other rows
    as their cells' texts; None when the grid is too large to expand."""
    grid = expand(rows, text_of)
    if grid is None:
        return None
    out = [_plain(slots) for slots in grid]
    for band in _bands(grid):
        v0 = _value_start([grid[r] for r in band])
        if v0 is None and not any(_has_number(grid[r]) for r in band):
            v0 = _blank_band_start(grid, band)
        if v0 is None:
            continue  # rows disagree where their values start: read as printed, no proof
        stop = _value_stop(grid, band)
        for r in band:
            if _is_value_row(grid[r], v0):
                out[r] = _value_line(grid[r], v0, stop)
    return out
