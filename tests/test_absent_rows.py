"""A part-二 row the report does not print is a proven null only when nothing stands where it
would: through the real reader and parser, on seed-001 (a tab table, accepted as it is)."""

from __future__ import annotations

from pathlib import Path

import pytest

from extractor.parser import ParserExtractor
from extractor.readers import read_document
from nianbao.core.models import Method
from rules.engine import check
from rules.proof import ProofLevel
from rules.proving import prove
from tests.common import REAL

TEXT = (REAL / "seed-001.txt").read_text(encoding="utf-8")
RULES = "规章\t0\t0\t0\n"
NORMATIVE = "规范性文件\t0\t0\t0\n"
RULES_KEYS = ("t2.rules.new_made", "t2.rules.new_published", "t2.rules.total_published")


def _proof(tmp_path: Path, old: str, new: str):  # type: ignore[no-untyped-def]
    assert old in TEXT
    path = tmp_path / "report.txt"
    path.write_text(TEXT.replace(old, new, 1), encoding="utf-8")
    extraction = ParserExtractor().extract(read_document(path))
    return extraction, prove(extraction, check(extraction.report))


def test_the_report_as_printed_is_accepted(tmp_path: Path) -> None:
    _, proof = _proof(tmp_path, RULES, RULES)
    assert proof.accepted  # the baseline the cases below change one thing of


def test_a_first_row_not_printed_at_all_is_a_proven_null(tmp_path: Path) -> None:
    # a county with no power to make 规章 drops the row: the header runs into 规范性文件
    extraction, proof = _proof(tmp_path, RULES, "")
    for key in RULES_KEYS:
        assert extraction.report.cells[key] is None
        assert extraction.provenance[key].method is Method.ABSENT
        assert proof.levels[key] is ProofLevel.BLANK_PROVEN
    assert proof.accepted


def test_a_row_after_a_plainly_read_row_not_printed_is_a_proven_null(tmp_path: Path) -> None:
    _, proof = _proof(tmp_path, NORMATIVE, "")
    assert proof.levels["t2.normative.total_published"] is ProofLevel.BLANK_PROVEN
    assert proof.accepted


@pytest.mark.parametrize(
    "printed",
    [
        "\t0\t0\t0\n",  # the label lost, its values still there
        "O\tO\tO\n",  # the values as OCR look-alikes of 0
        "—\t—\t—\n",  # placeholders: the row's cells printed blank, not the row absent
        "第1项\n",  # a digit of any kind where the row would be
    ],
)
def test_anything_printed_where_the_row_would_stand_is_no_proof(
    tmp_path: Path, printed: str
) -> None:
    extraction, proof = _proof(tmp_path, RULES, printed)
    for key in RULES_KEYS:
        assert extraction.provenance[key].method is not Method.ABSENT
        assert proof.levels[key] is not ProofLevel.BLANK_PROVEN
    assert not proof.accepted


def test_a_row_after_a_row_printing_one_value_too_many_is_not_proven_absent(
    tmp_path: Path,
) -> None:
    # 规章 prints four values: the fourth may be the first of 规范性文件's, whose label is lost
    _, proof = _proof(tmp_path, RULES + NORMATIVE, "规章\t0\t0\t0\t0\n")
    assert proof.levels["t2.normative.total_published"] is not ProofLevel.BLANK_PROVEN
    assert not proof.accepted
