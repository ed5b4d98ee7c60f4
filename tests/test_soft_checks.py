"""Soft checks: narrative figures and template/year are warnings, never errors."""

from __future__ import annotations

from pathlib import Path

from nianbao.core.models import CanonicalReport, Meta
from rules.engine import check
from rules.findings import Severity
from rules.narrative import narrative_figures
from rules.soft import NarrativeFigures

DATA = Path(__file__).parent.parent / "eval" / "data" / "real"


def test_narrative_figures_are_read_from_prose_only() -> None:
    text = (
        "一、总体情况\n2021年共收到政府信息公开申请１２件，发生行政复议3件，行政诉讼1件。\n"
        "三、收到和处理政府信息公开申请情况\n一、本年新收政府信息公开申请数量 99件"
    )
    assert narrative_figures(text) == NarrativeFigures(
        applications=12, review_cases=3, lawsuit_cases=1
    )
    assert narrative_figures("无相关内容") == NarrativeFigures()


def test_narrative_disagreement_is_a_warning() -> None:
    report = CanonicalReport.from_json((DATA / "seed-003.gold.json").read_text(encoding="utf-8"))
    figures = narrative_figures((DATA / "seed-003.txt").read_text(encoding="utf-8"))
    assert figures.applications == 9
    rules = {f.rule: f for f in check(report, figures).findings}
    # the table prints new total 0 (the report's own error): the text's 9 disagrees
    assert rules["soft.narrative_applications"].severity is Severity.WARNING
    fine = check(report, NarrativeFigures(applications=0, review_cases=2))
    assert "soft.narrative_applications" not in {f.rule for f in fine.findings}
    assert "soft.narrative_review" not in {f.rule for f in fine.findings}


def test_template_year_and_in_force_warnings() -> None:
    report = CanonicalReport.empty(Meta(template="2019", year=2022))
    rules = {f.rule for f in check(report).warnings}
    assert "soft.template_year" in rules
    report = CanonicalReport.empty(Meta(template="2021", year=2022))
    report.cells["t2.normative.issued"], report.cells["t2.normative.in_force"] = 5, 2
    assert "soft.in_force_ge_issued" in {f.rule for f in check(report).warnings}
    assert check(report).holds  # warnings do not break
