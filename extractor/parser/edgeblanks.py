"""Empty cells at a delimited row's edges ("| 行政处罚 |  | 0 | 1563 |"): printed blanks, or
the table's layout (a label cell two columns wide, a padded row), told by the table's other
rows."""

from __future__ import annotations

import itertools
import re

from extractor.parser.rowread import RowRead
from extractor.parser.tokens import Token, TokenKind

_CELL_GAP = re.compile(r"[ \t]*(?:[|\t][ \t]*)*")


def _edge_cells(folded: str, row: RowRead) -> tuple[str, str, str, int, int] | None:
    """The row's text before its first value and after its last (to the line's end), the
    cell separator, and how many empty cells stand before and after its values; None when
    the row is no delimited row (text other than separators there, or mixed separators)."""
    tokens = row.tokens
    if row.label is None or not tokens:
        return None
    head = folded[row.label.span[1] : tokens[0].start]
    line_end = folded.find("\n", tokens[-1].end)
    tail = folded[tokens[-1].end : len(folded) if line_end < 0 else line_end]
    if not _CELL_GAP.fullmatch(head) or not _CELL_GAP.fullmatch(tail):
        return None
    pipes = "|" in head + tail
    if pipes and "\t" in head + tail:
        return None  # mixed separators: no telling where the cells are
    sep = "|" if pipes else "\t"
    # between the label's cell and the first value: one separator per cell boundary;
    # after the last value a markdown row closes with "|", a tab row does not
    before = max(head.count(sep) - 1, 0)
    after = max(tail.count(sep) - 1, 0) if pipes else tail.count(sep)
    return head, tail, sep, before, after


def edge_blanks(folded: str, row: RowRead) -> None:
    """Empty table cells at the ends of a short row ("| 行政处罚 |  | 0 | 1563 |",
    "行政处罚\t\t0\t1563") are printed blanks: when they make up exactly the values the row
    lacks, they take their cells (as empty cells between two values already do). They are
    marked `edge` (noted: a blank, or the table's layout) until `plain_edge_blanks` finds
    the table has no empty layout cell at its rows' edges."""
    tokens, n = row.tokens, len(row.columns)
    if len(tokens) >= n or row.part == "t4":
        return
    cells = _edge_cells(folded, row)
    if cells is None:
        return
    head, tail, sep, before, after = cells
    if before + after + len(tokens) != n or before + after == 0:
        return
    # each blank's span covers the separators around its empty cell (a tab row's last
    # cell: its tab and the line's end), so the blank's evidence is in its snippet
    start, end = row.label.span[1], tokens[-1].end  # type: ignore[union-attr]
    lead = [start + i for i, ch in enumerate(head) if ch == sep]
    trail = [end + i for i, ch in enumerate(tail) if ch == sep]
    if sep == "\t":
        trail.append(min(end + len(tail), len(folded) - 1))
    blank = [Token(a, b + 1, "", TokenKind.BLANK, edge=True) for a, b in itertools.pairwise(lead)]
    after_blank = [
        Token(a, b + 1, "", TokenKind.BLANK, edge=True) for a, b in itertools.pairwise(trail)
    ]
    row.tokens = [*blank, *tokens, *after_blank]


def plain_edge_blanks(folded: str, rows: list[RowRead]) -> None:
    """Edge blanks of a table whose rows that print every value have no empty cell at their
    edges are plain printed blanks, as empty cells between two values are: the table has no
    empty layout cell (a label spanning two columns, a padded row) they could be. Per part."""
    for part in ("t2", "t3"):
        mine = [r for r in rows if r.part == part]
        if not any(t.edge for r in mine for t in r.tokens):
            continue  # no edge blank to settle (the usual case)
        full = [
            _edge_cells(folded, r)
            for r in mine
            if len(r.tokens) == len(r.columns) and not any(t.edge for t in r.tokens)
        ]
        if not full or any(c is not None and c[3] + c[4] > 0 for c in full):
            continue  # no row to tell, or a layout cell at a full row's edge
        for row in mine:
            for token in row.tokens:
                token.edge = False


_LINE_END = re.compile(r"[ \t|\u3000\xa0]*(?:\r?\n|$)")


def _closes_line(folded: str, token: Token) -> bool:
    """The token is a printed placeholder ("无", "—", "/") with nothing after it on its line."""
    return (
        token.kind is TokenKind.BLANK
        and bool(token.text)
        and not token.edge
        and _LINE_END.match(folded, token.end) is not None
    )


def _note_cells(folded: str, row: RowRead) -> list[int]:
    """Indices of the row's placeholders that close a line after a value of the row on it:
    where a column beyond the layout's stands. The row's last token counts alone too (a
    table printed one cell per line puts the note on a line of its own)."""
    out = []
    for i, token in enumerate(row.tokens):
        if not _closes_line(folded, token):
            continue
        last = i == len(row.tokens) - 1
        line_start = folded.rfind("\n", 0, token.start) + 1
        if last or (i > 0 and row.tokens[i - 1].end > line_start):
            out.append(i)
    return out


def placeholder_column(folded: str, rows: list[RowRead]) -> None:
    """A column beyond the layout's, printing a placeholder on its rows (a 备注 column of
    "无", a ruled column of "—"): when at least three rows, and half the part's rows,
    print one value more than their cells with a placeholder closing the line, such a
    placeholder is no cell of the table, on every row of the part (also one closing a
    line inside a row's values, where a row whose label was not found ran on). A row that
    then prints one value too few lost one (the note's or a cell's): it stays short and is
    flagged, where counting the note as its last cell would read it whole and shifted."""
    for part in ("t2", "t3"):
        mine = [r for r in rows if r.part == part and r.label is not None and r.tokens]
        noted = [
            r
            for r in mine
            if len(r.tokens) == len(r.columns) + 1 and _closes_line(folded, r.tokens[-1])
        ]
        if len(noted) < max(3, (len(mine) + 1) // 2):
            continue
        for row in mine:
            drop = set(_note_cells(folded, row))
            row.tokens = [t for i, t in enumerate(row.tokens) if i not in drop]


def _cells_of_line(line: str, sep: str) -> int:
    """How many cells a delimited line holds ("| a | b |" and "a\tb" both hold two)."""
    if sep == "|":
        return len(line.strip().strip("|").split("|"))
    return len(line.rstrip("\r").split("\t"))


def t4_edge_blanks(folded: str, row: RowRead) -> None:
    """Empty cells at the ends of part 四's value line ("| 0 | … | 0 |  |"), when they make up
    exactly the values it lacks. Part 四's value line has no label cell, so an empty cell at
    its edge is a printed blank only if the header line right above holds as many cells as
    the value line: the grid is drawn that wide. Otherwise it is marked `edge` (a blank, or
    the table's layout): flagged with its reading."""
    tokens, n = row.tokens, len(row.columns)
    if not tokens or len(tokens) >= n:
        return
    line_start = folded.rfind("\n", 0, tokens[0].start) + 1
    line_end = folded.find("\n", tokens[-1].end)
    line_end = len(folded) if line_end < 0 else line_end
    if line_start < folded.rfind("\n", 0, tokens[-1].start) + 1:
        return  # the values span several lines: no one grid row to count
    head = folded[line_start : tokens[0].start]
    tail = folded[tokens[-1].end : line_end]
    if not _CELL_GAP.fullmatch(head) or not _CELL_GAP.fullmatch(tail):
        return
    if ("|" in head + tail) == ("\t" in head + tail):
        return  # no separator at the edges (nothing to count), or mixed ones
    sep = "|" if "|" in head + tail else "\t"
    before = max(head.count(sep) - 1, 0) if sep == "|" else head.count(sep)
    after = max(tail.count(sep) - 1, 0) if sep == "|" else tail.count(sep)
    if before + after + len(tokens) != n or before + after == 0:
        return
    line = folded[line_start:line_end]
    above_end = line_start - 1
    above_start = folded.rfind("\n", 0, max(above_end, 0)) + 1
    above = folded[above_start:above_end] if above_end > 0 else ""
    drawn = sep in above and _cells_of_line(above, sep) == _cells_of_line(line, sep) == n
    lead = [line_start + i for i, ch in enumerate(head) if ch == sep]
    trail = [tokens[-1].end + i for i, ch in enumerate(tail) if ch == sep]
    if sep == "\t":
        lead.insert(0, max(line_start - 1, 0))  # the first cell opens at the line's start
        trail.append(min(line_end, len(folded) - 1))
    blanks_before = [
        Token(a, b + 1, "", TokenKind.BLANK, edge=not drawn) for a, b in itertools.pairwise(lead)
    ]
    blanks_after = [
        Token(a, b + 1, "", TokenKind.BLANK, edge=not drawn) for a, b in itertools.pairwise(trail)
    ]
    row.tokens = [*blanks_before, *tokens, *blanks_after]


_INDENT = re.compile(r"[ \t\u3000\xa0]*")


def line_blanks(folded: str, row: RowRead) -> None:
    """Empty cells of a row printed one cell per line with a tab indent ("\\t0", "\\t",
    "\\t5"): a line holding only the indent, between the label and the row's last value, is
    an empty cell, taken when such lines make up exactly the values the row lacks. An empty
    line with no indent, or one after the last value, proves nothing (rows are set apart by
    blank lines, seed-000's by indent-only lines too)."""
    tokens, n = row.tokens, len(row.columns)
    if row.label is None or not tokens or len(tokens) >= n or row.part == "t4":
        return
    if any(t.kind is TokenKind.RUN for t in tokens):
        return  # a glued run holds an unknown number of cells
    indents: set[str] = set()
    for token in tokens:
        line_start = folded.rfind("\n", 0, token.start) + 1
        line_end = folded.find("\n", token.end)
        line_end = len(folded) if line_end < 0 else line_end
        indent = folded[line_start : token.start]
        if not _INDENT.fullmatch(indent) or folded[token.end : line_end].strip(" \u3000\xa0\r"):
            return  # a value that shares its line: not one cell per line
        indents.add(indent.strip(" \u3000\xa0"))
    if indents != {"\t"}:
        return
    start = folded.find("\n", row.label.span[1])
    if start < 0 or start > tokens[0].start:
        return  # the first value on the label's line
    empty: list[Token] = []
    at = start
    while at < tokens[-1].start:
        end = folded.find("\n", at + 1)
        if end < 0:
            break
        line = folded[at + 1 : end]
        if line.strip(" \u3000\xa0\r") == "\t" and not line.startswith((" ", "\u3000")):
            # the span takes the tab and the line's end: the empty cell's evidence
            empty.append(Token(at + 1 + line.index("\t"), end + 1, "", TokenKind.BLANK))
        at = end
    if not empty or len(empty) + len(tokens) != n:
        return
    row.tokens = sorted([*tokens, *empty], key=lambda t: t.start)
