"""Print a document the way real reports reach us: six renderings modelled on the real files.

- tab_rows: one table row per line, cells separated by tabs (copied from a word processor).
- cell_lines: one cell per line, as the seeds (tab-indented, blank lines between rows).
- markdown: one markdown table per part.
- flat_html: a web page flattened to text: cells run together with no separator (corpus-001..007).
- pdf_text: pdftotext output: space-separated rows, long labels wrapped, the vertical label
  三、本年度办理结果 one character per line, page numbers between pages (corpus-011).
- html_table: a web page with HTML tables, merged headers and labels (`html_table`).
- markdown_html: PDF to Markdown as MinerU or marker write it: headings and paragraphs in
  Markdown, each table an HTML <table> (`html_table.markdown_html`; unseen, issue 13).
- ocr_markdown: OCR to markdown: part 三 as one small table per row group, with
  "数据1…数据6" column headers (corpus-008).
"""

from __future__ import annotations

import random
from collections.abc import Callable

from eval.synth.document import Document, Heading, Para, Row, Table
from eval.synth.html_table import html_table, markdown_html

Renderer = Callable[[Document, random.Random], str]


def _heading(h: Heading) -> str:
    return f"{h.numeral}{h.text}"


def _tokens(row: Row) -> list[str]:
    return [*row.labels, *(c.text for c in row.cells)]


def tab_rows(doc: Document, rng: random.Random) -> str:
    out = [doc.title, ""]
    for block in doc.blocks:
        if isinstance(block, Table):
            out += ["\t".join(_tokens(r)) for r in block.rows]
            out.append("")
        else:
            out.append(_heading(block) if isinstance(block, Heading) else block.text)
    return "\n".join(out) + "\n"


def cell_lines(doc: Document, rng: random.Random) -> str:
    indent = rng.choice(("\t", ""))
    gap = rng.choice(("\n", ""))  # seed-002 puts a blank line after every cell
    out = [doc.title, ""]
    for block in doc.blocks:
        if isinstance(block, Table):
            for row in block.rows:
                out += [f"{indent}{tok}{gap}" for tok in _tokens(row)]
                out.append("")
        else:
            out.append(_heading(block) if isinstance(block, Heading) else block.text)
    return "\n".join(out) + "\n"


def _md_row(cells: list[str]) -> str:
    return "| " + " | ".join(c.replace("\n", "<br>") for c in cells) + " |"


def markdown(doc: Document, rng: random.Random) -> str:
    out = [f"# {doc.title}", ""]
    for block in doc.blocks:
        if isinstance(block, Table):
            width = max(len(_tokens(r)) for r in block.rows)
            for n, row in enumerate(block.rows):
                if row.kind == "footer":
                    out.append(row.labels[0])
                    continue
                out.append(_md_row(_tokens(row)))
                if n == 0:
                    out.append("|" + "---|" * width)
            out.append("")
        elif isinstance(block, Heading):
            out += [f"## {_heading(block)}", ""]
        else:
            out += [block.text, ""]
    return "\n".join(out)


def flat_html(doc: Document, rng: random.Random) -> str:
    """Every block on one line, labels and values glued; now and then a stray space."""
    crumbs = f"当前位置： 首页政务公开政府信息公开年报 {doc.title} 微信 微博 QQ空间 "
    out = [f"标题: {doc.title}", "==================== 正文 ====================", crumbs]
    for block in doc.blocks:
        if isinstance(block, Table):
            for row in block.rows:
                if row.kind == "footer":
                    continue  # a web page has no page footers
                tokens = [t.replace("\n", " ") for t in _tokens(row)]
                out.append("".join(t + (" " if rng.random() < 0.04 else "") for t in tokens))
        else:
            out.append(_heading(block) if isinstance(block, Heading) else block.text)
    return "\n".join(out[:2]) + "\n" + "".join(out[2:]) + "\n"


def _wrap(text: str, width: int) -> list[str]:
    return [text[i : i + width] for i in range(0, len(text), width)] or [""]


def pdf_text(doc: Document, rng: random.Random) -> str:
    width = rng.randint(28, 36)
    out = [doc.title]
    page = 1

    def page_break() -> None:
        nonlocal page
        out.append(f"- {page} -")
        page += 1

    for block in doc.blocks:
        if isinstance(block, Table):
            for row in block.rows:
                if row.kind == "footer":
                    out.append(row.labels[0])
                    continue
                labels = []
                for text, role in zip(
                    row.labels, row.label_roles or ["row"] * len(row.labels), strict=True
                ):
                    if role == "merged":  # the vertical merged cell: one character per line
                        out += list(text.replace("\n", ""))
                    elif role == "group":  # a narrow merged cell: wrapped every 4 characters
                        out += _wrap(text.replace("\n", ""), 4)
                    else:
                        labels.append(text)
                values = " ".join(c.text for c in row.cells)
                label = "".join(labels)
                if row.kind == "header":
                    out += [" ".join(_tokens(row))]
                elif row.centred and len(label) >= 3:
                    a, b = len(label) // 3, 2 * len(label) // 3
                    out += [label[:a], f"{label[a:b]} {values}".strip(), label[b:]]
                elif len(label) > 20:
                    head, tail = label[:20], label[20:]
                    out += [head, f"{tail} {values}".strip()]
                else:
                    out.append(f"{label} {values}".strip())
        elif isinstance(block, Heading):
            if rng.random() < 0.5:
                page_break()
            out.append(_heading(block))
        else:
            out += _wrap(block.text, width)
    page_break()
    return "\n".join(out) + "\n"


def ocr_markdown(doc: Document, rng: random.Random) -> str:
    """Part 三 cut into one table per row group under its own heading, columns 数据1…."""
    out = [f"# {doc.title}", ""]
    for block in doc.blocks:
        if isinstance(block, Heading):
            out += [f"## {_heading(block)}", ""]
        elif isinstance(block, Para):
            out += [block.text, ""]
        elif block.part != "t3":
            out += [markdown(Document("", [block]), rng).split("\n", 2)[2], ""]
        else:
            out += _ocr_t3(block)
    return "\n".join(out)


def _ocr_t3(table: Table) -> list[str]:
    """One small table per group of rows, each under the group's label as a heading."""
    out: list[str] = []
    for row in table.rows:
        if row.kind == "header":
            continue
        if row.kind == "footer":
            out += ["", row.labels[0], ""]
            continue
        *groups, label = (t.replace("\n", " ") for t in row.labels)
        n = max(len(row.cells) - 1, 0)
        if groups or not out or not out[-1].startswith("|"):
            head = ["类别", *(f"数据{i + 1}" for i in range(n)), "总计"]
            out += [""] + [f"### {g}" for g in groups]
            out += [_md_row(head), "|" + "---|" * len(head)]
        out.append(_md_row([label, *(c.text for c in row.cells)]))
    return [*out, ""]


# the renderings drawn for a report (html_table and markdown_html are drawn apart:
# `generate.HTML_SHARE`, `generate.MARKDOWN_HTML_SHARE`)
DRAWN = ("cell_lines", "flat_html", "markdown", "ocr_markdown", "pdf_text", "tab_rows")
RENDERERS: dict[str, Renderer] = {
    "html_table": html_table,
    "markdown_html": markdown_html,
    "tab_rows": tab_rows,
    "cell_lines": cell_lines,
    "markdown": markdown,
    "flat_html": flat_html,
    "pdf_text": pdf_text,
    "ocr_markdown": ocr_markdown,
}
# Damage a rendering does by itself, in the real manifest's vocabulary
# (eval/data/real/README.md), so real and synthetic reports group together by damage.
RENDERING_DAMAGE: dict[str, tuple[str, ...]] = {
    "html_table": ("html_table",),
    "markdown_html": ("html_in_markdown",),
    "tab_rows": ("tab_rows",),
    "cell_lines": ("one_value_per_line",),
    "markdown": ("markdown_table",),
    "flat_html": ("glued_digits", "site_chrome"),
    "pdf_text": ("vertical_label_chars",),
    "ocr_markdown": ("markdown_table", "wrong_table_structure"),
}
# Renderings in which an empty cell leaves no trace (glued or space-separated values).
LOSES_EMPTY_CELLS = frozenset({"flat_html", "pdf_text"})
# Renderings that run a row's values together with no separator.
GLUES_VALUES = frozenset({"flat_html"})
# Damage that a rendering already does by itself, or that it cannot show, is not applied.
NOT_WITH: dict[str, frozenset[str]] = {
    # cells of an HTML table neither glue nor hold page footers; its labels stay on their rows
    "html_table": frozenset({"glued_digits", "page_footer_in_table", "detached_labels"}),
    "markdown_html": frozenset({"glued_digits", "page_footer_in_table", "detached_labels"}),
    "flat_html": frozenset({"glued_digits", "page_footer_in_table", "detached_labels"}),
    "ocr_markdown": frozenset({"detached_labels"}),  # its part 三 is one table per row group
}
