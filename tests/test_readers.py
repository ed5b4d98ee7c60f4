"""Readers: every supported format gives the report's text; anything else a one-line error."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from extractor.readers import read_document
from extractor.readers.html import html_to_text
from extractor.readers.text import decode_text
from nianbao.core.errors import SourceError

REAL = Path(__file__).parent.parent / "eval" / "data" / "real"
SEED = (REAL / "seed-000.txt").read_text(encoding="utf-8")
SEED_GBK = (REAL / "seed-004.txt").read_text(encoding="utf-8")  # every char is in GBK


def _write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


@pytest.mark.parametrize(
    ("encoding", "bom"),
    [
        ("gb18030", b""),
        ("gbk", b""),
        ("utf-16-le", b"\xff\xfe"),
        ("utf-16-be", b""),
        ("utf-8", b""),
    ],
)
def test_text_encodings_are_detected(tmp_path: Path, encoding: str, bom: bytes) -> None:
    text = SEED_GBK if encoding == "gbk" else SEED
    path = _write(tmp_path, "r.txt", bom + text.encode(encoding))
    doc = read_document(path)
    assert doc.text == text
    assert doc.media == "txt" and doc.name == "r.txt" and len(doc.sha256) == 64


def test_utf8_bom_is_dropped() -> None:
    assert decode_text("x", b"\xef\xbb\xbf" + "年度报告".encode()) == "年度报告"


@pytest.mark.parametrize(
    ("name", "data", "reason"),
    [
        ("bin.txt", bytes(range(256)) * 8, "binary"),
        ("empty.txt", b"", "empty"),
        ("blank.md", b"  \n\t\n", "empty"),
        ("r.xls", SEED.encode(), "unsupported file type"),
        ("noext", SEED.encode(), "unsupported file type"),
        (
            "news.txt",
            "本报讯 记者昨日从市政府获悉，今年全市经济运行平稳，公开招聘教师200名。".encode(),
            "no annual report table",
        ),
        ("broken.docx", b"PK\x03\x04 not really a zip", "not a readable .docx"),
        ("broken.pdf", b"%PDF-1.4 garbage", "PDF"),
    ],
)
def test_bad_inputs_raise_one_line_naming_the_file(
    tmp_path: Path, name: str, data: bytes, reason: str
) -> None:
    with pytest.raises(SourceError) as err:
        read_document(_write(tmp_path, name, data))
    message = str(err.value)
    assert name in message and reason in message and "\n" not in message


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(SourceError, match="no such file"):
        read_document(tmp_path / "absent.txt")


def _html_of(text: str) -> str:
    """An HTML page with the seed's lines as paragraphs and its tab rows as a table."""
    body = []
    for line in text.splitlines():
        body.append(f"<p>{line}</p>")
    return (
        "<html><head><title>岑港街道2020年度政府信息公开工作报告</title>"
        "<style>p{color:red}</style><script>var x = '本年新收 999';</script></head>"
        "<body>" + "".join(body) + "</body></html>"
    )


def test_html_table_rows_become_tab_lines() -> None:
    html = (
        "<div>三、收到和处理</div><table><tr><td>一、本年新收政府信息公开申请数量</td>"
        "<td>1</td><td>2</td></tr><tr><th>二、上年结转</th><td>3</td></tr></table>"
        "<script>alert(1)</script><style>.x{}</style><p>五、存在的主要问题</p>"
    )
    text = html_to_text(html)
    assert "一、本年新收政府信息公开申请数量\t1\t2\n" in text
    assert "二、上年结转\t3" in text
    assert "alert" not in text and ".x{}" not in text
    assert "三、收到和处理\n" in text


def test_html_file_reads_as_the_report(tmp_path: Path) -> None:
    path = _write(tmp_path, "r.html", _html_of(SEED).encode("utf-8"))
    doc = read_document(path)
    assert doc.media == "html"
    assert "本年新收" in doc.text and "999" not in doc.text
    assert "岑港街道2020年度政府信息公开工作报告" in doc.text


def test_docx_paragraphs_and_tables_in_body_order(tmp_path: Path) -> None:
    import docx

    document = docx.Document()
    document.add_paragraph("岑港街道2020年度政府信息公开工作报告")
    document.add_paragraph("三、收到和处理政府信息公开申请情况")
    table = document.add_table(rows=2, cols=3)
    for r, row in enumerate(
        [
            ["一、本年新收政府信息公开申请数量", "1", "0"],
            ["二、上年结转政府信息公开申请数量", "0", "2"],
        ]
    ):
        for c, value in enumerate(row):
            table.cell(r, c).text = value
    document.add_paragraph("（一）予以公开 之后的段落")
    buffer = io.BytesIO()
    document.save(buffer)
    doc = read_document(_write(tmp_path, "r.docx", buffer.getvalue()))
    lines = [line for line in doc.text.splitlines() if line.strip()]
    assert lines[2] == "一、本年新收政府信息公开申请数量\t1\t0"
    assert lines[3] == "二、上年结转政府信息公开申请数量\t0\t2"
    assert lines[4].startswith("（一）予以公开")


def test_pdf_tables_become_one_line_per_row() -> None:
    doc = read_document(REAL / "corpus-012_hongze-district-2023.pdf")
    assert doc.media == "pdf"
    lines = [line.replace(" ", "") for line in doc.text.splitlines()]
    assert any(line.startswith("一、本年新收政府信息公开申请数量\t21\t0") for line in lines)
    assert "10\t1\t0\t0\t0\t0\t0\t0\t0\t0\t5\t0\t0\t0\t0" in lines


def _image_only_pdf() -> bytes:
    """A one-page PDF that draws a box and no text: what a scan without OCR looks like."""
    content = b"0 0 0 rg 100 100 200 200 re f"
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R >>",
        b"<< /Length %d >>\nstream\n%s\nendstream" % (len(content), content),
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


def test_pdf_without_text_layer_is_ocrd_and_refused_without_a_table(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # no text layer: the page is OCR'd; a page with no text at all is refused in one line
    monkeypatch.setenv("NIANBAO_OCR_CACHE", str(tmp_path / "ocr-cache"))
    no_text = r"scan\.pdf: no text in the PDF, neither in a text layer nor by OCR"
    with pytest.raises(SourceError, match=no_text):
        read_document(_write(tmp_path, "scan.pdf", _image_only_pdf()))


def test_pdf_with_text_but_no_report_table_says_so(monkeypatch: pytest.MonkeyPatch) -> None:
    # page 1 of a real report: prose only. Its text layer holds no part-三 table, so it goes
    # to OCR; when OCR reads nothing either, the one line says what the text layer lacked
    import pypdfium2 as pdfium

    from extractor.geometry import reader
    from extractor.geometry.words import PageWords

    src = pdfium.PdfDocument(REAL / "corpus-012_hongze-district-2023.pdf")
    first = pdfium.PdfDocument.new()
    first.import_pages(src, [0])
    buffer = io.BytesIO()
    first.save(buffer)
    monkeypatch.setattr(reader, "ocr_pdf", lambda *_: [PageWords(0, 595.0, 842.0, [])])
    with pytest.raises(SourceError, match=r"prose\.pdf: no report table in the PDF's text"):
        reader.read_pdf("prose.pdf", buffer.getvalue())


def test_an_html_table_that_leaves_its_cells_unclosed_reads_as_a_closed_one() -> None:
    # HTML lets </td> and </tr> go unwritten (older hand-written and CMS pages do): each
    # <td> closes the cell before it, each <tr> the row
    from extractor.readers.html import html_to_text

    closed = (
        "<table><tr><td>规章</td><td>5</td><td>0</td></tr>"
        "<tr><td>行政规范性文件</td><td>3</td><td>1</td></tr></table>"
    )
    unclosed = "<table><tr><td>规章<td>5<td>0<tr><td>行政规范性文件<td>3<td>1</table>"
    assert html_to_text(unclosed) == html_to_text(closed)
    assert "规章\t5\t0" in html_to_text(unclosed)
