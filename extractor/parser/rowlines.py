"""A row's value tokens by printed row: lines, or blocks in a table printed one cell per line;
lone values printed after a row's block; whole value lines placed on rows by printed order
(labels detached from their values, or stacked apart from them)."""

from __future__ import annotations

import itertools

from extractor.parser.emptylines import empty_cells_between
from extractor.parser.labels import CjkStream
from extractor.parser.rowread import RowRead
from extractor.parser.tokens import Token, TokenKind
from rules.column_order import OWN_ERRORS, sums_at


def token_lines(text: str, tokens: list[Token]) -> list[list[Token]]:
    """Tokens grouped by printed line (a new line wherever a newline separates two)."""
    lines: list[list[Token]] = []
    for prev, token in zip([None, *tokens[:-1]], tokens, strict=True):
        if prev is None or "\n" in text[prev.end : token.start]:
            lines.append([])
        lines[-1].append(token)
    return lines


# (rules.proving confirms a cell so noted only when every identity it is in holds)
UNEVEN_LINES = (
    "the row's values stand on lines holding different numbers of them: a number on a "
    "line apart may be no cell (a page number), the row a value short"
)


# how many more rows than the chosen way (which may miss OWN_ERRORS: the report's own
# arithmetic error) the other way must fail: the wrong way mixes rows, so nearly every row
# with a value fails
MARGIN = 3


def _one_column(tokens: list[Token], width: int) -> list[list[Token]] | None:
    """Rows of `width` values from one column of them: row by row (the label column read
    first), or column by column (each column of the table read in turn). Taken only when
    that reading makes every row's total the sum of its other cells, one row at most
    excepted (the report's own error), and the other reading fails at least MARGIN rows
    more (or reads the same): with no such margin, which way the column runs is a guess,
    and a cell a wrong guess places may still sit in identities that hold. None otherwise,
    or unless the count divides."""
    if len(tokens) % width or any(t.kind is TokenKind.RUN for t in tokens):
        return None  # a glued run's value is unknown: no row of it can be judged
    height = len(tokens) // width
    by_row = [tokens[at : at + width] for at in range(0, len(tokens), width)]
    by_column = [tokens[r::height] for r in range(height)]
    if _values(by_row) == _values(by_column):
        return by_row
    row_fails, column_fails = _rows_not_summing(by_row), _rows_not_summing(by_column)
    if _clearly(row_fails, column_fails):
        return by_row
    if _clearly(column_fails, row_fails):
        return by_column
    return None  # both ways add up, or neither does clearly: nothing tells them apart


def _clearly(fails: int, other: int) -> bool:
    """One way of reading the column sums and the other does not, or it misses one row
    (the report's own error) where the other misses MARGIN rows more."""
    return (fails == 0 and other > 0) or (fails <= OWN_ERRORS and other >= fails + MARGIN)


def _values(rows: list[list[Token]]) -> list[list[object]]:
    return [[t.value for t in row] for row in rows]


def _rows_not_summing(rows: list[list[Token]]) -> int:
    """Rows none of whose values is the sum of the others, a blank counted 0. (A row that
    misses only through a blank printed where a value was, a total's "/", counts as a miss:
    left unjudged, it let the wrong way pass where the blank fell in the row holding a
    misprint, synth-8046-0041.)"""
    fails = 0
    for row in rows:
        values = [t.value if isinstance(t.value, int) else 0 for t in row]
        if not any(sums_at(values, p) for p in range(len(values))):
            fails += 1
    return fails


def uneven_lines(text: str, tokens: list[Token]) -> bool:
    """A row's values printed over lines holding different numbers of them ("规章 1 21" and
    "8" on the next line): a row wrapped, or a row a value short and a stray number under
    it. In a table printed one cell per line, the same when the row's cells stand at
    different distances ("6", "-9", a blank line, "6"): a block of the row's, and a number
    set apart from it (a page number), the row a value short."""
    # values only: a blank's token spans its empty cell's separators, a line's end included
    values = [t for t in tokens if t.kind is not TokenKind.BLANK]
    lines = token_lines(text, values) if values else []
    if len(lines) > 1 and len({len(line) for line in lines}) > 1:
        return True
    if len(lines) < 2 or len(lines) != len(values):
        return False
    # one value a line: the lines between the starts of consecutive cells (a blank's too)
    steps = {text.count("\n", a.start, b.start) for a, b in itertools.pairwise(tokens)}
    return len(steps) > 1


def printed_rows(text: str, tokens: list[Token], width: int) -> list[list[Token]]:
    """Tokens grouped by printed table row: by line, or, where every line holds one value
    (a table printed one cell per line), at the widest line gaps: the blank lines between
    rows' blocks, wider than those between a row's values; with no wider gaps (a block of
    rows printed as one column of values, as text extraction gives a table whose label
    column it read first), every `width` values in turn. The lines are returned as they
    are when no grouping gives `width` values a row (the callers then leave the row alone).
    Rows so grouped are placed by printed order: proven only by identities that all hold."""
    lines = token_lines(text, tokens)
    if width == 1 or len(lines) < 2 or any(len(line) != 1 for line in lines):
        return lines
    gaps = [text.count("\n", a.end, b.start) for a, b in itertools.pairwise(tokens)]
    if len(set(gaps)) == 1:
        return _one_column(tokens, width) or lines
    row_gap = min(gaps) + 1
    blocks: list[list[Token]] = [[tokens[0]]]
    for gap, token in zip(gaps, tokens[1:], strict=True):
        if gap >= row_gap:
            blocks.append([])
        blocks[-1].append(token)
    if all(len(block) == width for block in blocks):
        return blocks
    # one column of values at one spacing, each extra spacing an empty cell
    return _one_column(empty_cells_between(text, tokens), width) or lines


def place_detached_rows(text: str, rows: list[RowRead]) -> list[list[RowRead]]:
    """PDF-to-markdown prints some value rows away from their labels: after a found row come
    its own line and then whole lines of values whose labels were not found in order. When
    the label's own line holds exactly its values (or the label line none and the first line
    after it does), and as many whole extra lines follow as rows are missing before the next
    found row, the extra lines go to the missing rows in order (noted: placed by order).
    Returns the groups of rows placed by order: each group's lines could go to any of its
    rows. The found row is in its group unless its line is printed with its label."""
    groups: list[list[RowRead]] = []
    found = [n for n, r in enumerate(rows) if r.label is not None]
    for here, nxt in zip(found, [*found[1:], len(rows)], strict=True):
        row = rows[here]
        missing = [rows[m] for m in range(here + 1, nxt) if rows[m].label is None]
        n = len(row.columns)
        if not missing or len(row.tokens) <= n or any(t.kind is TokenKind.RUN for t in row.tokens):
            continue
        lines = printed_rows(text, row.tokens, n)
        if any(len(line) != n for line in lines) or len(lines) != len(missing) + 1:
            continue
        if any(_after_a_found_label(text, line, rows) for line in lines[1:]):
            continue  # a line printed after a row's label is that row's (printed twice)
        # the row's own values on the label's line or the next one
        breaks = text.count("\n", row.label.span[1], lines[0][0].start)  # type: ignore[union-attr]
        inner = max(  # a table printed one cell per line: as far as its values are apart
            (text.count("\n", a.end, b.start) for a, b in itertools.pairwise(lines[0])), default=0
        )
        if breaks > max(1, inner):
            continue
        row.tokens = lines[0]
        for target, line in zip(missing, lines[1:], strict=True):
            target.tokens = line
            target.detached = True
            target.segment = (line[0].start, line[-1].end)
        groups.append(missing if breaks == 0 else [row, *missing])
    return groups


def _after_a_found_label(text: str, line: list[Token], rows: list[RowRead]) -> bool:
    """The line starts with the label of a row found elsewhere: that row printed twice (a
    synth-7980-0021 hunt: a row repeated around a page number, its first printing given to
    the row before it, whose print was lost), not a line detached from its label. A group
    label ("（四）无法提供") on the line is no row's."""
    start = text.rfind("\n", 0, line[0].start) + 1
    lead = CjkStream.of(text[start : line[0].start]).chars
    labels = (CjkStream.of(text[slice(*r.label.span)]).chars for r in rows if r.label)
    return bool(lead) and any(label and label in lead for label in labels)


def lone_values_after_the_row(text: str, tokens: list[Token], width: int) -> list[Token]:
    """A table printed one cell per line: the row's own block of `width` values, without
    the values printed after it each in a block of its own (a page number "4" between two
    rows' blocks is no cell). Otherwise `tokens` as they are."""
    if width < 2 or len(tokens) <= width:
        return tokens
    if any(len(line) != 1 for line in token_lines(text, tokens)):
        return tokens
    gaps = [text.count("\n", a.end, b.start) for a, b in itertools.pairwise(tokens)]
    inner = set(gaps[: width - 1])  # within the row's block: one gap throughout
    if len(inner) != 1 or any(gap <= min(inner) for gap in gaps[width - 1 :]):
        return tokens  # the values are not one block and lone values after it
    return tokens[:width]


def rebalance_stacked_rows(text: str, rows: list[RowRead]) -> list[list[RowRead]]:
    """Labels stacked above (or below) their value lines, as PDF-to-markdown prints merged
    cells: a run of consecutive rows where some got no value line and others two or more,
    every line exactly one value per cell, as many lines as rows. The lines go to the rows in
    order (noted: placed by order). Returns each run of rows whose lines were pooled: any
    of the run's lines could be any of its rows' (a row that kept its own line included)."""
    groups: list[list[RowRead]] = []
    n = len(rows[0].columns) if rows else 0
    lines_of: list[list[list[Token]] | None] = []
    for row in rows:
        tokens = row.tokens
        if row.label is None:
            # a label misread past matching ("2.重复中请"): the row stands in its place in the
            # printed order and takes one line, as a found row with none does; a row not
            # printed at all breaks the run (its neighbours' labels touch)
            misread = row.misread and not tokens and row.absent is None
            lines_of.append([] if misread else None)
            continue
        if any(t.kind is TokenKind.RUN for t in tokens):
            lines_of.append(None)
            continue
        lines = printed_rows(text, tokens, n) if tokens else []
        whole = [line for line in lines if len(line) != 1]
        if n > 1 and len(whole) > 1 and all(len(line) == n for line in whole):
            lines = whole  # a lone number among whole value lines: a page number, no row
        if len(lines) == 1 and "\n" not in text[row.label.span[1] : lines[0][0].start]:
            # one line printed on its own label's line is that row's: a run that pools
            # lines does not cross it (a row that lost its values and another that took a
            # stray line far apart balance by chance, and every row between would shift)
            lines_of.append(None)
            continue
        lines_of.append(lines if all(len(line) == n for line in lines) else None)
    pooled: set[int] = set()

    def lineless(k: int) -> bool:  # a row left with no line, outside every run
        return 0 <= k < len(rows) and lines_of[k] == [] and k not in pooled

    i = 0
    while i < len(rows):
        lines = lines_of[i]
        if lines is None or len(lines) == 1:
            i += 1
            continue
        balance, j = 0, i
        while j < len(rows) and lines_of[j] is not None:
            balance += len(lines_of[j]) - 1  # type: ignore[arg-type]
            if balance == 0:
                break
            j += 1
        if j >= len(rows) or lines_of[j] is None or balance != 0:
            i += 1
            continue
        if lineless(i - 1) or lineless(j + 1):
            # a row beside the run got no line: the print is a line short, and which row
            # lost it the order cannot tell (the run would shift every line past it; an
            # all-zero table hides the shift from the identities)
            i += 1
            continue
        pooled.update(range(i, j + 1))
        pool = [line for k in range(i, j + 1) for line in lines_of[k]]  # type: ignore[union-attr]
        for k, line in zip(range(i, j + 1), pool, strict=True):
            if rows[k].tokens != line:
                rows[k].tokens = line
                rows[k].detached = True
        groups.append(rows[i : j + 1])
        i = j + 1
    return groups
