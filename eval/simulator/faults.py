"""Reading errors a real model makes, applied to a correct answer (a list of row objects).

Each row-level mode changes one thing and returns what it changed, as {cell key: (gold,
given)}, or None when the answer has nothing it applies to. Answer-level modes (a refusal,
broken or truncated JSON) replace the whole reply; `model.py` handles them.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from typing import Any

from eval.simulator.documents import SimDoc, core_label, printed

Row = dict[str, Any]
Changed = dict[str, tuple[Any, Any]]
Fault = Callable[[list[Row], SimDoc, random.Random], Changed | None]

META = ("row", "quote")


def _columns(row: Row) -> list[str]:
    return [k for k in row if k not in META]


def _key(row: Row, column: str) -> str:
    return f"{row['row']}.{column}"


def _printed_rows(rows: list[Row]) -> list[Row]:
    return [r for r in rows if any(r[c] is not None for c in _columns(r))]


def _set(row: Row, column: str, value: Any, changed: Changed) -> None:
    key = _key(row, column)
    gold = changed[key][0] if key in changed else row[column]
    changed[key] = (gold, value)
    row[column] = value


def set_one(options: list[tuple[Row, str, Any]], rng: random.Random) -> Changed | None:
    """One (row, column, value) of `options` set, and what changed; None when none applies."""
    if not options:
        return None
    row, col, value = rng.choice(options)
    changed: Changed = {}
    _set(row, col, value, changed)
    return changed


def set_row(row: Row, cols: list[str], new: list[Any]) -> Changed:
    """The row's columns `cols` set to `new`, and what changed."""
    changed: Changed = {}
    for col, value in zip(cols, new, strict=True):
        if value != row[col]:
            _set(row, col, value, changed)
    return changed


def shift(rows: list[Row], doc: SimDoc, rng: random.Random) -> Changed | None:
    """A row's values read one column to the right or left (a lost or extra cell)."""
    candidates = [r for r in _printed_rows(rows) if len(_columns(r)) >= 3]
    if not candidates:
        return None
    row = rng.choice(candidates)
    cols = _columns(row)
    old = [row[c] for c in cols]
    new = [None, *old[:-1]] if rng.random() < 0.5 else [*old[1:], None]
    if new == old:
        return None
    return set_row(row, cols, new)


def zero_blank(rows: list[Row], doc: SimDoc, rng: random.Random) -> Changed | None:
    """A printed 0 read as blank (null), or a blank cell read as 0."""
    zeros = [(r, c) for r in rows for c in _columns(r) if r[c] == 0]
    blanks = [(r, c) for r in _printed_rows(rows) for c in _columns(r) if r[c] is None]
    return set_one([(*x, None) for x in zeros] + [(*x, 0) for x in blanks], rng)


def swap_rows(rows: list[Row], doc: SimDoc, rng: random.Random) -> Changed | None:
    """Two rows' readings (numbers and quotes) exchanged; every sum still holds."""
    printed_rows = _printed_rows(rows)
    pairs = [
        (a, b)
        for i, a in enumerate(printed_rows)
        for b in printed_rows[i + 1 :]
        if _columns(a) == _columns(b) and [a[c] for c in _columns(a)] != [b[c] for c in _columns(b)]
    ]
    if not pairs:
        return None
    a, b = rng.choice(pairs)
    changed: Changed = {}
    va, vb = {c: a[c] for c in _columns(a)}, {c: b[c] for c in _columns(b)}
    for col in _columns(a):
        if va[col] != vb[col]:
            _set(a, col, vb[col], changed)
            _set(b, col, va[col], changed)
    a["quote"], b["quote"] = b["quote"], a["quote"]
    return changed


def hallucinate(rows: list[Row], doc: SimDoc, rng: random.Random) -> Changed | None:
    """A number made up for a cell the report leaves blank."""
    blanks = [(r, c) for r in rows for c in _columns(r) if r[c] is None]
    if not blanks:
        return None
    row, col = rng.choice(blanks)
    changed: Changed = {}
    value: Any = rng.randint(1, 30)
    if isinstance(next((row[c] for c in _columns(row) if row[c] is not None), 0), float):
        value = float(value)
    _set(row, col, value, changed)
    return changed


def adjusted_total(rows: list[Row], doc: SimDoc, rng: random.Random) -> Changed | None:
    """One cell misread and the row's total changed with it, so the row still adds up."""
    candidates = [
        r
        for r in _printed_rows(rows)
        if "total" in r and isinstance(r["total"], int) and len(_columns(r)) >= 3
    ]
    if not candidates:
        return None
    row = rng.choice(candidates)
    parts = [c for c in _columns(row) if c != "total" and isinstance(row[c], int)]
    if not parts:
        return None
    col = rng.choice(parts)
    delta = rng.randint(1, 9)
    changed: Changed = {}
    _set(row, col, row[col] + delta, changed)
    _set(row, "total", row["total"] + delta, changed)
    return changed


def misread_digit(rows: list[Row], doc: SimDoc, rng: random.Random) -> Changed | None:
    """One digit of one number misread (8 for 3, 1 for 7 ...)."""
    cells = [(r, c) for r in rows for c in _columns(r) if isinstance(r[c], int) and r[c] > 0]
    if not cells:
        return None
    row, col = rng.choice(cells)
    digits = list(str(row[col]))
    at = rng.randrange(len(digits))
    digits[at] = rng.choice([d for d in "0123456789" if d != digits[at]])
    value = int("".join(digits))
    changed: Changed = {}
    _set(row, col, value, changed)
    return changed


def fake_quote(rows: list[Row], doc: SimDoc, rng: random.Random) -> Changed | None:
    """Right numbers, but a quote the report does not print (paraphrased, not copied)."""
    printed_rows = _printed_rows(rows)
    if not printed_rows:
        return None
    row = rng.choice(printed_rows)
    label = core_label(doc.rows[row["row"]].label) if row["row"] in doc.rows else row["row"]
    numbers = "、".join(printed(row[c]) for c in _columns(row) if row[c] is not None)
    row["quote"] = f"据统计，{label}分别为{numbers}件。"
    return {}  # no value is wrong: a grounding check should still catch the quote


# name -> fault; the answer-level ones have no function (model.py builds their replies).
ROW_FAULTS: dict[str, Fault] = {
    "shift": shift,
    "zero_blank": zero_blank,
    "swap_rows": swap_rows,
    "hallucinate": hallucinate,
    "adjusted_total": adjusted_total,
    "misread_digit": misread_digit,
    "fake_quote": fake_quote,
}
REPLY_FAULTS = ("refusal", "broken_json", "truncated")
MODES: tuple[str, ...] = (*ROW_FAULTS, *REPLY_FAULTS)
