"""The hostile inputs of issue 11, each read in bounded time and memory (or refused with one
line). Each runs in a child held to a small budget: the old code fails these as over budget."""

from __future__ import annotations

from pathlib import Path

import pytest

from extractor import readers
from extractor.parser import ParserExtractor
from extractor.parser.decoding.alignment import MAX_PLACEMENTS, align
from extractor.parser.tokens import fold, tokenize
from extractor.readers import read_document
from extractor.readers.docx import check_unzipped_size
from extractor.readers.html import MAX_HTML_DEPTH, html_to_text
from nianbao.core.document import SourceDocument
from nianbao.core.errors import SourceError
from tests import hostile
from tests.bounded import within


def _align_count(m: int, n: int) -> int:
    return len(align(list(range(1, m + 1)), n))


@pytest.mark.parametrize("m", [1_000, 100_000])
def test_a_runaway_row_gets_bounded_placements(m: int) -> None:
    # was ~C(n, 2) placements: 3 GB in 5 s for 1,000 values, 24 GB for 100,000
    assert 0 < within(_align_count, m, 7, memory_mb=400) <= MAX_PLACEMENTS


def test_few_extra_values_still_get_every_placement() -> None:
    placements = align([8, 8, 1, 2], 3)
    assert placements[0].values == (8, 1, 2) and placements[0].reason == "8 printed twice"


def _parse(name: str, text: str) -> dict[str, object]:
    extraction = ParserExtractor().extract(SourceDocument.from_text(name, text))
    return dict(extraction.report.cells)


def test_a_report_with_a_row_of_1000_numbers_parses_in_bounded_memory() -> None:
    cells = within(_parse, "wide.txt", hostile.wide_row(1_000), memory_mb=300)
    assert cells["t3.new.total"] == 3  # the rows around it are still read


def test_4301_glued_digits_are_no_value_and_no_error() -> None:
    # int() refuses strings of more than 4,300 digits: this raised ValueError in tokens.py
    text = hostile.glued_digits(5_000)
    assert tokenize(fold(text), text.index("7777"), len(text)) == []
    cells = within(_parse, "glued.txt", text, memory_mb=300)
    assert cells["t3.new.total"] == 3


def test_deeply_nested_html_is_read_in_linear_time_up_to_the_depth_guard() -> None:
    # 8,000 levels took 6.5 s (inserting newlines was quadratic in the depth); this bounds
    # the CPU at a level the old code could not meet on 100,000 levels
    deep = hostile.nested_html(MAX_HTML_DEPTH - 10)
    assert "本年新收" in within(html_to_text, deep, cpu=20)
    with pytest.raises(SourceError, match="nested more than 1,000 deep"):
        within(html_to_text, hostile.nested_html(100_000), cpu=20, memory_mb=600)


def test_a_docx_that_expands_past_the_limit_is_refused_before_parsing(tmp_path: Path) -> None:
    bomb = hostile.docx_bomb(3 << 20)
    with pytest.raises(SourceError, match=r"expands to more than 2 MB unzipped"):
        check_unzipped_size("bomb.docx", bomb, limit=2 << 20)
    check_unzipped_size("bomb.docx", bomb, limit=4 << 20)  # under the limit: fine


def test_a_docx_with_a_huge_text_node_is_one_line(tmp_path: Path) -> None:
    path = tmp_path / "node.docx"
    path.write_bytes(hostile.docx_bomb(11 << 20))  # lxml refuses text nodes over 10 MB
    with pytest.raises(SourceError, match=r"^node.docx: not a readable .docx \(.*Text node"):
        within(read_document, path, memory_mb=600)


def test_a_normal_docx_still_reads(tmp_path: Path) -> None:
    path = tmp_path / "ok.docx"
    path.write_bytes(hostile.docx_paragraphs(hostile.HEAD.splitlines()))
    assert "本年新收" in read_document(path).text


def test_a_docx_of_huge_spans_and_a_long_vertical_merge_reads_bounded(tmp_path: Path) -> None:
    # each row's gridSpan of 10^6 is cut to Word's widest table; the merge is one cell
    path = tmp_path / "spans.docx"
    path.write_bytes(hostile.docx_spans(3_000))
    text = within(read_document, path, memory_mb=400).text
    assert text.count("（一）予以公开") == 2  # the merged label once, beside HEAD's own row
    assert sum("7" in line for line in text.splitlines()) == 3_000  # every row, once


def test_an_input_over_the_size_cap_is_refused_unread(tmp_path: Path) -> None:
    path = tmp_path / "big.txt"
    path.write_bytes(hostile.big_text(3 << 20))
    with pytest.raises(SourceError, match=r"^big.txt: larger than 2 MB: refused unread"):
        read_document(path, max_bytes=2 << 20)
    assert "本年新收" in within(read_document, path, memory_mb=300).text


def test_text_over_the_character_cap_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "long.txt"
    path.write_bytes(hostile.big_text(1 << 20))
    monkeypatch.setattr(readers, "MAX_TEXT_CHARS", 100_000)
    with pytest.raises(SourceError, match=r"characters of text, more than 100,000: refused"):
        read_document(path)


def _refusal(name: str, text: str) -> str:
    try:
        ParserExtractor().extract(SourceDocument.from_text(name, text))
    except SourceError as exc:
        return str(exc)
    return ""


@pytest.mark.parametrize("opening", ["本年新收政府", "年新收政"])
def test_part_three_s_opening_printed_ten_thousands_of_times_is_looked_at_boundedly(
    opening: str,
) -> None:
    # each printing of the opening label (or a stretch only it holds) looked for the next
    # row after it and then scanned the rest of the text: 34 s of CPU for 300,000 characters
    text = opening * (300_000 // len(opening))
    assert "no part-三 table" in within(_refusal, "opening.txt", text, memory_mb=300, cpu=10)
