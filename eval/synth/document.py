"""A report as blocks (headings, paragraphs, tables of label and value cells) before rendering.

Damage edits this structure (a label gets a line break, a value cell is dropped, a footer
row lands inside a table); a renderer then prints it in one of the real-world shapes. Value
cells carry their canonical key so damage knows which gold cell it touches.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from nianbao.core.layout import Layout, RowRole
from nianbao.core.models import CellValue

# 第二十条 items under which part 二 prints its rows (the national template's captions).
T2_ARTICLE_ITEM = {
    "rules": "（一）",
    "normative": "（一）",
    "license": "（五）",
    "other_mgmt": "（五）",
    "penalty": "（六）",
    "coercion": "（六）",
    "fees": "（八）",
    "procurement": "（九）",
}
T3_NOTE = "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）"
APPLICANTS = "申请人情况"
LEGAL_PERSONS = "法人或其他组织"
INFO_CONTENT = "信息内容"
SUIT = "行政诉讼"


@dataclass
class Cell:
    """One printed cell; `key` is the canonical key when it prints a value."""

    text: str
    key: str | None = None
    doubled: bool = False  # the second print of a value printed twice (duplicated_values)


@dataclass
class Row:
    """A table row: label fragments (outermost first) then cells.

    kind: "data" (values), "header" (column labels in `cells`), "footer" (a page footer or
    page number that a layout tool left inside the table, text in `labels`), "label" (a row's
    labels printed away from its values, which follow as a "data" row without labels).
    """

    labels: list[str]
    cells: list[Cell] = field(default_factory=list)
    kind: str = "data"
    name: str = ""  # "t3.new", "t2.rules", "t4": which gold row it prints
    # parallel to labels: "merged" (a label spanning row groups, printed vertically in a
    # PDF), "group" (a group label such as （三）不予公开) or "row"
    label_roles: list[str] = field(default_factory=list)
    # a PDF cell's long label wrapped and centred around its values (pdf_text prints the
    # label over three lines, the values on the middle one)
    centred: bool = False


@dataclass
class Table:
    part: str  # "t2", "t3", "t4"
    rows: list[Row]


@dataclass
class Heading:
    numeral: str  # "一、"
    text: str  # "总体情况"


@dataclass
class Para:
    text: str


Block = Heading | Para | Table


@dataclass
class Document:
    title: str
    blocks: list[Block]
    keeps_empty_cells: bool = True  # False when the rendering loses an empty cell entirely
    lost: dict[str, CellValue] = field(default_factory=dict)  # printed values lost by damage

    def tables(self) -> list[Table]:
        return [b for b in self.blocks if isinstance(b, Table)]


def format_value(value: CellValue) -> str:
    """The plain printed form: "0", "1288", "373.9265", "-18"; "" for a blank cell."""
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return format(value, "f")
    return str(value)


def t2_table(layout: Layout, cells: dict[str, CellValue]) -> Table:
    rows: list[Row] = []
    last_header: tuple[str, tuple[str, ...]] | None = None
    for t2 in layout.t2_rows:
        item = T2_ARTICLE_ITEM.get(t2.name, "")
        header = (item, tuple(c.label for c in t2.columns))
        if header != last_header:
            rows.append(Row([f"第二十条第{item}项"], kind="header"))
            rows.append(Row([INFO_CONTENT], [Cell(c) for c in header[1]], kind="header"))
            last_header = header
        keys = [f"t2.{t2.name}.{c.name}" for c in t2.columns]
        values = [Cell(format_value(cells[k]), k) for k in keys]
        rows.append(Row([t2.label], values, name=f"t2.{t2.name}"))
    return Table("t2", rows)


def t3_table(layout: Layout, cells: dict[str, CellValue]) -> Table:
    columns = layout.t3_columns
    parts = [c.label for c in columns if c.name != "total"]
    total = next(c.label for c in columns if c.name == "total")
    rows = [
        Row([T3_NOTE, APPLICANTS], kind="header"),
        Row([], [Cell(parts[0]), Cell(LEGAL_PERSONS), Cell(total)], kind="header"),
        Row([], [Cell(p) for p in parts[1:]], kind="header"),
    ]
    results_label = next(r.group_label for r in layout.t3_rows if r.role is RowRole.RESULTS_TOTAL)
    seen_groups: set[str] = set()
    for t3 in layout.t3_rows:
        labels: list[str] = []
        roles: list[str] = []
        if t3.group_label and t3.group_label not in seen_groups:
            if results_label not in seen_groups and t3.role is RowRole.RESULT:
                labels.append(results_label or "")
                roles.append("merged")
                seen_groups.add(results_label or "")
            if t3.group_label != results_label:
                labels.append(t3.group_label)
                roles.append("group")
            seen_groups.add(t3.group_label)
        labels.append(t3.label)
        roles.append("row")
        keys = [f"t3.{t3.name}.{c.name}" for c in columns]
        values = [Cell(format_value(cells[k]), k) for k in keys]
        rows.append(Row(labels, values, name=f"t3.{t3.name}", label_roles=roles))
    return Table("t3", rows)


def t4_table(layout: Layout, cells: dict[str, CellValue]) -> Table:
    review, *suits = layout.t4_groups
    column_labels = [c.label for c in layout.t4_columns]
    rows = [
        Row([], [Cell(review.label), Cell(SUIT)], kind="header"),
        Row([], [Cell(s.label) for s in suits], kind="header"),
        Row([], [Cell(label) for _ in layout.t4_groups for label in column_labels], kind="header"),
    ]
    keys = [f"t4.{g.name}.{c.name}" for g in layout.t4_groups for c in layout.t4_columns]
    rows.append(Row([], [Cell(format_value(cells[k]), k) for k in keys], name="t4"))
    return Table("t4", rows)
