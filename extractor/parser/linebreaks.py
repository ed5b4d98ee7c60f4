"""A number a line break split inside its table cell ("| 2<br>8 |"): where the cells show it.

`extractor.parser.joins` weighs a line-broken pair as one reading among several when nothing
else tells; here the print's cell edges tell, before any reading is made.
"""

from __future__ import annotations

import itertools
import re

from extractor.parser.tokens import Token, TokenKind, line_around

# nothing but a line break (and padding) between two values
_LINE_BREAK = re.compile(r"^[ \t\u3000\xa0]*(?:<br\s*/?>|\r?\n)[ \t\u3000\xa0]*$")
# the same inside one cell of a delimited row: no tab or pipe (a cell's edge) in it
_CELL_LINE_BREAK = re.compile(r"^[ \u3000\xa0]*(?:<br\s*/?>|\r?\n)[ \u3000\xa0]*$")
_DIGITS = re.compile(r"\d+")
_EDGES = ("|", "\t")  # a cell's edge in a pipe or tab row
_PAD = " \u3000\xa0"


def _edge_before(folded: str, at: int) -> bool:
    """A cell edge right before `at`, padding aside."""
    return folded[:at].rstrip(_PAD)[-1:] in _EDGES


def _rest_of_line(folded: str, at: int) -> str:
    """What the line holds after `at`, its padding at the start left out."""
    line_end = folded.find("\n", at)
    return folded[at : len(folded) if line_end < 0 else line_end].lstrip(_PAD)


def _edge_after(folded: str, at: int) -> bool:
    """A cell edge right after `at` on its line, padding aside (not the line's end)."""
    return _rest_of_line(folded, at)[:1] in _EDGES


def joinable(folded: str, a: Token, b: Token) -> bool:
    """Two clean whole numbers a line break alone separates; a number never starts with 0."""
    if a.kind is not TokenKind.NUMBER or b.kind is not TokenKind.NUMBER or a.unit:
        return False
    if not (_DIGITS.fullmatch(a.text.strip()) and _DIGITS.fullmatch(b.text.strip())):
        return False
    return not a.text.strip().startswith("0") and bool(_LINE_BREAK.match(folded[a.end : b.start]))


def join_broken_cell(folded: str, tokens: list[Token], width: int) -> list[Token]:
    """The row's tokens with a number its cell's line broke made one again, when the print's
    cell edges show it: a delimited row of `width` cells printing one value more, every two
    neighbouring values a tab or pipe apart but one pair, which only a line break inside the
    cell separates ("| 0 | 2<br>8 | 1 |", "\t0\t2\n8\t1"). A second value would have a cell
    of its own; so the pair is one number (28), read as printed (unless its two halves are
    the same digits, which may be one value printed twice). Otherwise `tokens` as they
    are (a row with no cell edges, "0 2\n8 1", stays a row of several readings). A row of
    one cell ("| 行政处罚 | 15<br>3 |") shows it by the edges on both sides of the pair."""
    if len(tokens) != width + 1 or width < 1:
        return tokens
    if width == 1 and not _edge_before(folded, tokens[0].start):
        return tokens  # no cell edge before the pair: it may be the label's or prose
    gaps = [folded[a.end : b.start] for a, b in itertools.pairwise(tokens)]
    inside = [i for i, gap in enumerate(gaps) if _CELL_LINE_BREAK.match(gap)]
    apart = sum(1 for gap in gaps if "|" in gap or "\t" in gap)
    if len(inside) != 1 or apart != width - 1:
        return tokens
    i = inside[0]
    a, b = tokens[i], tokens[i + 1]
    if not joinable(folded, a, b) or not _edge_after(folded, b.end):
        # the pair ends a row with no closing edge ("\t5\n8"): the bare number under the
        # row may be a page number as well as the last value's digits; words before the
        # next edge ("\t6\n12 行政规范性文件\t0"): a number of the next line's own, a line
        # or row number before its label, not the rest of a cell
        return tokens
    if a.text.strip() == b.text.strip():
        return tokens  # "32\n32": one value printed twice as well as 3232 broken
    number = int(a.text.strip() + b.text.strip())
    joined = Token(a.start, b.end, folded[a.start : b.end], TokenKind.NUMBER, number)
    return [*tokens[:i], joined, *tokens[i + 2 :]]


# what may stand between the digit groups of one number: a space (a no-break or a thin
# one, as typesetting and web pages put there), or a thousands comma OCR read as an
# apostrophe or backtick ("7'179")
GROUP_MARKS = frozenset({" ", "\xa0", "\u2009", "\u202f", "'", "`", "\u2019"})
_HEAD = re.compile(r"[1-9]\d{0,2}")
_GROUP = re.compile(r"\d{3}")


def digit_groups(head: str, group: str) -> bool:
    """Two printed values that could be one number's digit groups: one to three digits not
    starting with 0, then three ("5 452", "6 031")."""
    return bool(_HEAD.fullmatch(head) and _GROUP.fullmatch(group))


def join_grouped_cell(folded: str, tokens: list[Token], width: int) -> list[Token]:
    """The row's tokens with each number printed with a thousands space made one, when the
    print's cell edges show it: a delimited row of `width` cells printing more values, every
    two neighbouring values a tab or pipe apart but some pairs, each of which one space-like
    mark inside a cell separates as digit groups do ("| 1 410 | 0 |", "\t7\u2009179\t"),
    and joining those pairs leaves one value a cell. A second value would have a cell of
    its own, so each pair is one number, read as printed. Otherwise `tokens` as they are
    (with no cell edges, "1 410" may be two values)."""
    if len(tokens) <= width or width < 1:
        return tokens
    if not _edge_before(folded, tokens[0].start):
        return tokens  # no cell edge before the values: the first may be the label's
    gaps = [folded[a.end : b.start] for a, b in itertools.pairwise(tokens)]
    inside = [i for i, gap in enumerate(gaps) if gap in GROUP_MARKS]
    apart = sum(1 for gap in gaps if "|" in gap or "\t" in gap)
    if len(tokens) - len(inside) != width or apart != width - 1:
        return tokens
    if any(b - a < 2 for a, b in itertools.pairwise(inside)):
        return tokens  # three groups in one cell (millions): no count is that large
    if not all(_grouped(folded, tokens[i], tokens[i + 1]) for i in inside):
        return tokens
    out: list[Token] = []
    at = 0
    for i in inside:
        out.extend(tokens[at:i])
        a, b = tokens[i], tokens[i + 1]
        number = int(a.text.strip() + b.text.strip())
        out.append(Token(a.start, b.end, folded[a.start : b.end], TokenKind.NUMBER, number))
        at = i + 2
    return [*out, *tokens[at:]]


def _grouped(folded: str, a: Token, b: Token) -> bool:
    """`a` and `b` read as digit groups of one number alone in its cell: a head of one to
    three digits, a group of three, and a cell edge (or the line's end) right after."""
    # (a group may start with 0, "6 031", which the tokenizer holds for a glued run)
    clean = a.kind is TokenKind.NUMBER and b.kind is not TokenKind.BLANK and not (a.unit or b.unit)
    if not (clean and digit_groups(a.text.strip(), b.text.strip())):
        return False
    rest = _rest_of_line(folded, b.end)
    return not rest or rest[0] in _EDGES  # words or a unit after it: not alone


_PIPE_ROW = re.compile(r"^[ \t]*\|.*\|[ \t]*$")


def _line_of(folded: str, token: Token) -> str:
    return line_around(folded, token.start, token.end)


def off_table_values(folded: str, tokens: list[Token]) -> list[Token]:
    """The row's tokens without those printed outside its markdown table: a row with values
    on a complete pipe row ("| 规章 | 0 | 5 | 0 |", closed by its last pipe) has no cell on a
    line with no pipe at all, before or after it; a bare number there ("8", or "7" between
    part 四's header rows) is a page number the conversion left among the table's rows. (A
    tab row has no closing edge: a bare number under it may be its last value's digits
    broken over the line, so it stays.)"""
    if len(tokens) < 2:
        return tokens
    first = folded.rfind("\n", 0, tokens[0].start) + 1
    last = folded.find("\n", tokens[-1].end)
    if "|" not in folded[first : len(folded) if last < 0 else last]:
        return tokens  # no pipe on the row's lines (most rows): no markdown table to leave
    if not any(_PIPE_ROW.match(_line_of(folded, t)) for t in tokens):
        return tokens
    kept = []
    for token in tokens:
        a = folded.rfind("\n", 0, token.start) + 1
        b = folded.find("\n", token.end)
        if "|" in folded[a : len(folded) if b < 0 else b]:
            kept.append(token)
    return kept


SPLIT_CELL = (
    "a cell of this row holds two values a line break apart: one number broken, or two "
    "values, and where the row's other values go depends on it"
)
# the same when no pair so split could be one number ("0<br>0": no number starts with 0): two
# values, the row's values read in printed order, as a glued run's cut is; proven only by
# identities that all hold (rules.proving.CHECKED_BY_IDENTITIES)
TWO_VALUES_IN_A_CELL = "two values in one cell a line break apart, which no one number could be"


def split_cell(folded: str, tokens: list[Token]) -> bool:
    """A delimited row (some values a tab or pipe apart) in which two values stand in one
    cell, only a line break between them ("| ２１０ | ９<br>２ |"): counted as two values,
    the row's count matches its cells only by reading another cell as one value."""
    return any(not _cannot_join(a, b) for a, b in _split_pairs(folded, tokens))


def two_values_in_a_cell(folded: str, tokens: list[Token]) -> bool:
    """`split_cell`'s print where no pair could be one number: a value beginning with 0
    ("0<br>0", "0<br>12") is a value of its own."""
    pairs = _split_pairs(folded, tokens)
    return bool(pairs) and all(_cannot_join(a, b) for a, b in pairs)


def _cannot_join(a: Token, b: Token) -> bool:
    """Two clean numbers no one number could be: the first is 0 (a number never starts
    with 0, and 0 is a value of its own)."""
    clean = all(t.kind is TokenKind.NUMBER and _DIGITS.fullmatch(t.text.strip()) for t in (a, b))
    return clean and a.text.strip() == "0"


def _split_pairs(folded: str, tokens: list[Token]) -> list[tuple[Token, Token]]:
    """The neighbouring values of a delimited row only a line break apart, inside one cell."""
    pairs = list(itertools.pairwise(tokens))
    gaps = [folded[a.end : b.start] for a, b in pairs]
    if not any("|" in gap or "\t" in gap for gap in gaps):
        return []
    # two values: a blank's token spans its empty cell's own separators, so the line break
    # before an empty line ("\t2\n\t\n") is no break inside one cell
    return [
        (a, b)
        for gap, (a, b) in zip(gaps, pairs, strict=True)
        if TokenKind.BLANK not in (a.kind, b.kind) and _CELL_LINE_BREAK.match(gap)
    ]
