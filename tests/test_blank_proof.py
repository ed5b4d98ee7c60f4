"""Blanks proven by the source's structure, through the real readers and parser (seed-001)."""

from __future__ import annotations

from pathlib import Path

from extractor.parser import ParserExtractor
from extractor.readers import read_document
from rules.engine import check
from rules.proof import ProofLevel
from rules.proving import prove
from tests.test_parser_formats import _as_html

REAL = Path(__file__).parent.parent / "eval" / "data" / "real"
TEXT = (REAL / "seed-001.txt").read_text(encoding="utf-8")
ROW = "1.属于国家秘密\t0\t0\t0\t0\t0\t0\t0"
KEY = "t3.denied.state_secret"


def _proof(tmp_path: Path, row: str, name: str = "r.html"):  # type: ignore[no-untyped-def]
    assert ROW in TEXT
    text = TEXT.replace(ROW, row)
    path = tmp_path / name
    path.write_bytes(_as_html(text) if name.endswith(".html") else text.encode("utf-8"))
    extraction = ParserExtractor().extract(read_document(path))
    return extraction, prove(extraction, check(extraction.report))


def test_an_empty_html_cell_between_values_is_a_proven_blank(tmp_path: Path) -> None:
    extraction, proof = _proof(tmp_path, "1.属于国家秘密\t0\t0\t\t0\t0\t0\t0")
    assert extraction.report.cells[f"{KEY}.research"] is None
    assert proof.levels[f"{KEY}.research"] is ProofLevel.BLANK_PROVEN
    assert proof.levels[f"{KEY}.total"] is ProofLevel.READ_CONFIRMED
    assert proof.accepted


def test_a_placeholder_in_its_cell_is_a_proven_blank(tmp_path: Path) -> None:
    for mark in ("—", "/", "-", "无"):
        _, proof = _proof(tmp_path, f"1.属于国家秘密\t0\t{mark}\t0\t0\t0\t0\t0", "r.txt")
        assert proof.levels[f"{KEY}.commercial"] is ProofLevel.BLANK_PROVEN, mark
        assert proof.accepted


def test_an_empty_cell_at_the_rows_edge_is_no_proof(tmp_path: Path) -> None:
    # the last cell empty: a blank, or a value lost with its separator behind a padded row
    extraction, proof = _proof(tmp_path, "1.属于国家秘密\t0\t0\t0\t0\t0\t0\t")
    assert extraction.report.cells[f"{KEY}.total"] is None
    assert proof.levels[f"{KEY}.total"] is not ProofLevel.BLANK_PROVEN
    assert not proof.accepted and f"{KEY}.total" in proof.flags()
    # the row's other cells are placed by counting that empty cell as one of the row's: were
    # it the table's layout, a value lost elsewhere would move them (all 0s here: the
    # identities cannot tell), so they are named with it
    assert all(f"{KEY}.{c}" in proof.flags() for c in ("natural", "legal", "other_org"))


def test_a_value_missing_with_no_cell_left_is_not_a_blank(tmp_path: Path) -> None:
    _, proof = _proof(tmp_path, "1.属于国家秘密\t0\t0\t0\t0\t0\t0", "r.txt")
    row = [k for k in proof.levels if k.startswith(f"{KEY}.")]
    assert not any(proof.levels[k] is ProofLevel.BLANK_PROVEN for k in row)
    assert not proof.accepted
