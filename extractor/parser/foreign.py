"""Rows the national layout does not have: a line of them ends the row printed before it.

Bodies add rows of their own to the national tables: a part-二 row "行政确认 5" after 行政许可,
a breakdown line "其中：网上申请 5 0 0 0 0 0 5" under 本年新收. Their labels match no row of
the layout, so the row before them took their values as its own (two values for one cell, a
row of seven printed twice). A line inside a row's segment, after its label, that opens with
two or more Chinese characters close to no label of either layout and then values ends that
row's segment. A label's own words wrapped onto the values' line ("府信息公开申请 0 0 0",
"当理由大 0 — 0") are close to a label and stay; a line of one character (a label printed
down the page) says nothing; page furniture ("第 3 页") is the tokenizer's to drop.
"""

from __future__ import annotations

import re
from functools import lru_cache

from rapidfuzz import fuzz

from extractor.parser.labels import every_label_key, label_key
from extractor.parser.rowread import RowRead
from extractor.parser.tokens import SIGN_WORDS, on_furniture_line

# a line opening with words, then (after separators, a colon) a value: "其中：网上申请 5 …",
# "| 行政确认 | 5 |"
_WORDS_THEN_VALUE = re.compile(
    r"[ \t\u3000|]*((?:[\u4e00-\u9fff（）()：:、“”\"]|[ \u3000](?=[\u4e00-\u9fff]))+)"
    r"[ \t\u3000|:：]*-?\d"
)
_SIGN_WORD = re.compile(f"(?:{SIGN_WORDS})+")
KNOWN_SCORE = 80.0  # a line's words this close to a label's are that label's (wrapped, OCR'd)
MIN_WORDS = 2
MAX_LINES = 64


@lru_cache(maxsize=4096)
def is_known_words(words: str) -> bool:
    """Words that are (part of) a label of the layout, maybe OCR'd: contained in one, one
    character in four misread from a stretch of one ("予以公幵", "止么开", "总汁"), or close
    to one; or a change's sign word ("增加 9")."""
    if _SIGN_WORD.fullmatch(words):
        return True
    if len(words) > max(map(len, every_label_key())):
        return False  # longer than any label: prose, no label's words
    misread = max(1, len(words) // 4)
    for key in every_label_key():
        if words in key or key in words:
            return True
        if any(
            sum(a != b for a, b in zip(words, key[i : i + len(words)], strict=True)) <= misread
            for i in range(len(key) - len(words) + 1)
        ):
            return True
        if fuzz.partial_ratio(words, key) >= KNOWN_SCORE:
            return True
    return False


def foreign_row_at(folded: str, start: int, end: int) -> int | None:
    """Where the first line in folded[start:end] opening with a foreign row's label starts
    (among the first MAX_LINES: a row's values take a few lines; a segment of thousands is
    no row, and other bounds refuse it)."""
    at = folded.find("\n", start)
    for _ in range(MAX_LINES):
        if not 0 <= at < end:
            break
        line_start = at + 1
        m = _WORDS_THEN_VALUE.match(folded, line_start, end)
        if m is not None and not on_furniture_line(folded, line_start):
            words = label_key(m.group(1).strip())  # its numbering ("（七）") is no word
            if len(words) >= MIN_WORDS and not is_known_words(words):
                return line_start
        at = folded.find("\n", line_start)
    return None


def end_at_foreign_rows(folded: str, rows: list[RowRead]) -> None:
    """Each row's segment ends (in place) at a line holding a row the layout does not have."""
    for row in rows:
        if row.label is None or row.segment is None:
            continue
        a, b = row.segment
        stop = foreign_row_at(folded, max(a, row.label.span[1]), b)
        if stop is not None:
            row.segment = (a, stop)
