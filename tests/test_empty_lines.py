"""Empty cells of a table printed one cell per line: an empty line (or paragraph) where the
table's own spacing puts a cell (extractor.parser.emptylines)."""

from __future__ import annotations

from extractor.parser.emptylines import empty_cells_between
from extractor.parser.rowlines import printed_rows
from extractor.parser.tokens import Token, TokenKind, fold, tokenize


def _tokens(text: str) -> tuple[str, list[Token]]:
    folded = fold(text)
    return folded, tokenize(folded, 0, len(folded))


def test_an_extra_empty_paragraph_in_a_column_of_values_is_an_empty_cell() -> None:
    # three rows (a part, a part, their sum) printed column by column, one value a
    # paragraph, the second row's middle cell empty: "2", an empty paragraph, "5"
    folded, tokens = _tokens("1\n\n0\n\n4\n\n2\n\n\n\n5\n\n3\n\n0\n\n9\n")
    assert len(tokens) == 8
    cells = empty_cells_between(folded, tokens)
    assert [t.kind for t in cells].count(TokenKind.BLANK) == 1
    blank = next(t for t in cells if t.kind is TokenKind.BLANK)
    assert blank.empty_line and folded[blank.start : blank.end] == "\n"
    rows = printed_rows(folded, tokens, 3)
    assert [[t.value for t in row] for row in rows] == [[1, 2, 3], [0, None, 0], [4, 5, 9]]


def test_spacing_that_is_no_whole_number_of_cells_proves_no_empty_cell() -> None:
    # values a paragraph apart, one gap three lines: no whole cell, the tokens stay as read
    folded, tokens = _tokens("1\n\n0\n\n\n4\n\n2\n")
    assert empty_cells_between(folded, tokens) == tokens
    # text between two values (a page number's line) is no empty cell either
    folded, tokens = _tokens("1\n\n0\n- 4 -\n\n\n4\n\n2\n")
    assert all(t.kind is not TokenKind.BLANK for t in empty_cells_between(folded, tokens))
