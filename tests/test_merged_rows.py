"""A group printed as one merged row: a 0 it prints is each of its rows' 0, checked by the
identities; any other value cannot be shared out and stays open."""

from __future__ import annotations

import random
from pathlib import Path

from eval.synth.document import Document, t2_table, t3_table, t4_table
from eval.synth.render import tab_rows
from extractor.parser import ParserExtractor
from nianbao.core.document import SourceDocument
from nianbao.core.layout import layout_for
from nianbao.core.models import CanonicalReport, CellValue, Meta
from rules.engine import check
from rules.proof import ProofLevel
from rules.proving import prove

LAYOUT = layout_for("2021")
REAL = Path(__file__).parent.parent / "eval" / "data" / "real"
SUB_ROWS = [r.name for r in LAYOUT.t3_rows if r.group_label == "（六）其他处理"]


def _text(printed: list[str], **natural: int) -> str:
    """A clean 2021 tab report (parts 二 and 四 from a real gold) whose （六）其他处理 group
    is printed as the one row `printed` (its seven cells)."""
    base = CanonicalReport.from_json(
        (REAL / "corpus-013_hongze-district-2024.gold.json").read_text(encoding="utf-8")
    )
    cells: dict[str, CellValue] = dict(base.cells)
    for key in cells:
        if key.startswith("t3."):
            cells[key] = 0
    for name, n in natural.items():
        cells[f"t3.{name}.natural"] = cells[f"t3.{name}.total"] = n
    done = sum(natural.values())
    for col in ("natural", "total"):
        cells[f"t3.results_total.{col}"] = cells[f"t3.new.{col}"] = done
    gold = CanonicalReport(meta=Meta(organ="某区", year=2024, template="2021"), cells=cells)
    doc = Document(
        "某区2024年政府信息公开工作年度报告",
        [t2_table(LAYOUT, gold.cells), t3_table(LAYOUT, gold.cells), t4_table(LAYOUT, gold.cells)],
    )
    lines = tab_rows(doc, random.Random(0)).split("\n")
    at = next(i for i, line in enumerate(lines) if "1.申请人无正当理由" in line)
    lines[at : at + 3] = ["（六）其他处理\t" + "\t".join(printed)]
    return "\n".join(lines)


def _prove(text: str) -> tuple[dict[str, ProofLevel], dict[str, CellValue]]:
    extraction = ParserExtractor().extract(SourceDocument.from_text("r.txt", text))
    proof = prove(extraction, check(extraction.report))
    return proof.levels, extraction.report.cells


def _sub_keys(column: str) -> list[str]:
    return [f"t3.{name}.{column}" for name in SUB_ROWS]


def test_a_merged_row_of_zeros_proves_each_of_its_rows_zero() -> None:
    levels, cells = _prove(_text(["0"] * 7, granted=4))
    assert len(SUB_ROWS) == 3
    for key in _sub_keys("natural") + _sub_keys("total"):
        assert cells[key] == 0
        assert levels[key] is ProofLevel.READ_CONFIRMED
    assert all(level is ProofLevel.READ_CONFIRMED for level in levels.values())


def test_a_merged_zero_an_identity_contradicts_is_not_confirmed() -> None:
    # the results total says 5 natural-person results, the printed rows add to 4: the
    # merged row's 0 may be the misread cell
    text = _text(["0"] * 7, granted=4).replace("（七）总计\t4\t", "（七）总计\t5\t")
    levels, cells = _prove(text)
    assert cells["t3.results_total.natural"] == 5
    for key in _sub_keys("natural"):
        assert cells[key] == 0
        assert levels[key] is ProofLevel.CONTRADICTS


def test_a_merged_row_value_other_than_zero_cannot_be_shared_out() -> None:
    printed = ["1", "0", "0", "0", "0", "0", "1"]
    levels, cells = _prove(_text(printed, granted=3, **{"other.misc": 1}))
    for key in _sub_keys("natural"):
        assert cells[key] is None
        assert levels[key] is not ProofLevel.READ_CONFIRMED
    for key in _sub_keys("legal"):
        # its 0 columns are still each row's 0, but unchecked: each row's sum has a null
        assert cells[key] == 0
        assert levels[key] is ProofLevel.AMBIGUOUS
