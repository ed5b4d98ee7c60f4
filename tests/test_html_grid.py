"""HTML tables read as their grid: an empty <td> in a value column is a proven blank."""

from __future__ import annotations

import re
from pathlib import Path

from eval.synth import generate
from eval.synth.paper import report_html
from extractor.parser import ParserExtractor
from extractor.readers import document_from_bytes
from extractor.readers.html import html_to_text
from extractor.readers.html_grid import MAX_GRID_CELLS, expand, grid_lines
from nianbao.core.models import CanonicalReport
from rules.engine import check
from rules.proof import ProofLevel
from rules.proving import prove
from tests.bounded import within

COLS = ("natural", "commercial", "research", "social", "legal", "other_org", "total")


def _gold() -> CanonicalReport:
    """A consistent synthetic gold of the 2021 layout (its print breaks no identity)."""
    for report in generate(21, 30):
        gold = report.gold
        zeros = all(gold.cells[f"t3.denied.state_secret.{c}"] == 0 for c in COLS)
        if gold.meta.template == "2021" and not report.broken_identities and zeros:
            return gold
    raise AssertionError("no such gold in seed 21")


def _blanked(gold: CanonicalReport, keys: list[str]) -> CanonicalReport:
    cells = dict(gold.cells)
    for key in keys:
        assert cells[key] == 0, key  # a 0 printed blank keeps every identity
        cells[key] = None
    return CanonicalReport(meta=gold.meta, cells=cells)


def _extract(page: str):
    doc = document_from_bytes(Path("r.html"), page.encode("utf-8"))
    extraction = ParserExtractor().extract(doc)
    return extraction, prove(extraction, check(extraction.report))


def test_empty_cells_at_a_rows_edges_are_proven_blanks() -> None:
    gold = _gold()
    row = "t3.denied.state_secret"
    edges = [k for k in (f"{row}.natural", f"{row}.total") if gold.cells[k] == 0]
    blanked = _blanked(gold, edges)
    extraction, proof = _extract(report_html(blanked))
    for key in edges:
        assert extraction.report.cells[key] is None
        assert proof.levels[key] is ProofLevel.BLANK_PROVEN, key
    assert extraction.report.cells == blanked.cells
    assert proof.accepted


def test_a_row_printed_all_blank_is_a_row_of_proven_nulls() -> None:
    gold = _gold()
    keys = [f"t3.denied.state_secret.{c}" for c in COLS]
    blanked = _blanked(gold, keys)
    extraction, proof = _extract(report_html(blanked))
    assert all(extraction.report.cells[k] is None for k in keys)  # not inferred 0s
    assert all(proof.levels[k] is ProofLevel.BLANK_PROVEN for k in keys)
    assert proof.accepted


def test_a_row_with_fewer_cells_than_columns_is_no_proof() -> None:
    gold = _gold()
    page = report_html(gold)
    # the row loses its last <td> (no colspan covers the column): a value lost, not a blank
    row = re.search(r"<td class=l>1\.属于国家秘密</td>((?:<td>\d+</td>)+)</tr>", page)
    assert row is not None
    shorter = row.group(0).replace("<td>0</td></tr>", "</tr>")
    _, proof = _extract(page.replace(row.group(0), shorter))
    row_keys = [f"t3.denied.state_secret.{c}" for c in COLS]
    assert not any(proof.levels[k] is ProofLevel.BLANK_PROVEN for k in row_keys)
    assert not proof.accepted
    assert set(proof.flags()) & set(row_keys)


TABLE = """<table>
<tr><th colspan=2 rowspan=2>（勾稽关系）</th><th colspan=3>申请人情况</th></tr>
<tr><th>自然人</th><th>法人</th><th>总计</th></tr>
<tr><td rowspan=2 class=v><p>三、本年度办理结果</p></td><td><span>（一）予以公开</span></td>
    <td>1</td><td>&nbsp;</td><td>1</td></tr>
<tr><td>（二）部分公开</td><td></td><td>-</td><td><p><span>2</span></p></td></tr>
<tr><td colspan=2>四、结转下年度继续办理</td><td> </td><td>&nbsp;</td><td></td></tr>
</table>"""


def test_merged_headers_and_labels_expand_to_the_grid() -> None:
    lines = [line for line in html_to_text(TABLE).splitlines() if line]
    assert lines == [
        "（勾稽关系）\t申请人情况",  # header rows print their own cells, as before
        "自然人\t法人\t总计",
        "三、本年度办理结果\t（一）予以公开\t1\t—\t1",  # &nbsp; alone: an empty cell
        "（二）部分公开\t—\t-\t2",  # under a rowspan label: the label prints once
        "四、结转下年度继续办理\t—\t—\t—",  # the last row printed blank
    ]


def test_a_table_split_at_a_page_break_keeps_its_grid() -> None:
    # the second part has no header; the merged labels go on as empty cells with rowspan
    page = """<table><tr><th colspan=2>项目</th><th>甲</th><th>乙</th></tr>
    <tr><td rowspan=4>三、本年度办理结果</td><td>（一）予以公开</td><td>1</td><td>2</td></tr>
    </table><p></p><table>
    <tr><td rowspan=3></td><td>（二）部分公开</td><td></td><td>&nbsp;</td></tr>
    <tr><td>（三）不予公开</td><td>0</td><td></td></tr>
    <tr><td>（四）总计</td><td>1</td><td>2</td></tr></table>"""
    lines = [line for line in html_to_text(page).splitlines() if line]
    assert lines[-3:] == ["（二）部分公开\t—\t—", "（三）不予公开\t0\t—", "（四）总计\t1\t2"]


def test_a_title_row_with_empty_cells_over_a_header_is_no_row_of_blanks() -> None:
    page = """<table><tr><td>规章</td><td>0</td><td>1</td></tr>
    <tr><td>第二十条第（五）项</td><td></td><td></td></tr>
    <tr><td>信息内容</td><td>上一年项目数量</td><td>本年增/减</td></tr>
    <tr><td>行政许可</td><td>3</td><td></td></tr></table>"""
    lines = [line for line in html_to_text(page).splitlines() if line]
    assert lines[1] == "第二十条第（五）项\t\t"  # read flat: no blank proven
    assert lines[3] == "行政许可\t3\t—"


def test_a_table_of_one_blank_row_under_its_header_is_a_row_of_blanks() -> None:
    page = """<table><tr><th>信息内容</th><th>本年收费金额（单位：万元）</th></tr>
    <tr><td>行政事业性收费</td><td>&nbsp;</td></tr></table>
    <table><tr><th colspan=2>信息内容</th><th>本年处理决定数量</th></tr>
    <tr><td>行政许可</td><td></td><td></td></tr></table><p>完</p>"""
    lines = [line for line in html_to_text(page).splitlines() if line]
    assert lines[1] == "行政事业性收费\t—"
    assert lines[3] == "行政许可\t\t"  # the header's column does not start after the label


def test_a_value_merged_down_from_the_row_above_is_unread_not_blank() -> None:
    page = """<table><tr><th>信息内容</th><th>甲</th><th>乙</th></tr>
    <tr><td>行政处罚</td><td rowspan=2>4</td><td>1</td></tr>
    <tr><td>行政强制</td><td>2</td></tr></table>"""
    lines = [line for line in html_to_text(page).splitlines() if line]
    assert lines[1:] == ["行政处罚\t4\t1", "行政强制\t?\t2"]


def test_rows_shifted_against_each_other_keep_the_flat_reading() -> None:
    # one row's label spans two cells, another's one: where the values start is unclear
    page = """<table><tr><td>甲</td><td>子</td><td>1</td><td>2</td></tr>
    <tr><td>乙</td><td>3</td><td>4</td><td></td></tr></table><p>完</p>"""
    lines = [line for line in html_to_text(page).splitlines() if line]
    assert lines == ["甲\t子\t1\t2", "乙\t3\t4\t", "完"]


def _huge_spans() -> list[str]:
    rows = "".join("<tr><td>行</td><td>1</td></tr>" for _ in range(2_000))
    page = f"<table><tr><td rowspan=100000 colspan=100000>x</td></tr>{rows}</table>"
    return html_to_text(page).splitlines()


def test_huge_rowspan_and_colspan_stay_bounded() -> None:
    lines = within(_huge_spans, cpu=20, memory_mb=400)
    assert sum(1 for line in lines if line.startswith("行")) == 2_000


def test_a_grid_past_the_cap_is_not_expanded() -> None:
    class Tag(dict):  # a <td>'s attributes are all the expansion reads of it
        pass

    wide = [Tag(colspan="64", rowspan="100000") for _ in range(4)]
    rows = [wide, *([[Tag()]] * (MAX_GRID_CELLS // 200))]
    assert expand(rows, lambda _: "") is None
    assert grid_lines(rows, lambda _: "") is None
    assert expand(rows[:3], lambda _: "") is not None


def test_synthetic_web_pages_with_nothing_lost_are_read_and_accepted() -> None:
    # html_table: merged headers and labels, <th>, <p>/<span>, &nbsp;, split tables
    from eval.cases import synth_cases
    from eval.harness import evaluate_case, make_backend
    from eval.metrics import LOSSY

    backend = make_backend("parser")
    # damage to labels or digits (OCR look-alikes) needs a person whatever the format
    other = {"ocr_labels", "ocr_digits", "lost_label", "split_labels"}
    pages = [
        c
        for c in synth_cases(22, 200)
        if c.kind == "html_table" and not set(c.damage) & (LOSSY | other)
        if not c.broken_identities
    ]
    assert len(pages) >= 5
    assert any(c.doc is not None and "—" in c.doc.text for c in pages)  # blanks printed
    for case in pages:
        assert case.doc is not None and case.doc.media == "html"
        score = evaluate_case(case, backend)
        assert not score.wrong_keys(), case.id
        assert score.accepted, case.id


WORD_TABLE = (
    "<table class=MsoNormalTable><tr><td colspan=2><p class=MsoNormal>第二十条第（八）项</p></td>"
    "</tr><tr><td><p class=MsoNormal><span>信息内容</span></p></td><td><p class=MsoNormal>"
    "<span>本年收费金额（单位：万元）</span></p></td></tr><tr><td><p class=MsoNormal><span>"
    "行政事业性收费</span><span lang=EN-US><o:p></o:p></span></p></td><td><p class=MsoNormal>"
    "<span lang=EN-US>&nbsp;<o:p></o:p></span></p></td></tr>"
    "<![if !supportMisalignedColumns]><tr height=0><td width=63 style='border:none'></td>"
    "<td width=63 style='border:none'></td><td width=63 style='border:none'></td></tr>"
    "<![endif]></table>"
)


def test_a_page_saved_from_word_reads_as_a_browser_shows_it() -> None:
    # a number's digits in two runs are one number ("9" + "5" is 95, as a browser shows it)
    rows = "<tr><td>1.本机关不掌握相关政府信息</td><td><p class=MsoNormal><span>9</span>"
    rows += "<span>5<o:p></o:p></span></p></td><td><p>1<br>2</p></td></tr>"
    lines = html_to_text(f"<table>{rows}</table>").splitlines()
    assert "1.本机关不掌握相关政府信息\t95\t1 2" in lines
    # Word's zero-height spacer row of empty cells under a table ends nothing: the blank
    # cell of the table's last row is still a printed blank
    lines = html_to_text(WORD_TABLE).splitlines()
    assert "行政事业性收费\t—" in lines
