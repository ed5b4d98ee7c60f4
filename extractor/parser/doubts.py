"""Doubts the print raises about cells the parser read: notes that keep a cell from being
proven until identities that all hold (or a person) confirm it.

Run once the rows are read and resolved. Row doubts come from how a row's tokens sit (two
values in one cell, values over lines of different widths, another row's label among them,
a value printed twice and glued); cell doubts from the characters around one value (OCR
look-alikes, brackets, a minus word before a glued run, digits run on over a line break).
`rules.proving.CHECKED_BY_IDENTITIES` lists which of them identities can settle.
"""

from __future__ import annotations

import itertools
import re

from extractor.parser.cells import row_keys
from extractor.parser.decoding.decode import STATED_NOTE
from extractor.parser.doubled import (
    DOUBLED_GLUED,
    GLUED_AFTER_PREVIOUS,
    GLUED_ONTO_NEXT,
    TWICE_AND_GLUED,
    doubled_glued,
    glued_after_previous,
    glued_onto_next,
    twice_and_glued,
)
from extractor.parser.linebreaks import (
    GROUP_MARKS,
    SPLIT_CELL,
    TWO_VALUES_IN_A_CELL,
    digit_groups,
    split_cell,
    two_values_in_a_cell,
)
from extractor.parser.locate import SHARED_LABEL
from extractor.parser.placement import row_line_bounds
from extractor.parser.plausible import (
    IMPLAUSIBLE,
    WORDS_BEFORE_VALUE,
    WORDS_BETWEEN,
    implausible_row,
    words_before_value,
    words_between,
)
from extractor.parser.rowlines import UNEVEN_LINES, uneven_lines
from extractor.parser.rowread import RowRead
from extractor.parser.tokens import (
    BRACKETED,
    SIGN_WORD,
    Token,
    TokenKind,
    bracketed,
    broken_over_line,
    ocr_digits,
    on_furniture_line,
    sign_word,
)
from nianbao.core.layout import Layout, ValueKind
from nianbao.core.models import CellProvenance, Method

RUN_ON_LINE = "digits run on over a line break: one number broken, or two"
# "486.5289486.5289": a second decimal point right after the value read; no number has two,
# so two values run together (or one printed twice) and the cut between them is a guess
SECOND_POINT = "a second decimal point right after the value: two values run together"
_SECOND_POINT = re.compile(r"[.．]\d")
# a number the tokenizer took for prose (a count followed by a word it did not know, a
# note) between a row's label and its first value: "其他对外管理服务事项 ０条 +22 22 0" read
# +22, 22, 0 for three cells when the 0 was the first (synth-7487-0072)
SET_ASIDE = "a number between the row's label and its values was set aside: it may be a cell"
# "5 452" where the row's other values stand further apart: one number with a thousands
# space, or two values (`_thousands_space`)
THOUSANDS_SPACE = (
    "two values a plain space apart where the row's others stand further apart: one number "
    "with a thousands space is a reading too"
)
# "行政强制\t" then "4" on the next line (`_below_an_empty_cell`)
BELOW_AN_EMPTY_CELL = (
    "the row's cell is printed empty and its value stands on a line below: the value "
    "wrapped, or a page number under a blank"
)
_DIGIT = re.compile(r"\d")
_POINT = re.compile(r"[.．]")  # the snippet is the source's: a full-width point as printed


def note_row_doubts(
    text: str,
    folded: str,
    template: str,
    rows: list[RowRead],
    cells: dict[str, object],
    prov: dict[str, CellProvenance],
) -> None:
    """Note (in place) the cells of rows read one token a cell whose print leaves a doubt."""
    glues = _glues(rows)
    part_two_glues = _glues([r for r in rows if r.part == "t2"])
    for row in rows:
        keys_of_row, kinds = row_keys(template, row.part, row.row) if not row.merged else ((), ())
        if len(row.tokens) == len(keys_of_row):

            def note_row(doubt: str, keys: tuple[str, ...] = keys_of_row) -> None:
                for key in keys:
                    prov[key].notes.append(doubt)

            if implausible_row(row.tokens, kinds):
                note_row(IMPLAUSIBLE)
            elif row.part != "t4" and words_between(text, row.tokens):
                note_row(WORDS_BETWEEN)
            # part 二 has no identity to confirm two values spaced apart where it glues others
            apart = part_two_glues and row.part == "t2"
            for i in glued_onto_next(text, row.tokens, apart=apart):
                if cells.get(keys_of_row[i]) is not None:
                    prov[keys_of_row[i]].notes.append(GLUED_ONTO_NEXT)
            shortest = 1 if row.part == "t2" else 2  # part 二: no identity checks it
            for i in glued_after_previous(row.tokens, shortest) if glues else ():
                if cells.get(keys_of_row[i]) is not None:
                    prov[keys_of_row[i]].notes.append(GLUED_AFTER_PREVIOUS)
            if glues and row.part != "t4" and twice_and_glued(row.tokens):
                note_row(TWICE_AND_GLUED)
            if _number_set_aside(folded, row):
                note_row(SET_ASIDE)
            elif _words_before_values(folded, row):
                note_row(WORDS_BEFORE_VALUE)
            if row.part == "t2" and _thousands_space(text, row.tokens, glues):
                note_row(THOUSANDS_SPACE)
            if row.part == "t2" and _below_an_empty_cell(folded, row):
                note_row(BELOW_AN_EMPTY_CELL)
            if split_cell(folded, row.tokens):
                note_row(SPLIT_CELL)
            elif two_values_in_a_cell(folded, row.tokens):
                note_row(TWO_VALUES_IN_A_CELL)
            elif row.part != "t4" and uneven_lines(text, row.tokens):
                note_row(UNEVEN_LINES)
        if SHARED_LABEL in row.notes:
            for key in row_keys(template, row.part, row.row)[0]:
                if cells.get(key) is not None and SHARED_LABEL not in prov[key].notes:
                    prov[key].notes.append(SHARED_LABEL)


def note_cell_doubts(
    text: str,
    layout: Layout,
    rows: list[RowRead],
    cells: dict[str, object],
    prov: dict[str, CellProvenance],
) -> None:
    """Note (in place) the cells whose printed value leaves a doubt."""
    bounds = row_line_bounds(text, rows)
    glues = _glues(rows)
    for key, p in prov.items():
        if cells.get(key) is None or p.span is None:
            continue
        if doubled_glued(text, p.span, glues) and STATED_NOTE not in p.notes:
            # (a value the narrative states as printed, "88", is no 8 printed twice)
            p.notes.append(DOUBLED_GLUED)
        if p.snippet and ocr_digits(p.snippet):
            # a letter read as a digit is a correction of the print: a person confirms it
            p.notes.append(f"read through OCR look-alikes: {p.snippet.strip()!r}")
        signed_read = layout.spec(key).kind is ValueKind.SIGNED and p.method == Method.READ
        if not signed_read and bracketed(text, p.span):
            # a count in brackets (a note, or a sign no count takes), or a change cut from a
            # run (read whole, a change took the accounting minus: cells.to_value)
            p.notes.append(BRACKETED)
        if sign_word(text, p.span) and p.method != Method.READ:
            # "减18181" cut as a glued run: the word's minus went with the run, not
            # necessarily with this value (read whole, the token carries its sign)
            p.notes.append(SIGN_WORD)
        if broken_over_line(text, p.span) and tuple(p.span) not in bounds:
            p.notes.append(RUN_ON_LINE)
        if _POINT.search(p.snippet or "") and _SECOND_POINT.match(text, p.span[1]):
            p.notes.append(SECOND_POINT)


def _number_set_aside(folded: str, row: RowRead) -> bool:
    """Digits between a part-二 row's label and its first value, off page furniture's lines
    (parts 三 and 四 have identities to notice a value out of place; a bare page number
    between part 四's header and its values is common)."""
    if row.part != "t2" or row.label is None or not row.tokens or row.detached:
        return False
    start, end = row.label.span[1], row.tokens[0].start
    return any(
        not on_furniture_line(folded, m.start()) for m in _DIGIT.finditer(folded, start, end)
    )


def _words_before_values(folded: str, row: RowRead) -> bool:
    """A part-二 row with a word between its label and its values (parts 三 and 四 have
    identities to notice another row's values; part 二 has none)."""
    if row.part != "t2" or row.label is None or not row.tokens or row.detached:
        return False
    return words_before_value(folded, row.label.span[1], row.tokens[0].start)


def _thousands_space(text: str, tokens: list[Token], glues: bool) -> bool:
    """Two values one plain space (or another mark digit groups take, `GROUP_MARKS`) apart
    in a row whose other gaps are wider or other
    ("5 452\u3000\u300020992109", as printed: an ideographic space is another gap), or on a
    page that glues values, the second of exactly three digits: a thousands separator reads
    them as one number (5452), and the count then matches only through another fault (a
    value glued or lost), which part 二 has no identity to notice (rewrite hunts:
    synth-7922-0046, synth-8404-0048)."""
    gaps = [text[a.end : b.start] for a, b in itertools.pairwise(tokens)]
    for i, gap in enumerate(gaps):
        a, b = tokens[i], tokens[i + 1]
        numbers = a.kind is TokenKind.NUMBER and b.kind is TokenKind.NUMBER
        if gap not in GROUP_MARKS or not numbers:
            continue
        if digit_groups(a.text.strip(), b.text.strip()) and (glues or any(g != " " for g in gaps)):
            return True
    return False


def _below_an_empty_cell(folded: str, row: RowRead) -> bool:
    """A part-二 row whose label's line ends in an empty cell ("行政强制\t", "| 行政强制 |  |")
    and whose values stand on the lines after it: the cell's value wrapped, or a page number
    under a blank (synth-8160-0234: a page's "4" read as 行政强制's count, its cell printed
    empty; synth-8640-0073 the same in a markdown table)."""
    if row.label is None or not row.tokens or row.detached:
        return False
    end = row.label.span[1]
    line_end = folded.find("\n", end)
    if line_end < 0 or row.tokens[0].start < line_end:
        return False  # a value on the label's own line
    rest = folded[end:line_end]
    # a tab, or a markdown row's empty cell ("| 行政处罚 |  |": two pipes, nothing between)
    edges = "\t" in rest or rest.count("|") >= 2
    return edges and not rest.strip(" \t\u3000\xa0|")


def _glues(rows: list[RowRead]) -> bool:
    """A page that glues a row's values together (a run like "000" or "0114" somewhere)."""
    return any(t.kind is TokenKind.RUN for row in rows for t in row.tokens)
