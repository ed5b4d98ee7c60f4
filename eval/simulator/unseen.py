"""More reading errors a real model makes, kept apart from the ten the LLM path was built
against (`faults.py`): they test that the checks are general, not tuned to those ten.

Each has the signature of a row fault (`faults.Fault`): it spoils a correct answer in place
and returns {cell key: (gold, given)}, or None when nothing in the answer fits.
"""

from __future__ import annotations

import random
from itertools import pairwise
from typing import Any

from eval.simulator.faults import Changed, Row, _columns, _printed_rows, _set, set_one, set_row


def _numbers(rows: list[Row]) -> list[tuple[Row, str]]:
    return [
        (r, c)
        for r in rows
        for c in _columns(r)
        if isinstance(r[c], (int, float)) and not isinstance(r[c], bool)
    ]


def transpose(rows: list[Row], doc: Any, rng: random.Random) -> Changed | None:
    """Two neighbouring digits of a number exchanged (12 -> 21)."""
    cells = []
    for r, c in _numbers(rows):
        digits = str(abs(int(r[c]))) if isinstance(r[c], int) else ""
        spots = [i for i in range(len(digits) - 1) if digits[i] != digits[i + 1]]
        if spots and not (len(digits) == 2 and digits[1] == "0"):  # 10 -> 01 is no number
            cells.append((r, c, digits, spots))
    if not cells:
        return None
    row, col, digits, spots = rng.choice(cells)
    at = rng.choice(spots)
    swapped = digits[:at] + digits[at + 1] + digits[at] + digits[at + 2 :]
    value = int(swapped) * (-1 if row[col] < 0 else 1)
    changed: Changed = {}
    _set(row, col, value, changed)
    return changed


def copy_previous(rows: list[Row], doc: Any, rng: random.Random) -> Changed | None:
    """A row answered with the row above's values; its own quote copied right."""
    pairs = [
        (a, b)
        for a, b in pairwise(rows)
        if _columns(a) == _columns(b)
        and any(b[c] is not None for c in _columns(b))
        and [a[c] for c in _columns(a)] != [b[c] for c in _columns(b)]
    ]
    if not pairs:
        return None
    above, row = rng.choice(pairs)
    changed: Changed = {}
    for col in _columns(row):
        if row[col] != above[col]:
            _set(row, col, above[col], changed)
    return changed


def neighbour_cell(rows: list[Row], doc: Any, rng: random.Random) -> Changed | None:
    """One cell's value taken from the row above or below, same column."""
    options = []
    for i, row in enumerate(rows):
        for j in (i - 1, i + 1):
            if 0 <= j < len(rows) and _columns(rows[j]) == _columns(row):
                for col in _columns(row):
                    if row[col] is not None and rows[j][col] not in (None, row[col]):
                        options.append((row, col, rows[j][col]))
    return set_one(options, rng)


def sign_dropped(rows: list[Row], doc: Any, rng: random.Random) -> Changed | None:
    """A decrease (本年增/减 printed with a minus) read as an increase."""
    return set_one([(r, c, -r[c]) for r, c in _numbers(rows) if r[c] < 0], rng)


def unit_scale(rows: list[Row], doc: Any, rng: random.Random) -> Changed | None:
    """An amount answered in the wrong unit: 元 as 万元 or 万元 as 元 (x or / 10000)."""
    cells = [(r, c) for r, c in _numbers(rows) if isinstance(r[c], float) and r[c] != 0]
    if not cells:
        return None
    row, col = rng.choice(cells)
    value = row[col] * 10000 if rng.random() < 0.5 else round(row[col] / 10000, 8)
    changed: Changed = {}
    _set(row, col, value, changed)
    return changed


def zero_row(rows: list[Row], doc: Any, rng: random.Random) -> Changed | None:
    """A whole printed row answered as zeros (the model gave up on reading it)."""
    candidates = [r for r in _printed_rows(rows) if any(r[c] for c in _columns(r))]
    if not candidates:
        return None
    row = rng.choice(candidates)
    zero: Any = 0
    changed: Changed = {}
    for col in _columns(row):
        zero = 0.0 if isinstance(row[col], float) else 0
        if row[col] != zero:
            _set(row, col, zero, changed)
    return changed


def split_thousands(rows: list[Row], doc: Any, rng: random.Random) -> Changed | None:
    """A number with a thousands separator read as two (1,664 -> 1 and 664); the row's
    later values move one column right and the last one falls off."""
    candidates = []
    for row in rows:
        cols = _columns(row)
        for i, col in enumerate(cols[:-1]):
            if isinstance(row[col], int) and row[col] >= 1000:
                candidates.append((row, i))
    if not candidates:
        return None
    row, i = rng.choice(candidates)
    cols = _columns(row)
    old = [row[c] for c in cols]
    head, tail = divmod(old[i], 1000)
    new = [*old[:i], head, tail, *old[i + 1 : -1]]
    return set_row(row, cols, new)


def blanks_as_zero(rows: list[Row], doc: Any, rng: random.Random) -> Changed | None:
    """Every blank of a row that prints blanks answered as 0."""
    candidates = [r for r in _printed_rows(rows) if any(r[c] is None for c in _columns(r))]
    if not candidates:
        return None
    row = rng.choice(candidates)
    changed: Changed = {}
    for col in _columns(row):
        if row[col] is None:
            _set(row, col, 0, changed)
    return changed


def same_label_elsewhere(rows: list[Row], doc: Any, rng: random.Random) -> Changed | None:
    """The row's quote copied right, its values from another stretch of the report that
    prints the same words (a narrative sentence, an earlier year): here, another row's
    values of the same shape with every number moved by a little."""
    candidates = [r for r in _printed_rows(rows) if sum(1 for c in _columns(r) if r[c]) >= 1]
    if not candidates:
        return None
    row = rng.choice(candidates)
    changed: Changed = {}
    for col in _columns(row):
        value = row[col]
        if isinstance(value, int) and value > 0:
            step = rng.randint(1, max(1, value // 3))
            _set(row, col, value + rng.choice((-1, 1)) * step, changed)
    return changed or None


UNSEEN_FAULTS = {
    "transpose": transpose,
    "copy_previous": copy_previous,
    "neighbour_cell": neighbour_cell,
    "sign_dropped": sign_dropped,
    "unit_scale": unit_scale,
    "zero_row": zero_row,
    "split_thousands": split_thousands,
    "blanks_as_zero": blanks_as_zero,
    "same_label_elsewhere": same_label_elsewhere,
}
