"""The same real report in every input format reads to the same cells (seed-001: tab rows)."""

from __future__ import annotations

import html
import io
from pathlib import Path

import pytest

from extractor.parser import ParserExtractor
from extractor.readers import read_document
from nianbao.core.models import CanonicalReport

REAL = Path(__file__).parent.parent / "eval" / "data" / "real"
TEXT = (REAL / "seed-001.txt").read_text(encoding="utf-8")
GOLD = CanonicalReport.from_json((REAL / "seed-001.gold.json").read_text(encoding="utf-8"))


def _as_html(text: str) -> bytes:
    """Tab-separated lines become table rows, other lines paragraphs, as a web page prints."""
    body: list[str] = []
    in_table = False
    for line in text.splitlines():
        if "\t" in line:
            if not in_table:
                body.append("<table>")
                in_table = True
            cells = "".join(f"<td>{html.escape(c)}</td>" for c in line.split("\t"))
            body.append(f"<tr>{cells}</tr>")
            continue
        if in_table:
            body.append("</table>")
            in_table = False
        body.append(f"<p>{html.escape(line)}</p>")
    page = "<html><head><script>var n = 12345;</script></head><body>" + "".join(body)
    return (page + "</body></html>").encode("utf-8")


def _as_docx(text: str) -> bytes:
    import docx

    document = docx.Document()
    for line in text.splitlines():
        if "\t" in line:
            cells = line.split("\t")
            table = document.add_table(rows=1, cols=len(cells))
            for cell, value in zip(table.rows[0].cells, cells, strict=True):
                cell.text = value
        else:
            document.add_paragraph(line)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("name", "build"),
    [
        ("r.html", _as_html),
        ("r.docx", _as_docx),
        ("r.txt", lambda t: t.encode("gb18030")),
        ("r.md", lambda t: b"\xff\xfe" + t.encode("utf-16-le")),
    ],
)
def test_every_format_reads_every_cell(tmp_path: Path, name: str, build) -> None:
    path = tmp_path / name
    path.write_bytes(build(TEXT))
    extraction = ParserExtractor().extract(read_document(path))
    assert extraction.report.meta.template == GOLD.meta.template
    wrong = {
        k: (extraction.report.cells[k], v)
        for k, v in GOLD.cells.items()
        if extraction.report.cells[k] != v
    }
    assert wrong == {}


def test_shortened_intake_labels_still_find_part_three(tmp_path: Path) -> None:
    # "一、本年新收申请数量" for the national "一、本年新收政府信息公开申请数量": the prefix and
    # the fuzzy match of the full label both missed it, and the file was refused as having
    # no part-三 table
    short = TEXT.replace("本年新收政府信息公开申请数量", "本年新收申请数量").replace(
        "上年结转政府信息公开申请数量", "上年结转申请数量"
    )
    assert short != TEXT
    path = tmp_path / "short.txt"
    path.write_text(short, encoding="utf-8")
    assert ParserExtractor().extract(read_document(path)).report.cells == GOLD.cells


def test_letter_spaced_labels_read_as_the_report(tmp_path: Path) -> None:
    # a PDF table's cells in distributed alignment: text extraction puts a space between
    # every two characters ("申 请 人 无 正 当 理 由", "(四) 无 法 提 供"); the label's 无
    # then stood alone like a blank cell's placeholder and took a cell
    import re

    spaced = re.sub(r"([\u4e00-\u9fff])(?=[\u4e00-\u9fff])", r"\1 ", TEXT)
    assert "(四) 无 法 提 供" in spaced
    path = tmp_path / "spaced.txt"
    path.write_text(spaced, encoding="utf-8")
    extraction = ParserExtractor().extract(read_document(path))
    assert extraction.report.cells == GOLD.cells
    from rules.engine import check
    from rules.proving import prove

    assert prove(extraction, check(extraction.report)).accepted


@pytest.mark.parametrize(
    ("printed", "value", "waits"),
    [
        ("减2", -2, False),
        ("减少 2", -2, False),
        ("增2", 2, False),
        ("+2", 2, False),
        ("(2)", -2, False),
        ("（2）", -2, False),
    ],
)
def test_a_change_printed_with_a_word_or_brackets_is_read_with_its_sign(
    tmp_path: Path, printed: str, value: int, waits: bool
) -> None:
    # 本年增/减 printed "减2" was read as 2 and the report accepted: the sign is the word's,
    # and a number alone in brackets there is the accounting minus
    from rules.engine import check
    from rules.proving import prove

    row = "行政许可\t0\t0\t0"
    assert row in TEXT
    path = tmp_path / "signed.txt"
    path.write_text(TEXT.replace(row, f"行政许可\t5\t{printed}\t0"), encoding="utf-8")
    extraction = ParserExtractor().extract(read_document(path))
    assert extraction.report.cells["t2.license.change"] == value
    assert extraction.report.cells["t2.license.prev_items"] == 5
    proof = prove(extraction, check(extraction.report))
    assert proof.accepted is not waits
    assert set(proof.flags()) == ({"t2.license.change"} if waits else set())


def test_a_count_alone_in_brackets_waits(tmp_path: Path) -> None:
    # no count is negative: brackets around one are a note or a misprint, for a person
    from rules.engine import check
    from rules.proving import prove

    path = tmp_path / "bracketed.txt"
    path.write_text(TEXT.replace("行政许可\t0\t0\t0", "行政许可\t(5)\t0\t0"), encoding="utf-8")
    extraction = ParserExtractor().extract(read_document(path))
    assert extraction.report.cells["t2.license.prev_items"] == 5
    proof = prove(extraction, check(extraction.report))
    assert not proof.accepted
    assert set(proof.flags()) == {"t2.license.prev_items"}


@pytest.mark.parametrize(
    ("printed", "values", "accepted"),
    [
        ("0\t0\t0\t0", [0, 0, 0], True),  # a 0 printed twice: whichever it is, every cell is 0
        ("7\t7\t7\t7", [7, 7, 7], True),
        ("0\t0\t5\t0", None, False),  # which value is the extra decides the row: a person
        ("1\t1\n1\t1", None, False),  # 11 broken over a line is a reading too
    ],
)
def test_a_row_printing_one_value_too_many_all_alike(
    tmp_path: Path, printed: str, values: list[int] | None, accepted: bool
) -> None:
    from rules.engine import check
    from rules.proving import prove

    path = tmp_path / "surplus.txt"
    path.write_text(TEXT.replace("行政许可\t0\t0\t0", f"行政许可\t{printed}"), encoding="utf-8")
    extraction = ParserExtractor().extract(read_document(path))
    keys = ("t2.license.prev_items", "t2.license.change", "t2.license.decisions")
    if values is not None:
        assert [extraction.report.cells[k] for k in keys] == values
    proof = prove(extraction, check(extraction.report))
    assert proof.accepted is accepted
    assert bool(set(proof.flags()) & set(keys)) is not accepted
