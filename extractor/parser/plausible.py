"""A row whose reading holds a count no office reports: its values are not what they seem.

A flattened page glues a row's values into one digit string ("规范性文件45616394391" for
456, 1639, 4391); when the labels of the rows after it are not found (a PDF's Kangxi
radicals, OCR), their values join its segment and the token count can match the row's cells
by chance, so the row reads "directly": one 11-digit count and two of another row's values.
No information-disclosure count comes near 10^8 (a province's penalty decisions run to
millions), so such a token marks every cell of its row as doubtful. Amounts (万元, or 元
before conversion) are not bounded here.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Sequence

from extractor.parser.tokens import NOTE_NEXT, SIGN_WORDS, Token, TokenKind
from nianbao.core.layout import LAYOUTS, T3_COLUMNS, ValueKind

MAX_COUNT = 10**8  # a count this large or more is glued digits, never one value
IMPLAUSIBLE = (
    "a count of more digits than any report prints: values glued together, "
    "or another row's among the row's"
)


def implausible_row(tokens: Sequence[Token], kinds: Sequence[ValueKind]) -> bool:
    """A count or change cell of the row would take a value of MAX_COUNT or more."""
    return any(
        token.kind is TokenKind.NUMBER
        and kind is not ValueKind.AMOUNT
        and isinstance(token.value, int)
        and abs(token.value) >= MAX_COUNT
        for token, kind in zip(tokens, kinds, strict=False)
    )


# What may stand between two values of one row on a line: a measure word or unit, a sign
# word, a blank's 无, a page footer; a longer Chinese word there is another row's label the
# parser did not find ("…420199⾏政处罚1700…" with 行 printed as a Kangxi radical)
_CELL_WORDS = re.compile(
    rf"万元|元|{SIGN_WORDS}|第[ \t]*\d+[ \t]*页|共[ \t]*\d+[ \t]*页|[件条个项次无]"
)
_WORD = re.compile(r"[\u4e00-\u9fff]{2,}")
WORDS_BETWEEN = (
    "Chinese words between the row's values on one line: another row's label, not found, "
    "with its values among the row's"
)


def has_word(gap: str) -> bool:
    """A Chinese word of two or more characters that is no cell's unit, sign or footer."""
    return bool(_WORD.search(_CELL_WORDS.sub(" ", gap)))


# what a row may print between its label and its first value: a column header (a layout's
# header words, "单位"), a bracketed note ("（单位：万元）")
T3_HEADER_WORDS = frozenset(w for c in T3_COLUMNS for w in (c.label, *c.aliases))
_HEADER_WORDS = {
    *(c.label for layout in LAYOUTS.values() for row in layout.t2_rows for c in row.columns),
    *T3_HEADER_WORDS,
    "单位",
}
_HEADERS = re.compile("|".join(map(re.escape, sorted(_HEADER_WORDS, key=len, reverse=True))))
_NOTE = re.compile(r"[（(][^（）()]*[）)]")
WORDS_BEFORE_VALUE = (
    "Chinese words between the row's label and its first value: the label of a row not "
    "found (misread), whose value this may be"
)


def words_before_value(text: str, label_end: int, value_start: int) -> bool:
    """A Chinese word that is no header, note, unit or sign between a row's label and its
    first value ("行政处罚行攻强制5,851": the next row's label misread past finding, the
    value its own and this row's lost; synth-8303-0250)."""
    if value_start <= label_end:
        return False
    return has_word(_HEADERS.sub(" ", _NOTE.sub(" ", text[label_end:value_start])))


def words_between(text: str, tokens: Sequence[Token]) -> bool:
    """Two consecutive values of the row have a Chinese word of two or more characters
    between them on the same line."""
    for left, right in itertools.pairwise(tokens):
        gap = text[left.end : right.start]
        if "\n" in gap or not gap.strip():
            continue
        # a note right after a value ("22（其中修订 16 件） 55"): its words are the value's
        note = NOTE_NEXT.match(gap)
        if has_word(gap[note.end() :] if note else gap):
            return True
    return False
