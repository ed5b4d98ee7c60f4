"""Cell values to and from their stored text: exact for amounts, typed by the layout."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from nianbao.core.layout import ValueKind, layout_for
from nianbao.core.models import CellValue


def encode(value: CellValue) -> str | None:
    """8 -> "8", Decimal("373.9265") -> "373.9265", None -> None."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, Decimal)):
        raise TypeError(f"not a cell value: {value!r}")
    return str(value)


def decode(template: str, key: str, text: str | None) -> CellValue:
    """The stored text back as the layout's type (int for counts, Decimal for amounts)."""
    if text is None:
        return None
    if layout_for(template).spec(key).kind is ValueKind.AMOUNT:
        return Decimal(text)
    return int(text)


# What a reviewer may type for "no value": the spec's blank marks, in either script.
NULL_WORDS = frozenset({"", "null", "none", "空", "—", "-", "/", "无"})


def parse_input(template: str, key: str, raw: object) -> CellValue:
    """A reviewer's typed value as the cell's type; ValueError with a readable reason."""
    if raw is None:
        return None
    text = str(raw).strip().replace(",", "").replace("，", "")
    if text.lower() in NULL_WORDS:
        return None
    kind = layout_for(template).spec(key).kind
    try:
        number = Decimal(text)
    except InvalidOperation:
        raise ValueError(f"{key}: {raw!r} is not a number") from None
    if not number.is_finite():
        raise ValueError(f"{key}: {raw!r} is not a number")
    if kind is ValueKind.AMOUNT:
        return number
    if number != number.to_integral_value():
        raise ValueError(f"{key}: a count must be a whole number")
    return int(number)
