"""Units, response models, grounding: generated from the layout, tolerant but strict on digits."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from extractor.llm.grounding import locate
from extractor.llm.responses import answer_model
from extractor.llm.template import choose_template
from extractor.llm.units import split_units, unit_for_cells
from nianbao.core.layout import TEMPLATES, layout_for
from nianbao.core.models import Alignment
from tests.llm.oracle import REAL


@pytest.mark.parametrize("template", TEMPLATES)
@pytest.mark.parametrize("split", ["whole", "parts", "rows:4", "rows:9"])
def test_every_split_asks_for_every_cell_once(template: str, split: str) -> None:
    keys = [k for unit in split_units(template, split) for k in unit.keys]
    assert sorted(keys) == sorted(layout_for(template).keys)
    assert len(keys) == len(set(keys))


def test_response_model_fields_come_from_the_layout() -> None:
    (t3,) = [u for u in split_units("2021", "parts") if u.name == "t3"]
    model = answer_model(t3)
    row_model = model.model_fields["rows"].annotation.__args__[0]
    columns = [c.name for c in layout_for("2021").t3_columns]
    assert [f for f in row_model.model_fields if f not in ("row", "quote")] == columns
    assert model.expected_rows == tuple(f"t3.{r.name}" for r in layout_for("2021").t3_rows)
    good = {"rows": [{"row": k, "quote": ""} for k in model.expected_rows]}
    assert model.model_validate(good)
    with pytest.raises(ValueError, match=r"rows missing: t3\.carried_forward"):
        model.model_validate({"rows": good["rows"][:-1]})
    with pytest.raises(ValueError, match="give the quote"):
        model.model_validate({"rows": [{"row": "t3.new", "natural": 1}, *good["rows"][1:]]})


def test_a_targeted_unit_holds_only_the_rows_of_its_cells() -> None:
    unit = unit_for_cells("2019", ["t3.new.total", "t3.new.natural", "t4.review.total"], "x")
    assert [r.key for r in unit.rows] == ["t3.new", "t4.review"]
    with pytest.raises(ValueError, match="not in template 2019"):
        unit_for_cells("2019", ["t3.other.misc.total"], "x")


SOURCE = "三、本年度办理结果\n（一）予以公开\t1\t0\n\n0\u30000\t1\n（二）部分公开 0 0 0 0 0 0 0"


def test_locate_exact_fuzzy_and_not_found() -> None:
    exact = locate("（二）部分公开", SOURCE)
    assert exact.alignment is Alignment.EXACT
    assert SOURCE[exact.span[0] : exact.span[1]] == "（二）部分公开"
    # whitespace, full-width brackets and spaces differ: found, spans cover the source text
    fuzzy = locate("(一)予以公开 1 0 0 0 1", SOURCE)
    assert fuzzy.alignment is Alignment.FUZZY
    assert SOURCE[fuzzy.span[0] : fuzzy.span[1]] == "（一）予以公开\t1\t0\n\n0\u30000\t1"
    # one OCR-garbled character still aligns (rapidfuzz), the digits being the same
    assert locate("(一)予以公幵 1 0 0 0 1", SOURCE).alignment is Alignment.FUZZY
    # the same row with a changed number is not the source: not found
    assert locate("(一)予以公开 1 0 0 0 2", SOURCE).alignment is Alignment.NOT_FOUND
    assert locate("收到申请八件", SOURCE).alignment is Alignment.NOT_FOUND
    assert locate("", SOURCE).span is None


def test_cell_spans_only_when_the_numbers_match_one_by_one() -> None:
    from extractor.llm.grounding import cell_spans

    source = "行政许可\t/\t3\t4\n社会 640020470"
    cells = {"t2.license.prev_items": None, "t2.license.change": 3, "t2.license.decisions": 4}
    spans = cell_spans((0, 11), cells, source)
    assert {k: source[a:b] for k, (a, b) in spans.items()} == {
        "t2.license.change": "3",
        "t2.license.decisions": "4",
    }
    assert cell_spans((0, 11), cells | {"t2.license.decisions": 5}, source) == {}
    glued = {f"t3.new.{c}": v for c, v in zip("abcdefg", [64, 0, 0, 2, 0, 4, 70], strict=True)}
    assert cell_spans((12, len(source)), glued, source) == {}  # one run: the row span stands


@settings(max_examples=40, deadline=None)
@given(
    st.lists(st.integers(0, 999), min_size=1, max_size=7),
    st.sampled_from([" ", "\t", "\n\n", "\u3000", "\n\t"]),
)
def test_a_row_quoted_with_other_whitespace_is_found(values: list[int], sep: str) -> None:
    source = "前文\n一、本年新收政府信息公开申请数量" + sep + sep.join(map(str, values)) + "\n后文"
    quote = "一、本年新收政府信息公开申请数量 " + " ".join(map(str, values))
    found = locate(quote, source)
    assert found.alignment in (Alignment.EXACT, Alignment.FUZZY)
    assert "".join(source[found.span[0] : found.span[1]].split()) == "".join(quote.split())


def test_the_template_follows_the_printed_labels() -> None:
    text_2019 = (REAL / "seed-004.txt").read_text("utf-8")
    text_2021 = (REAL / "seed-003.txt").read_text("utf-8")
    assert choose_template(text_2019, "2021", 2021) == ("2019", "labels")
    assert choose_template(text_2021, "2019", 2020) == ("2021", "labels")
    assert choose_template("no tables here", "2019", 2023) == ("2019", "model")
    assert choose_template("no tables here", None, 2020) == ("2019", "year")


@pytest.mark.parametrize(
    "name", ["seed-002.txt", "seed-003.txt", "corpus-006_pingtan-2024-webtext.txt"]
)
def test_the_tables_window_drops_prose_and_keeps_every_table(name: str) -> None:
    from extractor.llm.grounding import normalise
    from extractor.llm.sections import tables_window

    text = (REAL / name).read_text("utf-8")
    template, _ = choose_template(text, None, None)
    start, end = tables_window(text, template)
    window = normalise(text[start:end])
    assert end - start < 0.7 * len(text)  # part 一's prose is gone
    assert "总体情况" not in window
    for row in layout_for(template).t3_rows[:2]:  # the table's rows are all still there
        assert normalise(row.label) in window
    assert "结转下年度继续办理" in window and "复议后起诉" in window


def test_a_report_without_recognisable_tables_is_sent_whole() -> None:
    from extractor.llm.sections import tables_window

    text = "2023年政府信息公开工作年度报告\n一、总体情况……\n表格见附件"
    assert tables_window(text, "2021") == (0, len(text))
