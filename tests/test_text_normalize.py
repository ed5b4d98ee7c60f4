"""What a text file shows is what is read: invisible characters, drawn cell edges, HTML
space entities and labels split over lines, through the real reader and parser."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from eval.synth import synth_report
from extractor.parser import ParserExtractor
from extractor.readers import read_document
from extractor.readers.empty_column import without_empty_last_column
from extractor.readers.line_numbers import without_line_numbers
from extractor.readers.normalize import plain_text, standard_ideographs
from extractor.readers.serial_column import without_serial_column
from rules.engine import check
from rules.proving import prove


def test_invisible_characters_go_and_drawn_edges_become_pipes() -> None:
    assert plain_text("行政\u200b处罚 1\u200b2 3\u00ad4\ufeff") == "行政处罚 12 34"
    assert plain_text("│ 规章 ┃ 0 ║ 5 ｜") == "| 规章 | 0 | 5 |"
    assert plain_text("0&nbsp;&nbsp;5&#160;6 R&amp;D") == "0  5 6 R&amp;D"
    text = "规章 3 0 12\n"
    assert plain_text(text) == text


def test_kangxi_radicals_and_compatibility_ideographs_are_the_characters_they_show() -> None:
    shown = "\u2f8f政许可 \u2f00、本年新收 \uf967予公开 \u2ed4户网站 \u2ea0"
    assert standard_ideographs(shown) == "行政许可 一、本年新收 不予公开 门户网站 民"
    assert len(standard_ideographs(shown)) == len(shown)  # one for one: spans hold
    assert standard_ideographs("规章 3 0 12") == "规章 3 0 12"


def test_a_files_line_numbers_go_and_values_opening_lines_stay() -> None:
    lines = ["规章 0 3 12", "", "行政许可", "\t0", "行政处罚 5"] * 5
    numbered = "\n".join(f"{n + 1} {line}" if line else line for n, line in enumerate(lines))
    assert without_line_numbers(numbered) == "\n".join(lines)
    # values opening lines are no numbering: they do not only grow, or few lines have more
    values = "\n".join(f"{v} 0 0 {v}" for v in (3, 12, 7, 30, 2) * 5)
    assert without_line_numbers(values) == values
    one_a_line = "\n".join(str(n) for n in range(1, 40))
    assert without_line_numbers(one_a_line) == one_a_line
    short = "1 规章 0\n2 行政许可 3"  # too few lines to tell
    assert without_line_numbers(short) == short


def test_a_tables_serial_number_column_goes_and_a_first_column_of_values_stays() -> None:
    rows = [f"| 行{n} | 0 | {n % 3} | 5 |" for n in range(1, 11)]
    serial = ["| 序号 | 信息内容 | 甲 | 乙 | 丙 |", "|---|---|---|---|---|"] + [
        f"| {n} " + row for n, row in enumerate(rows, 1)
    ]
    assert without_serial_column("\n".join(serial)).split("\n")[2:] == rows
    tabbed = "\n".join(f"{n}\t行{n}\t0\t3" for n in range(1, 11))
    assert without_serial_column(tabbed) == "\n".join(f"行{n}\t0\t3" for n in range(1, 11))
    # values first, a column of ones, or too few rows: left as they are
    values = "\n".join(f"| {v} | 0 | 行 |" for v in (1, 3, 2, 4, 5, 6, 7, 8, 9, 10))
    ones = "\n".join("| 1 | 0 | 行 |" for _ in range(10))
    few = "\n".join(f"| {n} | 0 | 行 |" for n in range(1, 5))
    for text in (values, ones, few):
        assert without_serial_column(text) == text


def test_an_empty_column_after_every_row_goes_and_a_few_blank_last_cells_stay() -> None:
    tab_rows = [f"行{n}\t0\t{n}" for n in range(10)]
    assert without_empty_last_column("\n".join(r + "\t" for r in tab_rows)) == "\n".join(tab_rows)
    pipe_rows = ["| 项 | 甲 | 乙 |", "|---|---|---|"] + [f"| 行{n} | 0 | {n} |" for n in range(10)]
    padded = [r + "  |" if r[2] != "-" else r + "---|" for r in pipe_rows]
    assert without_empty_last_column("\n".join(padded)) == "\n".join(pipe_rows)
    # a few rows whose own last cell is blank keep it
    some = "\n".join(r + "\t" if n < 3 else r for n, r in enumerate(tab_rows))
    assert without_empty_last_column(some) == some
    some_pipes = "\n".join(r + "  |" if n < 4 else r for n, r in enumerate(pipe_rows))
    assert without_empty_last_column(some_pipes) == some_pipes


def _report(rendering: str) -> object:
    return next(r for i in range(60) if (r := synth_report(600, i)).rendering == rendering)


@pytest.mark.parametrize(
    ("rendering", "change"),
    [
        ("markdown", lambda t: t.replace("|", "│")),  # box-drawing rules
        ("markdown", lambda t: t.replace("|", "｜")),  # full-width bars
        ("tab_rows", lambda t: t.replace("\t", "\t&nbsp;")),  # entities kept by a scraper
        ("tab_rows", lambda t: "".join(c + "\u200b" if c.isdigit() else c for c in t)),
        # ... and in a web page's cells, which the HTML reader reads itself
        ("html_table", lambda t: "".join(c + "\u200b" if c.isdigit() else c for c in t)),
        # line breaks of every kind: Word's manual break (VT), Unicode's line separator, NEL;
        # pdftotext's form feed starting a page's first line
        ("cell_lines", lambda t: t.replace("\n", "\v")),
        ("tab_rows", lambda t: t.replace("\n", "\u2028")),
        ("pdf_text", lambda t: t.replace("\n", "\x85")),
        ("cell_lines", lambda t: t.replace("\n", "\n\f", 40).replace("\n\f", "\n", 20)),
        # a Chinese OCR model's (or typist's) 〇 for 0, alone or touching a label on a flat page
        ("pdf_text", lambda t: re.sub(r"(?<![\d.])0(?![\d.])", "〇", t)),
        ("flat_html", lambda t: re.sub(r"(?<![\d.])0(?![\d.])", "〇", t)),
        # a PDF font's Kangxi radicals and compatibility ideographs for ordinary characters
        (
            "pdf_text",
            lambda t: t.translate(str.maketrans("行一人不门", "\u2f8f\u2f00\u2f08\uf967\u2ed4")),
        ),
        (
            "flat_html",
            lambda t: t.translate(str.maketrans("行一人不门", "\u2f8f\u2f00\u2f08\uf967\u2ed4")),
        ),
    ],
)
def test_a_report_reads_the_same_whatever_invisible_or_drawn_characters_it_holds(
    tmp_path: Path, rendering: str, change: object
) -> None:
    report = _report(rendering)
    cells = []
    for n, text in enumerate((report.text, change(report.text))):  # type: ignore[operator]
        path = tmp_path / f"r{n}.{report.media}"
        path.write_text(text, encoding="utf-8")
        extraction = ParserExtractor().extract(read_document(path))
        proof = prove(extraction, check(extraction.report))
        cells.append((extraction.report.cells, proof.accepted))
    assert cells[1] == cells[0]


def test_labels_split_over_lines_still_show_a_report(tmp_path: Path) -> None:
    # pdftotext wraps long label cells ("一、本年新\n收政府信息 …\n公开申请数量"): the reader
    # refused such a file as "no annual report table" though the parser reads it
    report = synth_report(1, 36)
    assert report.rendering == "pdf_text"
    path = tmp_path / "r.txt"
    path.write_text(report.text, encoding="utf-8")
    doc = read_document(path)
    assert ParserExtractor().extract(doc).report.cells["t3.new.total"] == 178


def test_a_report_in_traditional_characters_reads_as_in_simplified(tmp_path: Path) -> None:
    # a mirror site's copy ("政府信息公開工作年度報告", "規範性文件"): no label was found and
    # the file was refused as no report
    import opencc

    from tests.common import REAL

    text = (REAL / "seed-001.txt").read_text(encoding="utf-8")
    traditional = opencc.OpenCC("s2t").convert(text)
    assert traditional != text
    cells = []
    for name, body in (("s.txt", text), ("t.txt", traditional)):
        path = tmp_path / name
        path.write_text(body, encoding="utf-8")
        extraction = ParserExtractor().extract(read_document(path))
        cells.append(
            (extraction.report.cells, prove(extraction, check(extraction.report)).accepted)
        )
    assert cells[1] == cells[0]


def test_a_simplified_text_quoting_traditional_characters_is_left_alone() -> None:
    from extractor.readers.traditional import simplified

    text = "本年新收政府信息公开申请数量 （引自《開放政府資料》）\n" * 3
    assert simplified(text) is text
    many = "開請數條處轉結規範" * 3
    assert simplified(many) != many
