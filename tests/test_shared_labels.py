"""Two row labels on one line with nothing between them: one row printed nothing, and the
values after the second label may be either row's (a PDF's text joins an empty row's label
to the next). Through the real reader and parser, on corpus-008 (accepted as printed)."""

from __future__ import annotations

from pathlib import Path

from extractor.parser import ParserExtractor
from extractor.parser.locate import SHARED_LABEL
from extractor.readers import read_document
from rules.engine import check
from rules.proving import prove
from tests.common import REAL

TEXT = (REAL / "corpus-008_shuyang-county-gov-2025-ocr-md.txt").read_text(encoding="utf-8")
ROWS = "| 行政处罚 | 693957 |\n| 行政强制 | 2154 |\n"


def _proof(tmp_path: Path, rows: str):  # type: ignore[no-untyped-def]
    assert ROWS in TEXT
    path = tmp_path / "report.txt"
    path.write_text(TEXT.replace(ROWS, rows, 1), encoding="utf-8")
    extraction = ParserExtractor().extract(read_document(path))
    return extraction, prove(extraction, check(extraction.report))


def test_values_after_two_labels_on_one_line_are_not_taken_as_the_second_rows(
    tmp_path: Path,
) -> None:
    _, proof = _proof(tmp_path, ROWS)
    assert proof.accepted  # as printed

    extraction, proof = _proof(tmp_path, "行政处罚 行政强制\t2154\n")
    assert extraction.report.cells["t2.coercion.decisions"] == 2154  # the reading is kept ...
    assert SHARED_LABEL in extraction.provenance["t2.coercion.decisions"].notes
    flags = proof.flags()
    assert "t2.coercion.decisions" in flags and "t2.penalty.decisions" in flags  # ... doubted
    assert not proof.accepted


def test_a_label_on_a_line_of_its_own_is_no_shared_label(tmp_path: Path) -> None:
    extraction, _ = _proof(tmp_path, "行政处罚\n行政强制\t2154\n")
    assert SHARED_LABEL not in extraction.provenance["t2.coercion.decisions"].notes
