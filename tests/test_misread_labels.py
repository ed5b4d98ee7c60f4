"""A part-二 label OCR misread in one character is found where its row stands; a run close to
two labels, or a short label, is not guessed."""

from __future__ import annotations

import pytest

from extractor.parser import ParserExtractor
from extractor.parser.labels import CjkStream, find_label, misread_label
from nianbao.core.document import SourceDocument
from rules.engine import check
from rules.proof import ProofLevel
from rules.proving import prove
from tests.test_cell_breaks import _report


def _stream(text: str) -> CjkStream:
    return CjkStream.of(text)


def test_a_label_misread_in_one_character_is_found_as_a_whole_run() -> None:
    stream = _stream("信息内容\t本年处理决定数量\n行政外罚\t0\n行政强制\t5\n")
    hit = misread_label(stream, ("行政处罚",), 0, len(stream.chars), ("行政强制",))
    assert hit is not None and stream.chars[hit.start : hit.end] == "行政外罚"


@pytest.mark.parametrize(
    ("text", "keys", "others"),
    [
        ("行政外罚行政强制\t0\n", ("行政处罚",), ()),  # inside a longer run: not a label
        ("行政外罚\t0\n行政处理\t1\n", ("行政处罚",), ()),  # two runs one apart: which?
        ("行政强罚\t0\n", ("行政处罚",), ("行政强制",)),  # as close to another row's label
        # two characters, with no source text to show the row's values right after it
        ("观章\t0\t0\t0\n", ("规章",), ()),
    ],
)
def test_no_guess_where_the_run_is_not_one_labels_alone(
    text: str, keys: tuple[str, ...], others: tuple[str, ...]
) -> None:
    stream = _stream(text)
    assert misread_label(stream, keys, 0, len(stream.chars), others) is None


def test_the_row_of_a_misread_label_reads_as_printed() -> None:
    lines = _report("tab").split("\n")
    at = next(i for i, line in enumerate(lines) if line.startswith("行政处罚"))
    lines[at] = "行政外罚\t3\t-1\t7"
    extraction = ParserExtractor().extract(SourceDocument.from_text("r.txt", "\n".join(lines)))
    proof = prove(extraction, check(extraction.report))
    keys = ("t2.penalty.prev_items", "t2.penalty.change", "t2.penalty.decisions")
    assert [extraction.report.cells[k] for k in keys] == [3, -1, 7]
    assert all(proof.levels[k] is ProofLevel.READ_CONFIRMED for k in keys)


def test_a_two_character_label_misread_is_found_only_right_before_its_values() -> None:
    text = "信息内容\t本年制发件数\n观章\t0\t0\t5\n"
    stream = _stream(text)
    hit = misread_label(stream, ("规章",), 0, len(stream.chars), ("规范性文件",), text)
    assert hit is not None and stream.chars[hit.start : hit.end] == "观章"
    text = "信息内容\t观章制度\n"  # inside a longer word, and no value after it
    stream = _stream(text)
    assert misread_label(stream, ("规章",), 0, len(stream.chars), (), text) is None
    text = "观章\n第二十条\t0\n"  # the next words come before any value
    stream = _stream(text)
    assert misread_label(stream, ("规章",), 0, len(stream.chars), (), text) is None


def test_a_fuzzy_match_stops_at_the_labels_own_characters() -> None:
    # first character misread: an alignment as long as the label would take in the next
    # row's first character, past this row's values
    text = "（五）不予处理\n1.倍访举报投诉类申请\n0\n0\n0\n\n2.重复中请\n0\n"
    stream = _stream(text)
    hit = find_label(stream, ("信访举报投诉类申请",), 0)
    # (a stretch only this label holds finds it, grown to what of it the print kept)
    assert hit is not None and hit.how in ("fuzzy", "fragment")
    assert stream.chars[hit.start : hit.end].endswith("申请")
    assert text[hit.span[1] :].startswith("\n0")


@pytest.mark.parametrize(
    ("text", "key", "printed"),
    [
        # a stretch only this label holds finds it; the print misread one character after it
        ("其他对外管埋服务事项\t29\t0\t23\n", "其他对外管理服务事项", "其他对外管埋服务事项"),
        # its first characters find it; the print misread one character after them
        ("4.保护第三方合去权益\t0\t0\n", "保护第三方合法权益", "保护第三方合去权益"),
    ],
)
def test_a_match_grows_over_one_misread_character_to_the_whole_printed_label(
    text: str, key: str, printed: str
) -> None:
    # (synth-8355-0146: the label's rest, "去权益", stood between it and its values as words
    # that could be another row's label, and kept a row not printed from being proven so)
    stream = _stream(text)
    hit = find_label(stream, (key,), 0)
    assert hit is not None and stream.chars[hit.start : hit.end] == printed
    assert text[hit.span[1] :].startswith("\t")


def test_a_match_does_not_grow_over_a_character_the_label_does_not_go_on_after() -> None:
    # "行政许可" then other words: one character unlike the key's, and the key not after it
    text = "其他对外管理服务项目\t1\n"
    stream = _stream(text)
    hit = find_label(stream, ("其他对外管理服务事项",), 0)
    assert hit is None or text[hit.span[1] :].startswith(("服务项目", "项目"))
