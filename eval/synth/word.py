"""A report as a Word (.docx) file in the national layout, built with python-docx: the same
table shapes as the printed page (`eval.synth.paper.report_html`), with its merged cells as
Word writes them (w:gridSpan across, w:vMerge down). A null cell is printed as an empty cell.

`python -m eval.synth.word --seed S --count N --out DIR` writes `<id>.docx` and
`<id>.gold.json` for each report of `generate(S, N)`, a folder `nianbao eval --set real
--data DIR` scores cell by cell.
"""

from __future__ import annotations

import argparse
import io
import random
from pathlib import Path
from typing import Any

from eval.synth.national import Spec, t2_tables, t3_table, t4_table
from nianbao.core.models import CanonicalReport


def _placed(rows: list[list[Spec]]) -> tuple[list[tuple[int, int, Spec]], int]:
    """Each spec's top-left grid position (the HTML table model) and the grid's width."""
    taken: set[tuple[int, int]] = set()
    placed: list[tuple[int, int, Spec]] = []
    width = 0
    for r, row in enumerate(rows):
        c = 0
        for spec in row:
            while (r, c) in taken:
                c += 1
            placed.append((r, c, spec))
            for dr in range(spec.rowspan):
                for dc in range(spec.colspan):
                    taken.add((r + dr, c + dc))
            c += spec.colspan
            width = max(width, c)
    return placed, width


def add_table(document: Any, rows: list[list[Spec]]) -> None:
    """A ruled Word table of `rows`, its spans merged the way Word merges them."""
    placed, width = _placed(rows)
    table = document.add_table(rows=len(rows), cols=width)
    table.style = "Table Grid"
    for r, c, spec in placed:
        cell = table.cell(r, c)
        if spec.colspan > 1 or spec.rowspan > 1:
            cell = cell.merge(table.cell(r + spec.rowspan - 1, c + spec.colspan - 1))
        cell.text = spec.text


def report_docx(report: CanonicalReport, organ: str | None = None) -> bytes:
    """The whole report as a .docx: headings and paragraphs, the tables of parts 二 to 四."""
    import docx

    organ = organ or report.meta.organ or "某某区人民政府"
    year = report.meta.year or 2023
    document = docx.Document()
    document.add_heading(f"{organ}{year}年政府信息公开工作年度报告", level=1)
    document.add_paragraph(
        f"本报告根据《中华人民共和国政府信息公开条例》编制，统计期限为{year}年1月1日至12月31日。"
    )
    document.add_heading("一、总体情况", level=2)
    document.add_paragraph("全面推进政务公开，及时回应社会关切。")
    document.add_heading("二、主动公开政府信息情况", level=2)
    for table in t2_tables(report):
        add_table(document, table)
    document.add_heading("三、收到和处理政府信息公开申请情况", level=2)
    add_table(document, t3_table(report))
    document.add_heading("四、政府信息公开行政复议、行政诉讼情况", level=2)
    add_table(document, t4_table(report))
    document.add_heading("五、存在的主要问题及改进情况", level=2)
    document.add_paragraph("政策解读形式不够丰富。")
    document.add_heading("六、其他需要报告的事项", level=2)
    document.add_paragraph("本年度未收取信息处理费。")
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def blanked(report: CanonicalReport, count: int, rng: random.Random) -> CanonicalReport:
    """The report with `count` more cells printed blank (null in the gold)."""
    cells = dict(report.cells)
    for key in rng.sample(sorted(k for k, v in cells.items() if v is not None), count):
        cells[key] = None
    return CanonicalReport(meta=report.meta, cells=cells)


def write_set(folder: Path, seed: int, count: int, blanks: int = 0) -> None:
    """`<id>.docx` and `<id>.gold.json` for each report of `generate(seed, count)`, with
    `blanks` more cells of each printed blank."""
    from eval.synth import generate

    folder.mkdir(parents=True, exist_ok=True)
    for report in generate(seed, count):
        gold = report.gold
        if blanks:
            gold = blanked(gold, blanks, random.Random(f"nianbao-word:{report.id}"))
        (folder / f"{report.id}.docx").write_bytes(report_docx(gold))
        (folder / f"{report.id}.gold.json").write_text(gold.to_json(indent=1) + "\n", "utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m eval.synth.word", description=__doc__)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--count", type=int, default=10)
    parser.add_argument("--blanks", type=int, default=0, help="cells each report prints blank")
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    write_set(args.out, args.seed, args.count, args.blanks)
    print(f"wrote {args.count} reports to {args.out}")


if __name__ == "__main__":
    main()
