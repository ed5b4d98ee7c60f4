"""A Markdown table's lines as cells: one reading of "| a | b |" and of its rule line."""

from __future__ import annotations

import re

_RULE_CELL = re.compile(r":?-{3,}:?")


def pipe_cells(line: str) -> list[str] | None:
    """The stripped cells of a pipe row ("| 规章 | 0 |"), or None for a line that is none."""
    stripped = line.strip()
    if not stripped.startswith("|") or stripped.count("|") < 3:
        return None
    return [cell.strip() for cell in stripped.strip("|").split("|")]


def is_rule_cell(cell: str) -> bool:
    return _RULE_CELL.fullmatch(cell) is not None


def is_rule_line(cells: list[str]) -> bool:
    """The rule under a header ("|---|:---:|"), an empty cell after it or not."""
    return any(map(is_rule_cell, cells)) and all(is_rule_cell(c) or not c for c in cells)
