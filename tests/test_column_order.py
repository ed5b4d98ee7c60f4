"""Part 三 printed with two legal-person columns in another order, its header saying so: no
identity can see it (every sum holds either way), so the header places the values and a
person confirms; a header that does not name the five columns once leaves the national order."""

from __future__ import annotations

from extractor.parser import ParserExtractor
from extractor.parser.columns import REORDERED
from nianbao.core.document import SourceDocument
from rules.engine import check
from rules.proof import ProofLevel
from rules.proving import prove
from tests.test_placement import _cells, _report_text


def _swapped(text: str, header: str) -> str:
    """`text` with 科研机构 and 社会公益组织 printed the other way round in every row of part
    三, and its header's second line replaced by `header`."""
    out = []
    for line in text.split("\n"):
        parts = line.split("\t")
        if len(parts) >= 8 and all(p.strip().lstrip("-").isdigit() for p in parts[-7:]):
            values = parts[-7:]
            values[2], values[3] = values[3], values[2]
            line = "\t".join(parts[:-7] + values)
        out.append(line)
    text = "\n".join(out)
    national = "商业企业\t科研机构\t社会公益组织\t法律服务机构\t其他"
    assert national in text
    return text.replace(national, header, 1)


def _read(text: str):  # type: ignore[no-untyped-def]
    extraction = ParserExtractor().extract(SourceDocument.from_text("r.txt", text))
    return extraction, prove(extraction, check(extraction.report))


def test_columns_the_header_prints_in_another_order_are_placed_by_it_and_flagged() -> None:
    cells = _cells(granted=3)
    cells["t3.granted.research"], cells["t3.granted.total"] = 2, 5
    for row in ("new", "results_total"):
        cells[f"t3.{row}.research"], cells[f"t3.{row}.total"] = 2, 5
    text, gold = _report_text(cells)
    extraction, proof = _read(
        _swapped(text, "商业企业\t社会公益组织\t科研机构\t法律服务机构\t其他")
    )
    assert extraction.report.cells == gold.cells  # research 2, social 0, as the header says
    assert REORDERED in extraction.provenance["t3.granted.research"].notes
    assert proof.levels["t3.granted.research"] is not ProofLevel.READ_CONFIRMED
    assert proof.decisions  # a person confirms a table that is not the national one


def test_a_header_not_naming_the_five_once_leaves_the_national_order() -> None:
    text, gold = _report_text(_cells(granted=3))
    extraction, proof = _read(text.replace("科研机构", "数据3", 1))
    assert extraction.report.cells == gold.cells
    assert not any(REORDERED in p.notes for p in extraction.provenance.values())
    assert proof.decisions == []


def test_an_ocr_misread_group_label_lends_no_column_its_other() -> None:
    # "去人或其他组织" (法 misread) and "甚他" (其 misread): the group's own 其他 was taken for
    # the 其他 column, printed first, and every row of part 三 waited, one decision each
    text, gold = _report_text(_cells(granted=3))
    assert "法人或其他组织" in text and "\t其他" in text
    garbled = text.replace("法人或其他组织", "去人或其他组织", 1).replace("\t其他", "\t甚他", 1)
    extraction, proof = _read(garbled)
    assert extraction.report.cells == gold.cells
    assert not any(REORDERED in p.notes for p in extraction.provenance.values())
    assert proof.accepted


def test_a_reordered_header_is_one_decision_for_the_whole_part() -> None:
    text, _ = _report_text(_cells(granted=3))
    _, proof = _read(_swapped(text, "商业企业\t社会公益组织\t科研机构\t法律服务机构\t其他"))
    reordered = [d for d in proof.decisions if "another order" in d.reason]
    assert len(reordered) == 1 and reordered[0].kind == "rows"
