"""The review screen's pure parts: grids from the layout, statuses, source view, review logic."""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path

import pytest

from nianbao.core.layout import LAYOUTS
from nianbao.core.models import CanonicalReport, CellProvenance
from rules.engine import check
from rules.narrative import narrative_figures
from ui.equations import readable_findings
from ui.grids import Selection, part_html
from ui.logic import ReviewReport, acceptance, candidates, check_accept, evaluate, parse_value
from ui.queries import gold_stem
from ui.source_view import MARK_ID, source_html
from ui.status import CellStatus

REAL = Path(__file__).parent.parent / "eval" / "data" / "real"


def _gold(stem: str) -> CanonicalReport:
    return CanonicalReport.from_json((REAL / f"{stem}.gold.json").read_text(encoding="utf-8"))


def _review(stem: str = "seed-003", **kw) -> ReviewReport:
    """The gold as the pipeline's reading: every value read from a span, every null unread
    (no blank to show for it); `provenance` in `kw` overrides single cells."""
    gold = _gold(stem)
    read = {
        k: CellProvenance(extractor="parser", span=(0, 1), snippet=str(v))
        for k, v in gold.cells.items()
        if v is not None
    }
    kw["provenance"] = read | kw.get("provenance", {})
    return ReviewReport(
        report_id=1,
        source_name=f"{stem}.txt",
        source_text=(REAL / f"{stem}.txt").read_text(encoding="utf-8"),
        meta=gold.meta,
        extracted=dict(gold.cells),
        **kw,
    )


@pytest.mark.parametrize("template", ["2019", "2021"])
def test_grids_hold_every_key_of_the_layout_once(template: str) -> None:
    layout = LAYOUTS[template]
    values = dict.fromkeys(layout.keys, 7)
    html = "".join(part_html(p, template, values, {}) for p in ("t2", "t3", "t4"))
    keys = re.findall(r'data-key="([^"]+)"', html)
    assert sorted(keys) == sorted(layout.keys)
    # every row and column label of the layout is printed in the tables
    for spec in layout.cells:
        assert spec.row_label in html, spec.key
        assert spec.column_label in html, spec.key
    for row in layout.t3_rows:
        if row.group_label:
            assert row.group_label in html
    # the printed super-headers: applicants over part 三, 行政诉讼 over the two kinds of suit
    assert '<th colspan="5">法人或其他组织</th>' in html
    assert '<th rowspan="2" class="nb-label nb-group">行政诉讼</th>' in html


def test_grid_rows_follow_the_printed_order() -> None:
    html = part_html("t3", "2021", {}, {})
    labels = [r.label for r in LAYOUTS["2021"].t3_rows]
    positions = [html.index(label) for label in labels]
    assert positions == sorted(positions)


def test_grid_marks_status_and_selection_and_escapes_values() -> None:
    key = "t3.new.total"
    html = part_html(
        "t3",
        "2021",
        {key: 0},
        {key: CellStatus.BROKEN, "t3.new.natural": CellStatus.NULL},
        Selection(key),
    )
    cell = re.search(rf'<td class="([^"]+)" data-key="{re.escape(key)}"', html)
    assert cell and "nb-broken" in cell.group(1) and "nb-selected" in cell.group(1)
    row_cell = re.search(r'<td class="([^"]+)" data-key="t3.new.natural"', html)
    assert row_cell and "nb-null" in row_cell.group(1) and "nb-row" in row_cell.group(1)


def test_source_view_escapes_markup_and_marks_the_span() -> None:
    text = "前言<script>alert(1)</script>\n<img src=x onerror=alert(1)>\n新收 8 件"
    start = text.index("8")
    html = source_html(text, (start, start + 1), row_spans=[(text.index("新收"), start + 1)])
    assert "<script>alert" not in html and "<img src" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html
    assert f'<mark class="nb-cell-mark" id="{MARK_ID}">8</mark>' in html
    assert '<mark class="nb-row-mark">新收 </mark>' in html
    # no script at all: the box is inline HTML, the mark kept in view by folding the text
    assert "<script" not in html.lower() and "<iframe" not in html.lower()


def test_source_view_folds_the_lines_above_the_mark() -> None:
    text = "".join(f"第{n}行\n" for n in range(40)) + "新收 8 件\n" + "尾\n" * 10
    start = text.index("新收 8") + 3
    html = source_html(text, (start, start + 1), row_spans=[(text.index("新收"), start + 1)])
    box = html[html.index('<div id="nb-source">') :]
    folded = box[: box.index("</details>")]
    assert "<details" in folded and "第0行" in folded and "第33行" in folded
    assert "第34行" not in folded and "第34行" in box  # CONTEXT_LINES lines shown above
    assert box.index(f'id="{MARK_ID}"') > box.index("</details>")
    assert "<details" not in source_html("新收 8 件", (3, 4))  # nothing above: no fold


def test_source_view_survives_spans_out_of_range() -> None:
    html = source_html("abc", (10, 20), row_spans=[None, (2, 1)])
    assert 'id="nb-sel"' not in html and "abc" in html


def test_findings_read_as_equations_with_labels() -> None:
    rr = _review()
    ev = evaluate(rr)
    readable = readable_findings("2021", ev.result, rr.values)
    first = readable[0]
    assert first.severity == "error"
    assert first.equation == (
        "自然人 8 + 商业企业 1 + 科研机构 0 + 社会公益组织 0 + 法律服务机构 0 + 其他 0 = 9 ≠ 总计 0"
    )
    assert "一、本年新收政府信息公开申请数量" in first.title


def test_statuses_follow_the_current_values() -> None:
    rr = _review()
    ev = evaluate(rr)
    assert ev.statuses["t3.new.total"] is CellStatus.BROKEN
    assert ev.statuses["t3.granted.natural"] is CellStatus.VERIFIED
    assert not acceptance(ev).clean
    # the fix the error localisation implies repairs every identity
    suspect = ev.result.suspects[0]
    fixed = rr
    for key in suspect.cells:
        fixed = fixed.with_value(key, suspect.implied[key])
    ev2 = evaluate(fixed)
    assert ev2.result.holds and acceptance(ev2).clean
    assert ev2.statuses["t3.new.total"] is CellStatus.REVIEWED
    assert ev2.statuses["t3.carried_over.natural"] is CellStatus.VERIFIED
    check_accept(ev2, None)  # clean: no reason needed


def test_accepting_a_broken_report_needs_a_reason() -> None:
    ev = evaluate(_review())
    with pytest.raises(ValueError, match="source's own error"):
        check_accept(ev, "  ")
    check_accept(ev, "the source prints total 0 for this row")


def test_candidates_offer_each_reading_and_the_implied_value() -> None:
    rr = _review()
    parser = dict(rr.extracted)
    llm = {**parser, "t3.new.total": 9}
    rr = _review(
        readings={"parser": parser, "llm": llm},
        provenance={"t3.new.total": CellProvenance(extractor="parser", alternatives=[90])},
    )
    ev = evaluate(rr)
    assert "t3.new.total" in ev.disagreements
    assert ev.statuses["t3.new.total"] is CellStatus.BROKEN
    found = {c.value: c.sources for c in candidates(rr, "t3.new.total", ev.result)}
    assert found[0] == ("parser",)
    assert found[9] == ("llm", "implied by suspect #1")
    assert found[90] == ("other reading",)


def test_disagreement_and_low_confidence_colours() -> None:
    rr = _review("seed-004")
    assert evaluate(rr).result.holds
    key = "t2.rules.new_made"
    llm = {**rr.extracted, key: 5}
    rr = _review(
        "seed-004",
        readings={"parser": dict(rr.extracted), "llm": llm},
        provenance={"t2.normative.new_made": CellProvenance(extractor="llm", confidence=0.4)},
    )
    ev = evaluate(rr)
    assert ev.statuses[key] is CellStatus.DISAGREEMENT
    assert ev.statuses["t2.normative.new_made"] is CellStatus.LOW_CONFIDENCE
    # open: those two, and every null the extractor did not see as a blank (no provenance here)
    nulls = {k for k, v in rr.values.items() if v is None}
    assert set(ev.open_cells) == {key, "t2.normative.new_made"} | nulls
    assert all(ev.statuses[k] is CellStatus.NULL for k in nulls - {key})


@pytest.mark.parametrize(
    ("key", "text", "expected"),
    [
        ("t3.new.total", " 12 ", 12),
        ("t3.new.total", "1,234", 1234),
        ("t3.new.total", "", None),
        ("t3.new.total", "—", None),
        ("t2.license.change", "-3", -3),
        ("t2.procurement.amount_wan", "373.9265", Decimal("373.9265")),
    ],
)
def test_parse_value(key: str, text: str, expected: object) -> None:
    assert parse_value("2019", key, text) == expected


@pytest.mark.parametrize(
    ("key", "text", "message"),
    [
        ("t3.new.total", "abc", "not a number"),
        ("t3.new.total", "1.5", "whole number"),
        ("t3.new.total", "-1", "cannot be negative"),
        ("t2.procurement.amount_wan", "-1", "cannot be negative"),
        ("t3.new.total", "nan", "not a number"),
    ],
)
def test_parse_value_rejects(key: str, text: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        parse_value("2019", key, text)


def test_soft_and_domain_findings_read_in_words() -> None:
    rr = _review()
    rr = rr.with_value("t3.granted.natural", -1)
    result = evaluate(rr).result
    narrative = check(rr.report(), narrative_figures(rr.source_text))
    readable = {f.rule: f for f in readable_findings("2021", narrative, rr.values)}
    soft = readable["soft.narrative_applications"]
    assert soft.title == "soft check: narrative_applications"
    assert soft.equation.startswith("the text says 9 applications")
    domain = readable["domain[t3.granted.natural]"]
    assert domain.title == "domain: domain[t3.granted.natural]"
    assert "cannot be negative" in domain.equation
    assert any(f.rule == "domain[t3.granted.natural]" for f in result.findings)


@pytest.mark.parametrize(
    ("name", "stem"),
    [
        ("seed-003.txt", "seed-003"),
        ("平潭 2019 报告.pdf", "平潭_2019_报告"),
        ("../../etc/passwd", "passwd"),
        ("..txt", "report-7"),
        ("<script>.md", "script"),
    ],
)
def test_gold_stem_is_a_safe_file_name(name: str, stem: str) -> None:
    assert gold_stem(name, 7) == stem
