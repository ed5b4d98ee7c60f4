"""Empty cells of a table printed one cell per line ("0", "0", an empty line, "5"): told by
the table's own line spacing, as an empty field between two tabs is told by the tabs.

Word and web tables copied as text put each cell on a line of its own, rows set apart by a
fixed number of empty lines; an empty cell is one more empty line (or paragraph) where a
value would stand. An empty line proves nothing on its own (rows, and some tables' values,
are set apart by them), so a row's empty lines are read as cells only when the part's rows
that print every value all space their lines alike, and the extra empty lines of a short
row make up exactly the values it lacks.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass

from extractor.parser.rowread import RowRead
from extractor.parser.tokens import MEASURE, Token, TokenKind

MIN_FULL_ROWS = 3  # rows printing every value that must agree on the spacing
_INK = re.compile(r"[^\s\u3000\xa0]")
_MEASURE_WORD = re.compile(f"[ \\t\u3000]*[{MEASURE}]")  # "0条" alone on its line is one cell


@dataclass(frozen=True)
class _Gaps:
    """Empty lines before a row's first value (after its label), between its values, and
    after its last value (to the next printed text)."""

    lead: int
    between: tuple[int, ...]
    tail: int | None  # None: nothing printed after the row


def empty_line_blanks(folded: str, rows: list[RowRead]) -> None:
    """Give each short row printed one value per line the empty cells its extra empty lines
    stand for (in place), per part, when the part's full rows space their lines alike."""
    for part in ("t2", "t3"):
        mine = [r for r in rows if r.part == part]
        short = [r for r in mine if len(r.tokens) < len(r.columns)]
        if not short:
            continue  # every row prints its values (the usual case): no spacing to learn
        full = [r for r in mine if len(r.tokens) == len(r.columns) and _one_per_line(folded, r)]
        if len(full) < MIN_FULL_ROWS:
            continue
        spacing = _spacing([_gaps(folded, r) for r in full])
        if spacing is None:
            continue
        for row in short:
            if _one_per_line(folded, row):
                _fill(folded, row, _gaps(folded, row), *spacing)


def _one_per_line(folded: str, row: RowRead) -> bool:
    """The row's values each alone on a line below its label, none a glued run or an edge
    blank, and nothing but empty lines between them."""
    tokens = row.tokens
    if row.label is None or not tokens or row.merged or row.detached:
        return False
    if any(t.kind is TokenKind.RUN or t.edge for t in tokens):
        return False
    if "\n" not in folded[row.label.span[1] : tokens[0].start]:
        return False
    for token in tokens:
        start = folded.rfind("\n", 0, token.start) + 1
        end = _line_end(folded, token.end)
        if _INK.search(folded, start, token.start) or _INK.search(
            folded, _cell_end(folded, token), end
        ):
            return False
    return all(
        not _INK.search(folded, _cell_end(folded, a), b.start)
        for a, b in itertools.pairwise(tokens)
    )


def _cell_end(folded: str, token: Token) -> int:
    """Where the token's cell ends: after a measure word printed with it ("0条")."""
    word = _MEASURE_WORD.match(folded, token.end, _line_end(folded, token.end))
    return word.end() if word else token.end


def _line_end(folded: str, at: int) -> int:
    end = folded.find("\n", at)
    return len(folded) if end < 0 else end


def empty_lines(folded: str, start: int, end: int) -> list[tuple[int, int]]:
    """The whitespace-only lines wholly inside [start, end): (line start, its newline)."""
    out = []
    at = folded.find("\n", start, end)
    while at >= 0:
        nxt = folded.find("\n", at + 1, end)
        if nxt < 0:
            break
        if not _INK.search(folded, at + 1, nxt):
            out.append((at + 1, nxt))
        at = nxt
    return out


def empty_cells_between(text: str, tokens: list[Token]) -> list[Token]:
    """A column of values printed one per line at a fixed spacing, with a Token for each
    empty cell: every extra spacing between two values (an empty line, or an empty
    paragraph) is one. `tokens` as they are unless every gap is a whole number of them."""
    gaps = [text.count("\n", a.end, b.start) for a, b in itertools.pairwise(tokens)]
    step = min(gaps, default=0)
    if step < 1 or all(g == step for g in gaps) or any(g % step for g in gaps):
        return tokens
    out: list[Token] = [tokens[0]]
    for gap, (a, b) in zip(gaps, itertools.pairwise(tokens), strict=True):
        empty = empty_lines(text, a.end, b.start)
        if len(empty) != gap - 1:
            return tokens  # text other than empty lines between them
        for k in range(gap // step - 1):
            line_start, newline = empty[step - 1 + k * step]
            out.append(Token(line_start, newline + 1, "", TokenKind.BLANK, empty_line=True))
        out.append(b)
    return out


def _after(folded: str, row: RowRead) -> int | None:
    """Where the next printed text after the row's last value starts, or None."""
    found = _INK.search(folded, _cell_end(folded, row.tokens[-1]))
    return found.start() if found else None


def _gaps(folded: str, row: RowRead) -> _Gaps:
    tokens = row.tokens
    lead = len(empty_lines(folded, row.label.span[1], tokens[0].start))  # type: ignore[union-attr]
    between = tuple(len(empty_lines(folded, a.end, b.start)) for a, b in itertools.pairwise(tokens))
    nxt = _after(folded, row)
    tail = None if nxt is None else len(empty_lines(folded, tokens[-1].end, nxt))
    return _Gaps(lead, between, tail)


def _spacing(full: list[_Gaps]) -> tuple[int, int, int] | None:
    """(lead, between, tail) empty lines every full row shares; None unless they all agree
    (a full row's tail may differ only where nothing is printed after it)."""
    leads = {g.lead for g in full}
    betweens = {b for g in full for b in g.between}
    tails = {g.tail for g in full if g.tail is not None}
    if len(leads) != 1 or len(betweens) != 1 or len(tails) != 1:
        return None
    return leads.pop(), betweens.pop(), tails.pop()


def _fill(folded: str, row: RowRead, gaps: _Gaps, lead: int, between: int, tail: int) -> None:
    """Blank tokens on the extra empty lines of `row`, when they are exactly its lost
    cells: each empty cell takes `between + 1` empty lines (its own and a separator)."""
    unit = between + 1
    tokens = row.tokens
    extra = [gaps.lead - lead, *(g - between for g in gaps.between)]
    extra.append(0 if gaps.tail is None else gaps.tail - tail)
    if any(e < 0 or e % unit for e in extra):
        return
    counts = [e // unit for e in extra]
    if sum(counts) + len(tokens) != len(row.columns):
        return
    ends = [row.label.span[1], *(t.end for t in tokens)]  # type: ignore[union-attr]
    starts = [*(t.start for t in tokens), _after(folded, row) or len(folded)]
    blanks: list[Token] = []
    # a gap's empty cells come after its usual separator lines, one separator apart
    offsets = [lead, *([between] * len(tokens))]
    for count, offset, start, end in zip(counts, offsets, ends, starts, strict=True):
        empty = empty_lines(folded, start, end)
        for k in range(count):
            line_start, newline = empty[offset + k * unit]
            # the span is the empty line with its line break (the empty cell's evidence), on
            # a line of its own as each value is (`rowlines.uneven_lines` counts from it)
            blanks.append(Token(line_start, newline + 1, "", TokenKind.BLANK, empty_line=True))
    row.tokens = sorted([*tokens, *blanks], key=lambda t: t.start)
