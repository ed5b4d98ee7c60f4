"""Line numbers a PDF extract or a listing put before every line, taken off.

Some converters (and legal-document PDFs) number each line: "47 行政许可", "48 \t0". Read as
they are, every line's number is one more value in whatever row the line belongs to, and a
row printed blank takes the next line's number as its value. The numbers are recognised by
their shape over the whole file, never line by line: most lines with text open with a number,
a space and more text, and those numbers only ever grow. Table values do neither (a line of
values that opens with a value is followed by lines whose first values go up and down).
"""

from __future__ import annotations

import re
from itertools import pairwise

# a line number, the spaces after it, and the line's own text (which may open with a tab)
_NUMBERED = re.compile(r"^[ \u3000]*(\d{1,6})[ \u3000]+(?=\S|\t)", re.M)
_MIN_LINES = 12  # fewer lines with text than this: too few to tell a numbering from values
_MIN_SHARE = 0.9  # the share of lines with text that must open with a number


def without_line_numbers(text: str) -> str:
    """`text` with each line's leading number taken off when the file numbers its lines."""
    lines = [line for line in text.split("\n") if line.strip()]
    if len(lines) < _MIN_LINES:
        return text
    numbered = list(_NUMBERED.finditer(text))
    if len(numbered) < _MIN_SHARE * len(lines):
        return text
    numbers = [int(m.group(1)) for m in numbered]
    if any(b <= a for a, b in pairwise(numbers)):
        return text
    return _NUMBERED.sub("", text)
