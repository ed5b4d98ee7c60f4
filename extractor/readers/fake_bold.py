"""Text copied from a PDF whose bold is drawn twice ("fake bold"): every character doubled.

A PDF viewer or text extractor that does not drop overprinted glyphs gives "1122" for a
bold 12 and "政政府府" for 政府. Read as it is, a part 二 value "9" becomes 99 with no identity
to catch it, and doubled labels match nothing. A text is taken for doubled only when every
one of its numbers (or nearly all of its Chinese) is printed that way: in a plain report a
single-digit number, or any label, breaks the pattern at once, so nothing else is touched.
Numbers and Chinese are judged apart: a PDF may draw only its table's values in bold.
"""

from __future__ import annotations

import itertools
import re

MIN_NUMBERS = 20  # numbers seen before a text is judged doubled: a report's tables hold 200
MIN_CJK_RUNS = 50
CJK_SHARE = 0.95  # of Chinese characters inside doubled runs (a stray 1-char word aside)

_DIGITS = re.compile(r"[0-9０-９]+")
# a decimal point or thousands comma between undoubled digits, printed twice or once
_POINT = re.compile(r"(?<=[0-9０-９])([.,])\1(?=[0-9０-９])")
_CJK_RUN = re.compile(r"[\u4e00-\u9fff]+")


def _doubled(run: str) -> bool:
    return len(run) % 2 == 0 and run[0::2] == run[1::2]


def _all_numbers_doubled(text: str) -> bool:
    seen = 0
    for m in _DIGITS.finditer(text):  # a plain text fails at its first number, mostly
        if not _doubled(m.group(0)):
            return False
        seen += 1
    return seen >= MIN_NUMBERS


def _chinese_doubled(text: str) -> bool:
    first = [m.group(0) for m in itertools.islice(_CJK_RUN.finditer(text), 20)]
    if sum(_doubled(r) for r in first if len(r) >= 2) < len(first) // 2:
        return False  # a plain text: its first words are not doubled
    runs = _CJK_RUN.findall(text)
    if len(runs) < MIN_CJK_RUNS:
        return False
    doubled = sum(len(r) for r in runs if len(r) >= 2 and _doubled(r))
    return doubled >= CJK_SHARE * sum(len(r) for r in runs)


def undoubled(text: str) -> str:
    """`text` with its fake-bold doubling undone, where the whole text shows it."""
    if _all_numbers_doubled(text):
        text = _POINT.sub(r"\1", _DIGITS.sub(lambda m: m.group(0)[0::2], text))
    if _chinese_doubled(text):
        text = _CJK_RUN.sub(
            lambda m: m.group(0)[0::2] if _doubled(m.group(0)) else m.group(0), text
        )
    return text
