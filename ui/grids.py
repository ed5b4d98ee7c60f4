"""Parts 二, 三 and 四 as HTML tables laid out like the printed ones, generated from the layout.

Every label comes from `nianbao.core.layout` and every piece of text is escaped, so a label or
value can never become markup. Each value cell carries its canonical key (`data-key`) and its
status class; the selected cell and row are outlined.
"""

from __future__ import annotations

from collections.abc import Mapping
from contextvars import ContextVar
from dataclasses import dataclass
from html import escape

from nianbao.core.layout import Column, Layout, layout_for
from nianbao.core.models import CellValue
from rules.proof import ProofLevel
from rules.proving import LEVEL_LABELS
from ui.proof_view import proof_mark
from ui.status import STYLES, CellStatus

PART_TITLES = {
    "t2": "二、主动公开政府信息情况",
    "t3": "三、收到和处理政府信息公开申请情况",
    "t4": "四、政府信息公开行政复议、行政诉讼情况",
}
# The printed part-三 header groups the five organisation columns under one label that the
# layout does not name (it is a header, not a cell): the columns between 自然人 and 总计.
T3_ORG_HEADER = "法人或其他组织"
T3_APPLICANT_HEADER = "申请人情况"
# Likewise part 四 prints 行政诉讼 over its two suit groups (the layout's `suit_*` groups).
T4_SUIT_HEADER = "行政诉讼"
T4_SUIT_PREFIX = "suit_"


@dataclass(frozen=True)
class Selection:
    """What the reviewer is looking at: one cell, and so its row."""

    key: str | None = None

    @property
    def row_prefix(self) -> str | None:
        return self.key.rsplit(".", 1)[0] + "." if self.key else None


def _fmt(value: CellValue) -> str:
    return "" if value is None else str(value)


# The proof level of each cell of the part being drawn: set by `part_html` for its one call,
# so the three part builders keep their signatures.
_PROOF: ContextVar[Mapping[str, ProofLevel] | None] = ContextVar("nb_proof", default=None)


def _td(
    key: str,
    values: Mapping[str, CellValue],
    statuses: Mapping[str, CellStatus],
    sel: Selection,
) -> str:
    status = statuses.get(key, CellStatus.VERIFIED)
    level = (_PROOF.get() or {}).get(key)
    classes = [f"nb-cell nb-{status.value}"]
    if sel.key == key:
        classes.append("nb-selected")
    elif sel.row_prefix and key.startswith(sel.row_prefix):
        classes.append("nb-row")
    title = f"{key} · {STYLES[status].label}"
    if level is not None:
        title += f" · proof: {LEVEL_LABELS[level]}"
    proof = f' data-proof="{level.value}"' if level is not None else ""
    return (
        f'<td class="{" ".join(classes)}" data-key="{escape(key)}"{proof} '
        f'title="{escape(title)}">{escape(_fmt(values.get(key)))}{proof_mark(level)}</td>'
    )


def _th(text: str, colspan: int = 1, rowspan: int = 1, cls: str = "") -> str:
    span = (f' colspan="{colspan}"' if colspan > 1 else "") + (
        f' rowspan="{rowspan}"' if rowspan > 1 else ""
    )
    klass = f' class="{cls}"' if cls else ""
    return f"<th{span}{klass}>{escape(text)}</th>"


def t2_html(
    layout: Layout,
    values: Mapping[str, CellValue],
    statuses: Mapping[str, CellStatus],
    sel: Selection,
) -> str:
    """Part 二: one block per run of rows sharing the same columns, each with its header."""
    blocks: list[tuple[tuple[Column, ...], list]] = []
    for row in layout.t2_rows:
        if blocks and blocks[-1][0] == row.columns:
            blocks[-1][1].append(row)
        else:
            blocks.append((row.columns, [row]))
    width = max(len(cols) for cols, _ in blocks)
    out = ['<table class="nb-grid nb-t2">']
    for cols, rows in blocks:
        head = [_th("信息内容", cls="nb-label")]
        head += [_th(c.label, colspan=_spread(i, len(cols), width)) for i, c in enumerate(cols)]
        out.append("<tr>" + "".join(head) + "</tr>")
        for row in rows:
            tds = [_th(row.label, cls="nb-label")]
            for i, col in enumerate(cols):
                cell = _td(f"t2.{row.name}.{col.name}", values, statuses, sel)
                span = _spread(i, len(cols), width)
                tds.append(cell.replace("<td ", f'<td colspan="{span}" ', 1) if span > 1 else cell)
            out.append("<tr>" + "".join(tds) + "</tr>")
    out.append("</table>")
    return "\n".join(out)


def _spread(i: int, n: int, width: int) -> int:
    """Colspan of column i of n so that every block fills `width` columns."""
    return width - (n - 1) if i == n - 1 else 1


def t3_html(
    layout: Layout,
    values: Mapping[str, CellValue],
    statuses: Mapping[str, CellStatus],
    sel: Selection,
) -> str:
    """Part 三: two label columns (merged group label, row label), the 7 applicant columns."""
    cols = layout.t3_columns
    first, middle, last = cols[0], cols[1:-1], cols[-1]
    out = ['<table class="nb-grid nb-t3">']
    out.append(
        "<tr>"
        + _th("", colspan=2, rowspan=3, cls="nb-label")
        + _th(T3_APPLICANT_HEADER, colspan=len(cols))
        + "</tr>"
    )
    out.append(
        "<tr>"
        + _th(first.label, rowspan=2)
        + _th(T3_ORG_HEADER, colspan=len(middle))
        + _th(last.label, rowspan=2)
        + "</tr>"
    )
    out.append("<tr>" + "".join(_th(c.label) for c in middle) + "</tr>")
    rows = layout.t3_rows
    for i, row in enumerate(rows):
        cells = "".join(_td(f"t3.{row.name}.{c.name}", values, statuses, sel) for c in cols)
        if row.group_label is None:
            label = _th(row.label, colspan=2, cls="nb-label")
        elif i > 0 and rows[i - 1].group_label == row.group_label:
            label = _th(row.label, cls="nb-label")
        else:
            run = 1
            while i + run < len(rows) and rows[i + run].group_label == row.group_label:
                run += 1
            label = _th(row.group_label, rowspan=run, cls="nb-label nb-group") + _th(
                row.label, cls="nb-label"
            )
        out.append("<tr>" + label + cells + "</tr>")
    out.append("</table>")
    return "\n".join(out)


def t4_html(
    layout: Layout,
    values: Mapping[str, CellValue],
    statuses: Mapping[str, CellStatus],
    sel: Selection,
) -> str:
    """Part 四: a row per kind (行政复议, then 行政诉讼's two kinds under one merged label),
    its five result columns across. The print has them side by side in one 25-column row;
    stacked, the table fits beside the source and the decision panel at 1366 px."""
    suits = [g for g in layout.t4_groups if g.name.startswith(T4_SUIT_PREFIX)]
    others = [g for g in layout.t4_groups if g not in suits]
    out = ['<table class="nb-grid nb-t4">']
    out.append(
        "<tr>"
        + _th("", colspan=2, cls="nb-label")
        + "".join(_th(c.label) for c in layout.t4_columns)
        + "</tr>"
    )
    for group in others + suits:
        if group in others:
            label = _th(group.label, colspan=2, cls="nb-label")
        elif group is suits[0]:
            label = _th(T4_SUIT_HEADER, rowspan=len(suits), cls="nb-label nb-group") + _th(
                group.label, cls="nb-label"
            )
        else:
            label = _th(group.label, cls="nb-label")
        cells = "".join(
            _td(f"t4.{group.name}.{c.name}", values, statuses, sel) for c in layout.t4_columns
        )
        out.append("<tr>" + label + cells + "</tr>")
    out.append("</table>")
    return "\n".join(out)


PARTS = {"t2": t2_html, "t3": t3_html, "t4": t4_html}


def part_html(
    part: str,
    template: str,
    values: Mapping[str, CellValue],
    statuses: Mapping[str, CellStatus],
    sel: Selection | None = None,
    proof: Mapping[str, ProofLevel] | None = None,
) -> str:
    """One part's table, with its printed title (and each cell's proof mark when given)."""
    token = _PROOF.set(proof or {})
    try:
        body = PARTS[part](layout_for(template), values, statuses, sel or Selection())
    finally:
        _PROOF.reset(token)
    return f'<div class="nb-part"><h4>{escape(PART_TITLES[part])}</h4>{body}</div>'


def legend_html() -> str:
    """The colour legend, one swatch per status."""
    items = "".join(
        f'<span class="nb-swatch nb-{s.value}">{escape(style.label)}</span>'
        for s, style in STYLES.items()
    )
    return f'<div class="nb-legend">{items}</div>'


def grid_css() -> str:
    """The stylesheet of the grids and the legend (status colours from `ui.status`)."""
    rules = [
        ".nb-grid{border-collapse:collapse;font-size:12px;margin-bottom:8px;width:100%;"
        "font-family:'WenQuanYi Micro Hei','Noto Sans CJK SC',sans-serif}",
        ".nb-grid th,.nb-grid td{border:1px solid #9ca3af;padding:2px 4px}",
        ".nb-grid th{background:#f3f4f6;font-weight:500;text-align:center}",
        # Headers wrap (CJK breaks between characters) and each part scrolls inside its own
        # box if it still does not fit: a table never draws over the panel beside it.
        ".nb-part{overflow-x:auto;max-width:100%}",
        ".nb-grid th.nb-label{text-align:left;min-width:5em;max-width:14em}",
        ".nb-grid th:not(.nb-label){min-width:3.2em}",  # a 3-character header on one line
        ".nb-grid th.nb-group{max-width:4em}",
        ".nb-cell{text-align:right;min-width:2.2em;font-variant-numeric:tabular-nums}",
        ".nb-selected{outline:3px solid #111827;outline-offset:-3px;font-weight:700}",
        ".nb-row{box-shadow:inset 0 -3px 0 #111827}",
        ".nb-legend{display:flex;flex-wrap:wrap;gap:6px;margin:4px 0 8px}",
        ".nb-swatch{padding:1px 8px;border-radius:3px;font-size:12px}",
        ".nb-part h4{margin:8px 0 4px;font-size:15px}",
        ".nb-proof{font-size:9px;margin-left:2px;font-weight:700}",
    ]
    for status, style in STYLES.items():
        rules.append(
            f".nb-{status.value}{{background:{style.background};"
            f"border-left:3px solid {style.border}}}"
            if status is not CellStatus.VERIFIED
            else f".nb-{status.value}{{background:{style.background}}}"
        )
    return "<style>" + "".join(rules) + "</style>"
