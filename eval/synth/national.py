"""The national tables as they are printed: each table a list of rows, each row the cells it
prints with their spans. The printed page (`eval.synth.paper`, HTML for Chromium) and the
Word file (`eval.synth.word`, python-docx) both walk these, so the two renderings keep one
shape: part 三's three header rows, the vertical results label, the merged group labels.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from decimal import Decimal

from nianbao.core.layout import RowRole
from nianbao.core.models import CanonicalReport, CellValue

RESULTS = "三、本年度办理结果"
NOTE = "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）"


@dataclass(frozen=True)
class Spec:
    """One printed cell: its text, how many grid columns/rows it covers, and for the page
    its tag and style class ("l" a label set left, "v" the vertical results label)."""

    text: str
    colspan: int = 1
    rowspan: int = 1
    css: str = ""
    tag: str = "td"


def value_text(value: CellValue) -> str:
    if value is None:
        return ""
    return format(value, "f") if isinstance(value, Decimal) else str(value)


def values(report: CanonicalReport, keys: list[str]) -> list[Spec]:
    return [Spec(value_text(report.cells[k])) for k in keys]


def t2_tables(report: CanonicalReport) -> list[list[list[Spec]]]:
    """Part 二: one table per run of rows sharing a header, as in the printed page."""
    tables: list[list[list[Spec]]] = []
    header: tuple[str, ...] | None = None
    for row in report.layout.t2_rows:
        labels = tuple(c.label for c in row.columns)
        if labels != header:
            tables.append([[Spec("信息内容", tag="th"), *(Spec(lab, tag="th") for lab in labels)]])
            header = labels
        keys = [f"t2.{row.name}.{c.name}" for c in row.columns]
        tables[-1].append([Spec(row.label, css="l"), *values(report, keys)])
    return tables


def t3_table(report: CanonicalReport) -> list[list[Spec]]:
    """Part 三: the three merged header rows, the vertical results label, group labels."""
    layout = report.layout
    cols = layout.t3_columns
    parts = [c.label for c in cols if c.name != "total"]
    rows: list[list[Spec]] = [
        [Spec(NOTE, colspan=3, rowspan=3), Spec("申请人情况", colspan=7)],
        [Spec(parts[0], rowspan=2), Spec("法人或其他组织", colspan=5), Spec("总计", rowspan=2)],
        [Spec(p) for p in parts[1:]],
    ]
    t3_rows = layout.t3_rows
    results = [r for r in t3_rows if r.role in (RowRole.RESULT, RowRole.RESULTS_TOTAL)]
    group_sizes: dict[str, int] = {}
    for r in t3_rows:  # the 2019 layout names the results label as its rows' group: not one
        if r.group_label and r.role is RowRole.RESULT and r.group_label != RESULTS:
            group_sizes[r.group_label] = group_sizes.get(r.group_label, 0) + 1
    seen: set[str] = set()
    for r in t3_rows:
        cells = values(report, [f"t3.{r.name}.{c.name}" for c in cols])
        if r.role not in (RowRole.RESULT, RowRole.RESULTS_TOTAL):
            rows.append([Spec(r.label, colspan=3, css="l"), *cells])
            continue
        head: list[Spec] = []
        if r is results[0]:
            head.append(Spec(RESULTS, rowspan=len(results), css="v"))
        group = r.group_label if r.role is RowRole.RESULT and r.group_label != RESULTS else None
        if group and group_sizes.get(group, 0) > 1:
            if group not in seen:
                seen.add(group)
                head.append(Spec(group, rowspan=group_sizes[group], css="l"))
            head.append(Spec(r.label, css="l"))
        else:
            head.append(Spec(r.label, colspan=2, css="l"))
        rows.append([*head, *cells])
    return rows


def t4_table(report: CanonicalReport) -> list[list[Spec]]:
    """Part 四: 行政复议 and 行政诉讼 over their groups, one row of values."""
    layout = report.layout
    review, *suits = layout.t4_groups
    n = len(layout.t4_columns)
    labels = [c.label for c in layout.t4_columns]
    keys = [f"t4.{g.name}.{c.name}" for g in layout.t4_groups for c in layout.t4_columns]
    return [
        [Spec(review.label, colspan=n, rowspan=2), Spec("行政诉讼", colspan=n * len(suits))],
        [Spec(s.label, colspan=n) for s in suits],
        [Spec(label) for _ in layout.t4_groups for label in labels],
        values(report, keys),
    ]


def html_table(rows: list[list[Spec]]) -> str:
    """One table as HTML: each spec a cell with its spans and class."""
    out = ["<table>"]
    for row in rows:
        out.append("<tr>")
        for s in row:
            attrs = f" class={s.css}" if s.css else ""
            attrs += f" colspan={s.colspan}" if s.colspan > 1 else ""
            attrs += f" rowspan={s.rowspan}" if s.rowspan > 1 else ""
            out.append(f"<{s.tag}{attrs}>{html.escape(s.text, quote=False)}</{s.tag}>")
        out.append("</tr>")
    out.append("</table>")
    return "".join(out)
