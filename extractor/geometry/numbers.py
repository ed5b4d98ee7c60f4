"""Is a positioned word a table value? Numbers, printed blanks, and OCR's digit confusions.

OCR reads 0 as O/o/〇/D, 1 as l/I/|, 5 as S, 8 as B inside numbers. A word made only of
digits and such look-alikes (with at least one real digit, or a lone look-alike where a
value belongs) is read as the number, and says it was repaired, so its cell's confidence
drops and the identities must confirm it.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from extractor.parser.tokens import FOLD
from rules.proving import DASHES_READ_AS_YI

NUMBER = re.compile(r"-?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?(?:万元|元|件|条|个|项|次)?")
BLANK_MARKS = frozenset({"—", "——", "-", "–", "/", "无", "－", "／", "―"})
PLACEHOLDER = "—"  # what an empty grid cell prints as in the built text (a printed blank)
UNREAD = "?"  # a cell with ink but no reading: not a value, not a blank
_CONFUSED = str.maketrans(
    {
        "O": "0",
        "o": "0",
        "〇": "0",
        "D": "0",
        "l": "1",
        "I": "1",
        "|": "1",
        "S": "5",
        "s": "5",
        "B": "8",
        "°": "0",
        "，": ",",
        "。": ".",
    }
)
# what typesetting and word processors print for a minus sign (U+2212, dashes, hyphens)
MINUS_SIGNS = frozenset("\u2212\u2013\u2014\u2010\u2011\ufe63\u2012")
_LOOKALIKE = re.compile(r"[\dOo〇D°lI|SsB,，.。]+")
_ROUND = frozenset("Oo〇。°")  # a lone round glyph where a value belongs: a 0


@dataclass(frozen=True, slots=True)
class Reading:
    """A value word's reading: the text to print in the cell, and whether it was repaired."""

    text: str
    blank: bool = False
    repaired: bool = False


def read_value(text: str, ocr: bool) -> Reading | None:
    """The word as a cell value, or None when it is not one (a label, prose)."""
    # full-width to ASCII only: a look-alike letter is repaired here, where it is noted
    word = text.strip().replace(" ", "").translate(FOLD)
    if not word:
        return None
    if len(word) > 1 and word[0] in MINUS_SIGNS and word[1].isdigit():
        word = "-" + word[1:]  # "−3", "–3": a typeset minus sign
    if word in BLANK_MARKS:
        return Reading(PLACEHOLDER if word != "无" else word, blank=True)
    if ocr and word in DASHES_READ_AS_YI:  # OCR's reading of a blank's "—" or "——"
        # kept as printed: the text parser folds it to the dash and proves the blank only
        # by identities that all hold (rules.proving.DASHES_READ_AS_YI), as a look-alike digit
        return Reading(word, blank=True)
    if NUMBER.fullmatch(word):
        return Reading(word)
    if ocr and word in _ROUND:
        return Reading("0", repaired=True)
    if not ocr or not _LOOKALIKE.fullmatch(word):
        return None
    digits = sum(c.isdigit() for c in word)
    if digits == 0 and len(word) > 1:
        return None  # "Il", "SB": more likely letters than a number
    fixed = word.translate(_CONFUSED).strip(",.")
    if fixed and NUMBER.fullmatch(fixed):
        return Reading(fixed, repaired=True)
    return None


def digit_class(char: str) -> str | None:
    """The digit (or "," or ".") a recogniser's character stands for in a number: "0" for
    0, O, o, 〇, D and their full-width forms; None for any other character."""
    folded = unicodedata.normalize("NFKC", char).translate(_CONFUSED)
    return folded if len(folded) == 1 and folded in "0123456789,." else None
