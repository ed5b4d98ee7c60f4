"""The html_table rendering: a government web page whose tables are HTML <table>s.

As the national template prints on the web: part 三's header in three rows (申请人情况 over
自然人 / 法人或其他组织 (its five columns) / 总计), the vertical label 三、本年度办理结果 and
the group labels (（三）不予公开…) merged down their rows with rowspan, other labels spanning
the label columns; part 四's 行政复议 / 行政诉讼 (未经复议直接起诉, 复议后起诉) over their
columns; <th> in headers, cells wrapped in <p>/<span> as editors save them, &nbsp; in blank
cells, and part 三 now and then split in two tables at a page break (the merged labels
continuing as empty cells down the second table's rows). About a third of the pages are saved
from Word, as many government sites publish them: MsoNormal paragraphs, <o:p> marks, a
number's digits now and then in two <span>s ("9" + "5" is 95, as a browser shows it), and
Word's zero-height spacer row of empty cells under each table.
"""

from __future__ import annotations

import html
import random

from eval.synth.document import Document, Heading, Row, Table
from nianbao.core.layout import Layout, RowRole, layout_for

_ROLES = (RowRole.RESULT, RowRole.RESULTS_TOTAL)


_WORD_CELL = " width=63 valign=top style='border:solid windowtext 1.0pt;padding:0cm 5.4pt'"
_WORD_P = "<p class=MsoNormal align=center style='text-align:center'>"
# Word's "misaligned columns" spacer: a zero-height row of empty cells under each table
_WORD_SPACER = (
    "<![if !supportMisalignedColumns]><tr height=0>"
    + "<td width=63 style='border:none'></td>" * 10
    + "</tr><![endif]>"
)


class _Cells:
    """How this page writes a cell: wrapped in <p>/<span> or not, blanks as &nbsp; or not;
    or as a page saved from Word (MsoNormal paragraphs, a number's digits now and then in
    two <span>s, <o:p> marks, a spacer row under each table)."""

    def __init__(self, rng: random.Random) -> None:
        self.wrap = rng.random() < 0.5
        self.nbsp = rng.random() < 0.5
        self.word = rng.random() < 0.35
        self.rng = rng

    def td(self, text: str, tag: str = "td", **attrs: int) -> str:
        extra = "".join(f" {k}={v}" for k, v in attrs.items() if v > 1)
        if self.word:
            return f"<{tag}{extra}{_WORD_CELL}>{self._word(text)}</{tag}>"
        if not text.strip():
            body = "&nbsp;" if self.nbsp else ""
        else:
            body = "<br>".join(html.escape(line) for line in text.split("\n"))
            if self.wrap:
                body = f"<p><span>{body}</span></p>"
        return f"<{tag}{extra}>{body}</{tag}>"

    def _word(self, text: str) -> str:
        if not text.strip():
            blank = "&nbsp;" if self.nbsp else ""
            return f"{_WORD_P}<span lang=EN-US>{blank}<o:p></o:p></span></p>"
        if text.isdigit() and len(text) > 1 and self.rng.random() < 0.5:
            cut = self.rng.randrange(1, len(text))  # Word keeps a run per edit: "9" + "5"
            return (
                f"{_WORD_P}<span lang=EN-US style='font-size:10.5pt'>{text[:cut]}</span>"
                f"<span lang=EN-US style='font-size:10.5pt'>{text[cut:]}<o:p></o:p></span></p>"
            )
        body = "<br>".join(html.escape(line) for line in text.split("\n"))
        return (
            f"{_WORD_P}<span style='font-family:宋体'>{body}</span>"
            "<span lang=EN-US><o:p></o:p></span></p>"
        )

    def close(self) -> str:
        """The end of a table."""
        return (_WORD_SPACER if self.word else "") + "</table>"


def _layout(table: Table) -> Layout:
    names = {r.name for r in table.rows if r.name}
    for template in ("2021", "2019"):
        layout = layout_for(template)
        if names <= {f"t3.{r.name}" for r in layout.t3_rows}:
            return layout
    return layout_for("2021")


def _t3(table: Table, cells: _Cells, rng: random.Random) -> str:
    layout = _layout(table)
    spec = {f"t3.{r.name}": r for r in layout.t3_rows}
    data = [r for r in table.rows if r.kind == "data"]
    ncols = max((len(r.cells) for r in data), default=len(layout.t3_columns))
    headers = [r for r in table.rows if r.kind == "header"]
    out = ["<table>"]
    if len(headers) == 3:
        note, applicants = headers[0].labels
        first, legal, total = (c.text for c in headers[1].cells)
        out.append(
            f"<tr>{cells.td(note, 'th', colspan=3, rowspan=3)}"
            f"{cells.td(applicants, 'th', colspan=ncols)}</tr>"
            f"<tr>{cells.td(first, 'th', rowspan=2)}{cells.td(legal, 'th', colspan=ncols - 2)}"
            f"{cells.td(total, 'th', rowspan=2)}</tr>"
            "<tr>" + "".join(cells.td(c.text, "th") for c in headers[2].cells) + "</tr>"
        )

    def results(row: Row) -> bool:
        return row.name in spec and spec[row.name].role in _ROLES

    def group(row: Row) -> str | None:
        r = spec.get(row.name)
        return r.group_label if r is not None and r.role is RowRole.RESULT else None

    split = rng.randrange(3, len(data)) if rng.random() < 0.4 and len(data) > 4 else -1
    covered = [0, 0]  # rows the merged label (column 0) and a group label (column 1) still cover
    for n, row in enumerate(data):
        head: list[str] = []
        if n == split:  # a page break: a new table; merged labels go on as empty cells
            out.append(cells.close() + "<p></p><table>")
            head += [cells.td("", rowspan=left) for left in covered if left > 0]
        used = sum(1 for left in covered if left > 0)
        roles = row.label_roles or ["row"] * len(row.labels)
        for text, role in zip(row.labels, roles, strict=True):
            if role == "merged":
                span = sum(1 for r in data[n:] if results(r))
                head.append(cells.td(text, rowspan=span))
                covered[0] = span
                used += 1
            elif role == "group":
                label = group(row)
                span = 1
                for r in data[n + 1 :]:
                    if group(r) != label or any(x == "group" for x in r.label_roles):
                        break
                    span += 1
                head.append(cells.td(text, rowspan=span))
                covered[1] = span
                used += 1
            else:
                head.append(cells.td(text, colspan=3 - used))
                used = 3
        if used < 3:  # a row printed without its label: its label cells stay empty
            head.append(cells.td("", colspan=3 - used))
        covered = [max(left - 1, 0) for left in covered]
        out.append("<tr>" + "".join(head) + "".join(cells.td(c.text) for c in row.cells) + "</tr>")
    out.append(cells.close())
    return "".join(out)


def _t4(table: Table, cells: _Cells) -> str:
    headers = [r for r in table.rows if r.kind == "header"]
    data = [r for r in table.rows if r.kind == "data"]
    out = ["<table>"]
    if len(headers) == 3 and data:
        groups = len(headers[1].cells) + 1
        n = len(headers[2].cells) // groups
        review, suit = (c.text for c in headers[0].cells)
        out.append(
            f"<tr>{cells.td(review, 'th', colspan=n, rowspan=2)}"
            f"{cells.td(suit, 'th', colspan=n * (groups - 1))}</tr>"
            "<tr>" + "".join(cells.td(c.text, "th", colspan=n) for c in headers[1].cells) + "</tr>"
            "<tr>" + "".join(cells.td(c.text, "th") for c in headers[2].cells) + "</tr>"
        )
    for row in data:
        out.append("<tr>" + "".join(cells.td(c.text) for c in row.cells) + "</tr>")
    out.append(cells.close())
    return "".join(out)


def _t2(table: Table, cells: _Cells) -> str:
    width = 1 + max((len(r.cells) for r in table.rows), default=3)
    out = ["<table>"]
    for row in table.rows:
        if row.kind == "header" and not row.cells:  # 第二十条第（一）项: across the table
            out.append(f"<tr>{cells.td(' '.join(row.labels), 'th', colspan=width)}</tr>")
            continue
        tag = "th" if row.kind == "header" else "td"
        label = cells.td(" ".join(row.labels), tag)
        out.append("<tr>" + label + "".join(cells.td(c.text, tag) for c in row.cells) + "</tr>")
    out.append(cells.close())
    return "".join(out)


def _table(block: Table, cells: _Cells, rng: random.Random) -> str:
    """One part's table as HTML."""
    if block.part == "t3":
        return _t3(block, cells, rng)
    if block.part == "t4":
        return _t4(block, cells)
    return _t2(block, cells)


def html_table(doc: Document, rng: random.Random) -> str:
    """The document as a web page with HTML tables."""
    cells = _Cells(rng)
    body = [f"<h1>{html.escape(doc.title)}</h1>"]
    for block in doc.blocks:
        if isinstance(block, Table):
            body.append(_table(block, cells, rng))
        elif isinstance(block, Heading):
            body.append(f"<h2>{html.escape(block.numeral + block.text)}</h2>")
        else:
            body.append(f"<p>{html.escape(block.text)}</p>")
    return (
        "<!doctype html><html><head><meta charset=utf-8>"
        f"<title>{html.escape(doc.title)}</title></head><body>"
        '<div class="crumbs">当前位置：首页 &gt; 政务公开 &gt; 政府信息公开年报</div>'
        f"{''.join(body)}</body></html>\n"
    )


def markdown_html(doc: Document, rng: random.Random) -> str:
    """The document as a PDF-to-Markdown converter (MinerU, marker) writes it: Markdown
    headings and paragraphs, each table an HTML <table> on one line (merged cells as
    rowspan/colspan, no styling)."""
    cells = _Cells(rng)
    cells.wrap = cells.nbsp = cells.word = False
    out = [f"# {doc.title}", ""]
    for block in doc.blocks:
        if isinstance(block, Table):
            out.append(_table(block, cells, rng))
        elif isinstance(block, Heading):
            out.append(f"## {block.numeral}{block.text}")
        else:
            out.append(block.text)
        out.append("")
    return "\n".join(out)
