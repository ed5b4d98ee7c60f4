"""Part 二 rows settled by the figures part 一 restates (extractor.parser.restated).

Part 二 has no identity, so a glued run cut more than one way waits for a person, unless the
narrative states every cell of the row but one and exactly one reading agrees: corpus-004's
"行政规范性文件8855698" is 88|55|698 because part 一 says 现行有效…698件 and 制发…88件.
"""

from __future__ import annotations

from extractor.parser import ParserExtractor
from extractor.readers import read_document
from nianbao.core.document import SourceDocument
from nianbao.core.models import CanonicalReport, Meta
from rules.engine import check
from rules.narrative import document_figures, narrative_figures
from rules.proof import ProofLevel
from rules.verdict import verdict
from tests.glued import REAL

NORMATIVE = ("t2.normative.issued", "t2.normative.repealed", "t2.normative.in_force")
SAID = "集中公开现行有效行政规范性文件698件，动态更新本年度制发的规范性文件88件"


def _corpus_004(said: str = SAID) -> tuple[dict[str, object], dict[str, ProofLevel], bool]:
    (path,) = REAL.glob("corpus-004*.txt")
    read = read_document(path)
    assert SAID in read.text
    doc = SourceDocument.from_text(read.name, read.text.replace(SAID, said))
    extraction = ParserExtractor().extract(doc)
    result = verdict(extraction, doc.text)
    return dict(extraction.report.cells), result.proof.levels, result.accepted


def test_the_statements_of_part_two_rows_are_read_from_the_prose_only() -> None:
    text = (
        "一、总体情况\n本年度制发规章２件，废止1件，现行有效30件。"
        "集中公开现行有效行政规范性文件698件；动态更新本年度制发的规范性文件88件。\n"
        "二、主动公开政府信息情况\n信息内容 本年制发件数 本年废止件数 现行有效件数\n"
        "规章 制发规章9件"
    )
    assert document_figures(text) == {
        "t2.rules.issued": 2,
        "t2.rules.repealed": 1,  # a clause naming no row goes on with its sentence's row
        "t2.rules.in_force": 30,
        "t2.normative.in_force": 698,
        "t2.normative.issued": 88,
    }
    assert narrative_figures(text).documents == document_figures(text)


def test_what_is_no_statement_of_a_cell() -> None:
    # no count of the row's own (主动公开, 类信息…条), a negation, a row named with no count
    # before a clause that would go on with it, and a count stated twice two ways
    assert document_figures("全年主动公开市政府规章22件、行政规范性文件34件。") == {}
    assert document_figures("其中政策、规范性文件类信息68条。未制发规章3件。") == {}
    assert document_figures("清理规范性文件，废止5件。") == {}
    twice = "制发规范性文件5件。全区共制发规范性文件6件，现行有效40件。"
    assert document_figures(twice) == {"t2.normative.in_force": 40}


def test_corpus_004_row_the_narrative_restates_is_proven_and_the_report_accepted() -> None:
    cells, levels, accepted = _corpus_004()
    assert [cells[k] for k in NORMATIVE] == [88, 55, 698]
    assert all(levels[k] is ProofLevel.READ_CONFIRMED for k in NORMATIVE)
    assert accepted


def test_a_statement_no_reading_agrees_with_settles_nothing() -> None:
    # 699 ends no cut of 8855698: the narrative counts something else, the row stays open
    cells, levels, accepted = _corpus_004(SAID.replace("698件", "699件"))
    assert all(cells[k] is None and levels[k] is ProofLevel.AMBIGUOUS for k in NORMATIVE)
    assert not accepted


def test_one_stated_cell_of_three_settles_nothing() -> None:
    # 88 stated alone leaves 55698 to cut into two cells several ways
    cells, levels, _ = _corpus_004("动态更新本年度制发的规范性文件88件")
    assert all(levels[k] is ProofLevel.AMBIGUOUS for k in NORMATIVE)
    assert cells["t2.normative.in_force"] is None
    # 88556 stated leaves one cut, 9|8, of the two cells' "98": but a blank may have left no
    # trace in the glue (98 one value): two cells the narrative does not state stay open
    cells, levels, _ = _corpus_004("动态更新本年度制发的规范性文件88556件")
    assert all(levels[k] is ProofLevel.AMBIGUOUS for k in NORMATIVE)


def test_a_row_printing_a_value_too_few_is_not_settled_by_the_two_it_prints() -> None:
    # corpus-010 prints "| 规章 | 22 | 235 |" for three cells: stating 22 and 235 shows where
    # they go, not whether the cell left over is blank or lost
    path = REAL / "corpus-010_shanghai-gov-office-2025-pdfextract.md"
    read = read_document(path)
    heading = "（一）主动公开方面"
    text = read.text.replace(heading, f"{heading}\n本年制发规章22件，现行有效规章235件。", 1)
    assert document_figures(text)["t2.rules.in_force"] == 235
    doc = SourceDocument.from_text(read.name, text, media=read.media)
    extraction = ParserExtractor().extract(doc)
    levels = verdict(extraction, doc.text).proof.levels
    # the row stays one decision for a person: which cell the print lost is theirs to see
    for col in ("issued", "repealed", "in_force"):
        assert levels[f"t2.rules.{col}"] not in (ProofLevel.READ_CONFIRMED, ProofLevel.BLANK_PROVEN)


def test_a_table_value_the_narrative_contradicts_is_a_warning() -> None:
    report = CanonicalReport.empty(Meta(template="2021", year=2022))
    report.cells["t2.normative.issued"] = 5
    figures = narrative_figures("本年度制发规范性文件6件。")
    warned = {f.rule: f for f in check(report, figures).warnings}
    assert warned["soft.narrative_documents"].cells == ["t2.normative.issued"]
    assert check(report, figures).holds
