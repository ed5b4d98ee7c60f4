"""A PDF text extract whose long labels were wrapped and centred around their values (a
piece of the label, the next piece with the row's values, the rest): every row reads."""

from __future__ import annotations

import random
from pathlib import Path

from eval.synth.document import Document, t2_table, t3_table, t4_table
from eval.synth.render import pdf_text
from extractor.parser import ParserExtractor
from nianbao.core.document import SourceDocument
from nianbao.core.layout import layout_for
from nianbao.core.models import CanonicalReport
from rules.engine import check
from rules.proving import prove

REAL = Path(__file__).parent.parent / "eval" / "data" / "real"


def test_values_printed_inside_their_wrapped_label_are_the_rows() -> None:
    real = CanonicalReport.from_json((REAL / "seed-004.gold.json").read_text(encoding="utf-8"))
    # every cell printed (a row printed blank in a PDF text extract is another question)
    gold = CanonicalReport(
        meta=real.meta, cells={k: 0 if v is None else v for k, v in real.cells.items()}
    )
    layout = layout_for(gold.meta.template)
    doc = Document(
        "年度报告",
        [t2_table(layout, gold.cells), t3_table(layout, gold.cells), t4_table(layout, gold.cells)],
    )
    centred = 0
    for table in doc.tables():
        for row in table.rows:
            if row.kind == "data" and len("".join(row.labels)) >= 8:
                row.centred = True
                centred += 1
    text = pdf_text(doc, random.Random(0))
    assert "本年新\n收政府信息" in text.replace("一、", "")  # the label printed around its values
    extraction = ParserExtractor().extract(SourceDocument.from_text("r.txt", text))
    assert centred > 20
    assert extraction.report.cells == gold.cells
    proof = prove(extraction, check(extraction.report))
    assert proof.decisions == []


def test_a_measure_word_glued_to_a_value_is_no_character_of_the_label_around_it() -> None:
    from extractor.parser.labels import CjkStream

    stream = CjkStream.of("1.信\n访举报投 0 1 0 0 0 0件 1\n诉类申请")
    assert stream.chars == "信访举报投诉类申请"  # the unit 件 belongs to its 0
    assert CjkStream.of("收到申请112件，其中").chars == "收到申请其中"
    assert CjkStream.of("件数 本年新制发件数").chars == "件数本年新制发件数"  # words keep theirs
