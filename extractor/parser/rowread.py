"""One printed row as the parser finds it: which layout row, its label, its value tokens."""

from __future__ import annotations

from dataclasses import dataclass, field

from extractor.parser.labels import LabelMatch
from extractor.parser.tokens import Token


@dataclass
class RowRead:
    """One printed row: which layout row, where its label is, its value tokens."""

    part: str  # "t2", "t3", "t4"
    row: str  # layout row name ("new", "denied.state_secret", "license"); "all" for t4
    columns: tuple[str, ...]
    label: LabelMatch | None = None
    segment: tuple[int, int] | None = None  # source span searched for values
    tokens: list[Token] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    merged: tuple[str, ...] = ()  # a group printed as one row: the layout rows it stands for
    detached: bool = False  # values printed apart from the label, placed here by order
    unit: str | None = None  # "元" / "万元" when the column header above says so
    # a row the report does not print: the source span where it would stand, in
    # which nothing is printed (`extractor.parser.absent`)
    absent: tuple[int, int] | None = None
    # its label not found, but words like it printed where it stands (between the found
    # rows around it): a row in the printed order (`rowlines.rebalance_stacked_rows`)
    misread: bool = False
