"""Which printing of part 三 is the report's table. A file holding more than one report (a
compilation, a page that embeds another year's report) is refused with a one-line reason:
reading one of its tables under the file's title would put one report's numbers under
another's name, with every identity holding. The opening rows quoted before the table (a
comparison with last year) are not the table."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from extractor.parser import ParserExtractor
from nianbao.cli import main
from nianbao.core.document import SourceDocument
from nianbao.core.errors import SourceError

REAL = Path(__file__).parent.parent / "eval" / "data" / "real"
TWICE = "part 三's table is printed twice and the printings do not read alike"


def _text(stem: str) -> str:
    return (REAL / f"{stem}.txt").read_text(encoding="utf-8")


def _read(text: str) -> dict[str, object]:
    doc = SourceDocument.from_text("report.txt", text, "txt")
    return dict(ParserExtractor().extract(doc).report.cells)


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ("seed-004", "seed-000"),  # two bodies' 2019-layout reports, tab-separated
        ("corpus-004_pingtan-2022-webtext", "corpus-005_pingtan-2023-webtext"),  # two years
    ],
)
def test_two_reports_in_one_file_are_refused(first: str, second: str) -> None:
    with pytest.raises(SourceError, match=TWICE):
        _read(_text(first) + "\n\n" + _text(second))


def test_a_first_report_whose_opening_row_lost_its_label_is_still_seen() -> None:
    # the table found first is then the second report's: the first one lies before it
    first = _text("seed-000").replace("一、本年新收政府信息公开申请数量", "一、")
    with pytest.raises(SourceError, match=TWICE):
        _read(first + "\n\n" + _text("seed-004"))


def test_the_same_report_printed_twice_is_one_report() -> None:
    text = _text("corpus-004_pingtan-2022-webtext")
    assert _read(text + "\n" + text) == _read(text)


def test_two_reports_whose_part_three_is_the_same_read_as_the_first() -> None:
    # two small bodies with no requests at all: the tables read are the first report's
    first, second = _text("seed-000"), _text("seed-001")
    assert _read(first + "\n\n" + second) == _read(first)


def test_a_sentence_quoting_the_opening_rows_is_no_second_table() -> None:
    text = _text("seed-000")
    said = "本年新收政府信息公开申请数量3件，上年结转政府信息公开申请数量0件，予以公开2件。"
    quoted = f"{text}\n{said}\n"
    assert _read(quoted) == _read(text)


def test_the_cli_says_why_in_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "compilation.txt"
    path.write_text(_text("seed-000") + "\n\n" + _text("seed-004"), encoding="utf-8")
    code = main(["extract", str(path), "--out", str(tmp_path / "out")])
    err = capsys.readouterr().err.strip()
    assert code != 0
    assert err.startswith("nianbao: compilation.txt:") and TWICE in err
    assert "\n" not in err and "Traceback" not in err


@pytest.mark.parametrize(
    "then", ["", "全年未发生因政府信息公开引起的行政复议。\n"], ids=["alone", "then-prose"]
)
def test_a_comparison_table_quoting_the_opening_rows_is_not_the_table(then: str) -> None:
    # part 一 opens with this year against last: the opening rows' labels with other figures
    # (found by a rewrite hunt: every part-三 cell went unread, the report waited); prose
    # naming 行政复议 after it ends the rows searched from the quotation at three
    text = _text("seed-004")
    compared = (
        "表1 依申请公开情况对比\n项目 本年 上年\n本年新收政府信息公开申请数量 8 12\n"
        "上年结转政府信息公开申请数量 0 3\n予以公开 1 5\n"
    )
    at = text.index("二、主动公开政府信息情况")
    assert _read(text[:at] + compared + then + text[at:]) == _read(text)


def test_a_quotation_of_a_row_the_table_omits_is_not_the_table() -> None:
    # the table omits 上年结转 (so its opening is 本年新收 then 予以公开), the quotation
    # prints both: the quotation opens with the pair the table lacks
    table = _text("corpus-004_pingtan-2022-webtext").replace(
        "二、上年结转政府信息公开申请数量 1000001", ""
    )
    compared = (
        "表1 依申请公开情况对比 项目 本年 上年 本年新收政府信息公开申请数量 8 12 "
        "上年结转政府信息公开申请数量 0 3 全年未发生因政府信息公开引起的行政复议。"
    )
    at = table.index("二、主动公开政府信息情况")
    assert _read(table[:at] + compared + table[at:]) == _read(table)


def test_one_table_printed_twice_in_two_styles_is_one_report() -> None:
    # a page's table and its text version: thousands separators, spacing and the labels'
    # numbering differ, the numbers do not
    text = _text("corpus-008_shuyang-county-gov-2025-ocr-md")
    restyled = text.replace("1.", "").replace("2.", "").replace("3.", "")
    restyled = re.sub(r"(?<=\d)(?=(\d{3})+(?!\d))", ",", restyled)
    assert restyled != text
    assert _read(text + "\n\n" + restyled) == _read(text)


def test_one_table_printed_twice_back_to_back_is_one_report_however_flagged() -> None:
    # found by a rewrite hunt: a table printed twice back to back, most of its cells flagged
    # (columns read by the header): the printings share few clean cells, and part 四 follows
    # the second only, so neither that nor parts 三 + 四 alike held; part 三 reads the same
    from extractor.parser.several import _alike

    part3 = {f"t3.new.{c}": 0 for c in ("natural", "commercial", "total")}
    first = ({**part3, "t4.review.upheld": None}, frozenset({"t3.new.total"}))
    second = ({**part3, "t4.review.upheld": 2}, frozenset({"t3.new.total", "t4.review.upheld"}))
    assert _alike(first, second, cells=200)
    other = ({**part3, "t3.new.natural": 5, "t4.review.upheld": 2}, second[1])
    assert not _alike(first, other, cells=200)  # part 三 differs, too few clean cells shared
