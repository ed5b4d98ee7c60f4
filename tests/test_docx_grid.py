"""Word tables keep their grid: merged cells become colspan/rowspan, an empty cell stays an
empty cell in its column, and a .docx reads to the same cells and proof as its web page."""

from __future__ import annotations

import io
from pathlib import Path

import lxml.etree as etree
import pytest
from bs4 import BeautifulSoup

from eval.synth.paper import gold_report, report_html
from eval.synth.word import report_docx
from extractor.parser import ParserExtractor
from extractor.readers import read_document
from extractor.readers.docx_html import MAX_COLUMNS, MAX_NESTING, body_html
from nianbao.core.layout import RowRole, Template
from nianbao.core.models import CanonicalReport, Extraction
from rules.engine import check
from rules.proof import ProofLevel
from rules.proving import Proof, prove
from tests.hostile import HEAD, W, _docx

NS = f'xmlns:w="{W}"'


def _p(text: str) -> str:
    return f"<w:p><w:r><w:t>{text}</w:t></w:r></w:p>"


def _tc(text: str = "", props: str = "") -> str:
    return f"<w:tc><w:tcPr>{props}</w:tcPr>{_p(text) if text else '<w:p/>'}</w:tc>"


def _tbl(rows: list[str]) -> str:
    return "<w:tbl>" + "".join(rows) + "</w:tbl>"


def _html(body_xml: str) -> BeautifulSoup:
    body = etree.fromstring(f"<w:body {NS}>{body_xml}</w:body>".encode())

    def text(p: etree._Element) -> str:
        return "".join(t.text or "" for t in p.iter(f"{{{W}}}t"))

    return BeautifulSoup(body_html(body, text), "html.parser")


def _spans(soup: BeautifulSoup) -> list[list[tuple[str, int, int]]]:
    """Each row's cells as (text, colspan, rowspan)."""
    return [
        [
            (td.get_text(), int(str(td.get("colspan") or 1)), int(str(td.get("rowspan") or 1)))
            for td in tr.find_all("td")
        ]
        for tr in soup.find_all("tr")
    ]


def _widths(rows: list[list[tuple[str, int, int]]]) -> list[int]:
    """Each row's width in grid columns, cells spanning down from rows above included."""
    taken: set[tuple[int, int]] = set()
    for r, row in enumerate(rows):
        c = 0
        for _, colspan, rowspan in row:
            while (r, c) in taken:
                c += 1
            taken |= {(r + i, c + j) for i in range(rowspan) for j in range(colspan)}
            c += colspan
    return [len({c for (r, c) in taken if r == i}) for i in range(len(rows))]


def _docx_body(body_xml: str) -> bytes:
    head = "".join(_p(line) for line in HEAD.splitlines())
    xml = f'<?xml version="1.0" encoding="UTF-8"?><w:document {NS}><w:body>{head}{body_xml}'
    return _docx((xml + "</w:body></w:document>").encode("utf-8"))


def test_the_national_header_keeps_its_merged_cells(tmp_path: Path) -> None:
    import docx

    gold = gold_report(5)
    raw = report_docx(gold)
    document = docx.Document(io.BytesIO(raw))
    tables = document.element.body.findall(f"{{{W}}}tbl")
    t3 = next(t for t in tables if "申请人情况" in "".join(t.itertext()))
    soup = _html(etree.tostring(t3).decode())
    rows = _spans(soup)
    assert rows[0] == [(rows[0][0][0], 3, 3), ("申请人情况", 7, 1)]
    assert rows[1] == [("自然人", 1, 2), ("法人或其他组织", 5, 1), ("总计", 1, 2)]
    orgs = ["商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他"]
    assert [c[0] for c in rows[2]] == orgs
    results = [r for r in gold.layout.t3_rows if r.role in (RowRole.RESULT, RowRole.RESULTS_TOTAL)]
    first = next(i for i, row in enumerate(rows) if row[0][0] == "三、本年度办理结果")
    assert rows[first][0] == ("三、本年度办理结果", 1, len(results))
    # under the merged labels every row fills the grid: 3 label columns + 7 values
    assert set(_widths(rows)) == {10}


def test_row_edges_gridbefore_gridafter_and_short_rows() -> None:
    rows = [
        "<w:tr>" + _tc("a") + _tc("1") + _tc("2") + _tc("3") + "</w:tr>",
        "<w:tr><w:trPr><w:gridBefore w:val='1'/><w:gridAfter w:val='1'/></w:trPr>"
        + _tc("4")
        + _tc("5")
        + "</w:tr>",
        "<w:tr>" + _tc("b") + _tc() + _tc("6") + _tc() + "</w:tr>",  # empty at the edge
        "<w:tr>" + _tc("c") + _tc("7") + "</w:tr>",  # a short row: two cells printed
    ]
    spans = _spans(_html(_tbl(rows)))
    assert spans[1] == [("", 1, 1), ("4", 1, 1), ("5", 1, 1)]  # columns stay where they are
    assert spans[2] == [("b", 1, 1), ("", 1, 1), ("6", 1, 1), ("", 1, 1)]
    assert spans[3] == [("c", 1, 1), ("7", 1, 1)]  # nothing invented for the missing cells


def test_a_huge_gridspan_is_cut_to_the_table_width_and_merges_are_linear() -> None:
    rows = ["<w:tr>" + _tc("x", "<w:gridSpan w:val='1000000'/>") + _tc("lost") + "</w:tr>"]
    rows.append("<w:tr>" + _tc("y", "<w:gridSpan w:val='-5'/>") + _tc("z") + "</w:tr>")
    spans = _spans(_html(_tbl(rows)))
    assert spans[0] == [("x", MAX_COLUMNS, 1)]  # past the widest Word table: dropped
    assert spans[1] == [("y", 1, 1), ("z", 1, 1)]
    chain = 3000
    down = [
        "<w:tr>" + _tc("label", "<w:vMerge w:val='restart'/>") + _tc("0") + "</w:tr>",
        *("<w:tr>" + _tc("", "<w:vMerge/>") + _tc(str(i)) + "</w:tr>" for i in range(chain)),
        "<w:tr>" + _tc("", "<w:vMerge/>") + "</w:tr>",
        "<w:tr>" + _tc("new") + _tc("9") + "</w:tr>",  # not a continuation: the merge ends
        "<w:tr>" + _tc("orphan", "<w:vMerge/>") + _tc("8") + "</w:tr>",  # continues nothing
    ]
    spans = _spans(_html(_tbl(down)))
    assert spans[0] == [("label", 1, chain + 2), ("0", 1, 1)]
    assert all(row == [(str(i), 1, 1)] for i, row in enumerate(spans[1 : chain + 1]))
    assert spans[chain + 1] == []
    assert spans[-2:] == [[("new", 1, 1), ("9", 1, 1)], [("orphan", 1, 1), ("8", 1, 1)]]


def test_legacy_hmerge_widens_the_cell_and_text_is_never_markup(tmp_path: Path) -> None:
    rows = [
        "<w:tr>"
        + _tc("&lt;b&gt;申请&lt;/td&gt;&amp;amp;", "<w:hMerge w:val='restart'/>")
        + _tc("", "<w:hMerge/>")
        + _tc("3")
        + "</w:tr>"
    ]
    spans = _spans(_html(_tbl(rows)))
    assert spans == [[("<b>申请</td>&amp;", 2, 1), ("3", 1, 1)]]
    path = tmp_path / "r.docx"
    path.write_bytes(_docx_body(_tbl(rows) + _p("&lt;script&gt;x&lt;/script&gt;")))
    text = read_document(path).text
    assert "<b>申请</td>&amp;" in text and "<script>x</script>" in text


def test_a_frame_table_is_dissolved_and_deep_nesting_is_flattened(tmp_path: Path) -> None:
    inner = _tbl(["<w:tr>" + _tc("规章") + _tc("17") + _tc("6") + "</w:tr>"])
    frame = _tbl([f"<w:tr><w:tc>{_p('标题')}{inner}</w:tc></w:tr>"])
    spans = _spans(_html(frame))
    assert spans == [[("规章", 1, 1), ("17", 1, 1), ("6", 1, 1)]]  # the inner grid itself
    deep = _p("最深处")
    for _ in range(50):  # ~200 elements deep: lxml refuses documents past 256
        deep = _tbl([f"<w:tr><w:tc>{deep}</w:tc></w:tr>"])
    soup = _html(deep)
    assert "最深处" in soup.get_text()
    assert len(soup.find_all("table")) <= 1  # past MAX_NESTING frames: the text only
    assert MAX_NESTING < 50
    path = tmp_path / "deep.docx"
    path.write_bytes(_docx_body(deep))
    assert "最深处" in read_document(path).text


def _read(path: Path) -> tuple[Extraction, Proof]:
    extraction = ParserExtractor().extract(read_document(path))
    return extraction, prove(extraction, check(extraction.report))


@pytest.mark.parametrize("template", ["2021", "2019"])
def test_a_docx_reads_to_the_cells_and_proof_of_its_web_page(
    tmp_path: Path, template: Template
) -> None:
    """Blanks inside a row, at its edges and a whole empty row: the .docx gives exactly what
    the same table as a web page gives (whichever way the HTML reader proves blanks), every
    blank is read as null (never a neighbour's value) and nothing wrong goes unflagged."""
    gold = gold_report(11, template=template, blanks=0)
    layout = gold.layout
    cells = dict(gold.cells)
    # blanks where the count is 0, as reports print them: the print stays consistent
    rows = [[f"t3.{r.name}.{c.name}" for c in layout.t3_columns] for r in layout.t3_rows]
    empty_row = next(row for row in rows if all(cells[k] == 0 for k in row))
    others = [row for row in rows if row is not empty_row]
    first = next(row for row in others if cells[row[0]] == 0)
    last = next(row for row in others if cells[row[-1]] == 0 and row is not first)
    edges = [first[0], last[-1]]  # an empty first value, an empty total
    inner = next(k for row in rows for k in row[1:-1] if cells[k] == 0 and k not in edges)
    for key in [*empty_row, inner, *edges]:
        cells[key] = None
    gold = CanonicalReport(meta=gold.meta, cells=cells)
    (tmp_path / "r.docx").write_bytes(report_docx(gold))
    (tmp_path / "r.html").write_text(report_html(gold), encoding="utf-8")
    from_docx, docx_proof = _read(tmp_path / "r.docx")
    from_html, html_proof = _read(tmp_path / "r.html")
    assert from_docx.report.cells == from_html.report.cells
    assert docx_proof.levels == html_proof.levels
    assert from_docx.report.cells[inner] is None
    assert docx_proof.levels[inner] is ProofLevel.BLANK_PROVEN  # an empty cell between two
    for key in edges:
        assert from_docx.report.cells[key] is None
    flagged = docx_proof.flags()
    wrong = [k for k in gold.cells if from_docx.report.cells[k] != gold.cells[k]]
    assert all(k in flagged for k in wrong)  # no silent error
    for key in [*edges, *empty_row]:  # proven blank, or left for a person: never guessed
        assert docx_proof.levels[key] is ProofLevel.BLANK_PROVEN or key in flagged
    values = [k for k in gold.cells if gold.cells[k] is not None and k.startswith("t3.")]
    assert all(from_docx.report.cells[k] == gold.cells[k] for k in values)
