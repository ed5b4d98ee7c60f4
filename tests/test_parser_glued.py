"""Glued web text: runs of digits cut under the row sums; only what the sums pin down is kept."""

from __future__ import annotations

from pathlib import Path

from extractor.parser import ParserExtractor
from extractor.readers import read_document
from nianbao.core.document import SourceDocument
from nianbao.core.layout import layout_for

REAL = Path(__file__).parent.parent / "eval" / "data" / "real"


def _flat_report(rows: dict[str, str], t4: str) -> str:
    """A 2021-layout report flattened to one line, every row's cells glued together."""
    layout = layout_for("2021")
    parts = ["某某街道2022年度政府信息公开工作年度报告", "三、收到和处理政府信息公开申请情况"]
    for row in layout.t3_rows:
        parts.append(row.label + rows.get(row.name, "0000000"))
    parts.append("四、政府信息公开行政复议、行政诉讼情况行政复议行政诉讼结果维持结果纠正其他结果")
    parts.append("尚未审结总计" + t4 + "五、存在的主要问题及改进情况")
    return "".join(parts)


def test_unique_cut_is_taken_and_spans_point_at_digits() -> None:
    text = _flat_report({"new": "640020470", "results_total": "640020470"}, "10203120001200000")
    ex = ParserExtractor().extract(SourceDocument.from_text("flat.txt", text))
    cells = ex.report.cells
    assert [cells[f"t3.new.{c.name}"] for c in layout_for("2021").t3_columns] == [
        64,
        0,
        0,
        2,
        0,
        4,
        70,
    ]
    prov = ex.provenance["t3.new.natural"]
    assert prov.method == "segmented" and prov.snippet == "64"
    assert ex.provenance["t3.new.total"].snippet == "70"
    t4 = [cells[k] for k in layout_for("2021").keys if k.startswith("t4.")]
    assert t4 == [1, 0, 2, 0, 3, 12, 0, 0, 0, 12, 0, 0, 0, 0, 0]
    assert "t3.new.natural" not in ex.flags


def test_ambiguous_cut_keeps_agreed_cells_and_flags_the_rest() -> None:
    # "110000011": 11,0,0,0,0,0,11 or 1,10,0,0,0,0,11; printed alike in the rows the column
    # sums tie together, so the identities cannot tell them apart either
    glued = "110000011"
    text = _flat_report({"new": glued, "granted": glued, "results_total": glued}, "0" * 15)
    ex = ParserExtractor().extract(SourceDocument.from_text("flat.txt", text))
    prov = ex.provenance["t3.granted.natural"]
    assert ex.report.cells["t3.granted.natural"] is None
    assert "t3.granted.natural" in ex.flags and len(prov.alternatives) >= 2
    assert ex.report.cells["t3.granted.total"] == 11  # every reading agrees on the total


def test_real_web_text_part_four_decodes_as_its_sources_say() -> None:
    # SOURCES.md: 006's T4 "21317000001324019" decodes uniquely to 2,1,3,1,7 / 0*5 / 13,2,4,0,19
    ex = ParserExtractor().extract(read_document(REAL / "corpus-006_pingtan-2024-webtext.txt"))
    t4 = [v for k, v in ex.report.cells.items() if k.startswith("t4.")]
    assert t4 == [2, 1, 3, 1, 7, 0, 0, 0, 0, 0, 13, 2, 4, 0, 19]
    # ... as the only cut of 15 printed cells: a cell the flattening lost, or a value printed
    # twice, would cut the 17 digits otherwise with every group sum holding, so a person
    # confirms the run, once
    from extractor.parser.resolve import GLUED_T4_CUT
    from rules.engine import check
    from rules.proving import prove

    proof = prove(ex, check(ex.report))
    t4_keys = [k for k in ex.report.cells if k.startswith("t4.")]
    assert all(GLUED_T4_CUT in ex.provenance[k].notes for k in t4_keys)
    assert len({proof.decision_of[k] for k in t4_keys}) == 1


def test_part_four_read_a_digit_a_cell_is_in_doubt_where_two_digits_may_be_one_value() -> None:
    # synth-9270-0156: 直接起诉 printed "0 1 0 12" with its 维持 lost: "000000101200000" has
    # 15 digits for 15 cells, and 0|1|0|1|2 makes every group sum hold: read as printed, a
    # wrong row went out unflagged
    from extractor.parser.resolve import GLUED_T4_LOST

    ex = ParserExtractor().extract(
        SourceDocument.from_text("flat.txt", _flat_report({}, "000000101200000"))
    )
    t4_keys = [k for k in ex.report.cells if k.startswith("t4.")]
    assert [ex.report.cells[k] for k in t4_keys][5:10] == [0, 1, 0, 1, 2]
    assert all(GLUED_T4_LOST in ex.provenance[k].notes for k in t4_keys)
    assert set(t4_keys) <= set(ex.flags)
    # zeros only: no two digits can be one value (none starts with 0), no cell can hide
    ex = ParserExtractor().extract(SourceDocument.from_text("flat.txt", _flat_report({}, "0" * 15)))
    assert not any(k.startswith("t4.") for k in ex.flags)


def test_a_blank_the_identities_say_is_not_zero_is_flagged() -> None:
    text = (REAL / "seed-001.txt").read_text(encoding="utf-8")
    # seed-001 prints (七)总计 as "0\t0\t..."; print the 自然人 cell of 予以公开 as "3" and the
    # total's 自然人 as blank: results_sum[natural] then says the blank holds 3
    lines = text.splitlines()
    at = next(i for i, line in enumerate(lines) if line.startswith("三、本年度办理结果"))
    lines[at] = lines[at].replace("予以公开\t0", "予以公开\t3", 1)
    total = next(i for i, line in enumerate(lines) if "总计\t0" in line and "七" in line)
    lines[total] = lines[total].replace("总计\t0", "总计\t/", 1)
    ex = ParserExtractor().extract(SourceDocument.from_text("x.txt", "\n".join(lines)))
    prov = ex.provenance["t3.results_total.natural"]
    assert ex.report.cells["t3.results_total.natural"] is None and prov.method == "blank"
    assert any("implies 3" in note for note in prov.notes)


def test_a_placeholder_glued_after_a_run_is_a_cell_not_nothing() -> None:
    # corpus-003 prints 规章 "000" before the next label; with a blank's "/" glued on after
    # it the row prints four things for three cells: "000" is no longer its only reading
    text = (REAL / "corpus-003_pingtan-2021-webtext.txt").read_text(encoding="utf-8")
    assert "规章 000行政规范性文件" in text
    plain = ParserExtractor().extract(SourceDocument.from_text("flat.txt", text))
    assert [plain.report.cells[f"t2.rules.{c}"] for c in ("issued", "repealed", "in_force")] == [
        0,
        0,
        0,
    ]
    assert not [k for k in plain.flags if k.startswith("t2.rules.")]
    damaged = text.replace("规章 000行政规范性文件", "规章 000/行政规范性文件", 1)
    ex = ParserExtractor().extract(SourceDocument.from_text("flat.txt", damaged))
    for col in ("issued", "repealed", "in_force"):
        assert f"t2.rules.{col}" in ex.flags


def test_an_amount_printed_twice_and_glued_is_a_doubt() -> None:
    # "486.5289486.5289": no number has two decimal points; the first read is a guess
    text = (REAL / "corpus-003_pingtan-2021-webtext.txt").read_text(encoding="utf-8")
    at = text.index("行政事业性收费") + len("行政事业性收费")
    damaged = text[:at] + "486.5289486.5289" + text[text.index("三、收到和处理", at) :]
    ex = ParserExtractor().extract(SourceDocument.from_text("flat.txt", damaged))
    assert "t2.fees.amount_wan" in ex.flags


def test_a_dash_glued_to_a_zero_on_a_flat_page_stays_the_rows_blank() -> None:
    # corpus-003's 上年结转 row with its 其他 cell printed "—" and glued to the total's 0
    # ("…0 —0"): "—0" folds to "-0", which is a blank and a 0, and the glued row's
    # placeholder reading still takes the dash as its blank
    text = (REAL / "corpus-003_pingtan-2021-webtext.txt").read_text(encoding="utf-8")
    plain = "上年结转政府信息公开申请数量0000000"
    assert plain in text
    damaged = text.replace(plain, "上年结转政府信息公开申请数量0 0 00 0 —0", 1)
    ex = ParserExtractor().extract(SourceDocument.from_text("flat.txt", damaged))
    cells = [ex.report.cells[f"t3.carried_over.{c}"] for c in ("natural", "other_org", "total")]
    assert cells == [0, None, 0]
    assert ex.provenance["t3.carried_over.other_org"].method == "blank"


def test_a_thousands_space_on_a_page_that_glues_values_leaves_part_two_in_doubt() -> None:
    # found by a rewrite hunt: 88 | 55 | 1698 printed "88 551 698" on a page that glues its
    # values (a stray space, then 1698's thousands space): three tokens for three cells read
    # 88, 551, 698 with nothing noted, and part 二 has no identity to notice
    text = (REAL / "corpus-004_pingtan-2022-webtext.txt").read_text(encoding="utf-8")
    assert "行政规范性文件8855698" in text
    spaced = text.replace("行政规范性文件8855698", "行政规范性文件88 551 698")
    read = ParserExtractor().extract(SourceDocument.from_text("x.txt", spaced))
    keys = ("t2.normative.issued", "t2.normative.repealed", "t2.normative.in_force")
    assert all(key in read.flags for key in keys)
