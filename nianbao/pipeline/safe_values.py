"""Values as the export formats write them: no text a spreadsheet would run, no lost digits.

Organ names, file names, snippets and errors come from files nobody checked. A spreadsheet
evaluates a field that starts with `=`, `+`, `-` or `@` (and tab / CR, which Excel skips
before looking) as a formula: `=HYPERLINK(...)` becomes a live link, `@SUM(...)|cmd` worse.
CSV has no types, so such text gets OWASP's leading `'`; XLSX has them, so text is written
as a string cell (never a formula) with Excel's quote prefix. Numbers are never touched.
Amounts are `Decimal`s: JSON gets their exact text, XLSX a number only when a double holds
every printed digit (otherwise the exact text).
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

FORMULA_LEADS = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"[+-]?\d+(?:\.\d+)?")


def is_number_literal(text: str) -> bool:
    """True for text a spreadsheet reads as a plain number ("-2", "373.9265"), not a formula."""
    return _NUMBER.fullmatch(text) is not None


def is_formula_like(text: str) -> bool:
    """True for text a spreadsheet would evaluate (or could, once edited)."""
    return text.startswith(FORMULA_LEADS) and not is_number_literal(text)


def csv_field(value: Any) -> str:
    """One CSV field: numbers as printed, formula-like text behind a `'` (OWASP)."""
    if value is None:
        return ""
    text = str(value)
    if isinstance(value, str) and is_formula_like(text):
        return "'" + text
    return text


def json_value(value: Any) -> Any:
    """One JSON value: an amount as its exact decimal text (a JSON float would round it)."""
    if isinstance(value, Decimal):
        return str(value)
    return value


def exact_float(value: Decimal) -> float | None:
    """The amount as a float when the float prints back every digit, else None."""
    as_float = float(value)
    return as_float if Decimal(repr(as_float)) == value else None


def xlsx_cell(sheet: Any, value: Any) -> Any:
    """One write-only XLSX cell: text is always a string cell, numbers stay numbers."""
    from openpyxl.cell import WriteOnlyCell

    if isinstance(value, Decimal):
        as_float = exact_float(value)
        value = as_float if as_float is not None else str(value)
    cell = WriteOnlyCell(sheet, value=value)
    if isinstance(value, str):
        cell.data_type = "s"  # openpyxl would make "=..." a formula
        if value.startswith(FORMULA_LEADS):
            cell.quotePrefix = True  # and Excel would, once the cell is edited
    return cell
