"""Rows whose reading is off in ways no identity sees: values of rows whose labels were not
found joining a row, or a glued run taken for one count. Every cell of such a row is noted,
so it waits for a person instead of going out read "directly"."""

from __future__ import annotations

from pathlib import Path

from extractor.parser import ParserExtractor
from extractor.parser.plausible import (
    IMPLAUSIBLE,
    WORDS_BETWEEN,
    implausible_row,
    words_between,
)
from extractor.parser.tokens import fold, tokenize
from nianbao.core.document import SourceDocument
from nianbao.core.layout import ValueKind
from nianbao.core.models import CanonicalReport
from rules.engine import check
from rules.proving import prove

REAL = Path(__file__).parent.parent / "eval" / "data" / "real"
COUNT, AMOUNT = ValueKind.COUNT, ValueKind.AMOUNT


def _tokens(text: str):  # type: ignore[no-untyped-def]
    folded = fold(text)
    return folded, tokenize(folded, 0, len(folded))


def test_a_count_of_nine_digits_or_more_marks_its_row() -> None:
    _, glued = _tokens("规范性文件 45616394391 1863 6688")
    assert implausible_row(glued, [COUNT, COUNT, COUNT])
    _, amount = _tokens("政府集中采购 3 739265103")
    assert not implausible_row(amount, [COUNT, AMOUNT])  # amounts are not bounded
    _, large = _tokens("行政处罚 1 0 2113456")
    assert not implausible_row(large, [COUNT, ValueKind.SIGNED, COUNT])


def test_a_word_between_two_values_on_a_line_is_another_rows_label() -> None:
    text, tokens = _tokens("其他对外管理服务事项100153⾏政处罚26480430⾏政强制126025")
    assert words_between(text, tokens)
    for row in (
        "行政许可 3件 5个 0",
        "行政许可 5 减3 0",
        "行政许可 5 无 0",
        "行政许可\n5\n处罚\n0",
    ):
        text, tokens = _tokens(row)
        assert not words_between(text, tokens), row


def test_values_of_rows_whose_labels_were_not_found_do_not_go_out_unflagged() -> None:
    # corpus-001 (a flattened 2019 page) with 二 and 行 as a PDF font's Kangxi radicals, read
    # without the reader's normalisation: 行政处罚/行政强制 and the 第二十条 headings are not
    # found, and their values 26480430 and 126025 made 其他对外管理服务事项 a row of three
    # tokens for three cells, read "directly" and not flagged
    name = "corpus-001_pingtan-2019-webtext"
    text = (REAL / f"{name}.txt").read_text(encoding="utf-8")
    gold = CanonicalReport.from_json((REAL / f"{name}.gold.json").read_text(encoding="utf-8"))
    shown = text.translate(str.maketrans("二行", "\u2f06\u2f8f"))
    extraction = ParserExtractor().extract(SourceDocument.from_text("r.txt", shown))
    proof = prove(extraction, check(extraction.report))
    wrong = {k for k, v in gold.cells.items() if extraction.report.cells.get(k) != v}
    assert "t2.other_mgmt.change" in wrong
    assert not wrong - set(proof.flags())
    notes = extraction.provenance["t2.other_mgmt.change"].notes
    assert WORDS_BETWEEN in notes or IMPLAUSIBLE in notes
