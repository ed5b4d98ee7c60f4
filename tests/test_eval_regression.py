"""CI's eval step: the parser on the real set plus the fixed synthetic set must not regress.

The committed baseline (`eval/baseline/parser.json`) says which synthetic set (count, seed)
it was made on; this test reruns the same eval and compares cell by cell. The second test
proves the check bites: a layout label the parser can no longer match must fail it.
"""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest

from eval.baseline import compare, load_baseline
from eval.cases import EvalCase, load_cases
from eval.harness import run_eval
from eval.metrics import ReportScore
from nianbao.core import layout as layout_module
from nianbao.core.layout import LAYOUTS, TEMPLATES, Layout, RowRole

BASELINE = Path(__file__).parent.parent / "eval" / "baseline" / "parser.json"


def _config() -> dict[str, object]:
    return json.loads(BASELINE.read_text(encoding="utf-8"))["config"]


@pytest.fixture(scope="module")
def cases() -> list[EvalCase]:
    """The baseline's eval set, read once (reading the PDFs is the slow part)."""
    cfg = _config()
    return load_cases(str(cfg["set"]), int(cfg["synth_count"]), int(cfg["seed"]))  # type: ignore[call-overload]


def _run(cases: list[EvalCase]) -> list[ReportScore]:
    cfg = _config()
    _, scores = run_eval(
        "parser",
        str(cfg["set"]),
        int(cfg["synth_count"]),
        int(cfg["seed"]),
        cases=cases,
    )
    return scores


def _explain(comp: dict[str, object]) -> str:
    worse = comp["cells_worse"][:15]  # type: ignore[index]
    return json.dumps({"metrics": comp["metrics"], "first cells worse": worse}, ensure_ascii=False)


@pytest.fixture(scope="module")
def clean(cases: list[EvalCase]) -> list[ReportScore]:
    """The parser as built, on the baseline's set."""
    return _run(cases)


def test_parser_does_not_regress_against_the_committed_baseline(clean: list[ReportScore]) -> None:
    baseline = load_baseline(BASELINE)
    comp = compare(clean, baseline)
    changed = comp["changed_sources"]
    assert comp["compared_reports"] >= int(_config()["synth_count"]), (  # type: ignore[call-overload]
        f"{len(changed)} reports changed source or gold since the baseline ({changed[:5]}...): "
        "regenerate it (docs/eval.md, 'Baseline and CI')"
    )
    assert not comp["regressed"], _explain(comp)


def _unmatchable(layout: Layout) -> Layout:
    """The layout with its first result row's label (（一）予以公开) made unmatchable."""
    first_result = next(r for r in layout.t3_rows if r.role is RowRole.RESULT)
    broken = dataclasses.replace(first_result, label="（一）甲乙丙丁戊己庚辛", aliases=())
    rows = tuple(broken if r is first_result else r for r in layout.t3_rows)
    return Layout(layout.template, layout.t2_rows, rows)


def test_a_label_the_parser_cannot_match_fails_the_eval(
    cases: list[EvalCase], clean: list[ReportScore], monkeypatch: pytest.MonkeyPatch
) -> None:
    for template in TEMPLATES:
        monkeypatch.setitem(LAYOUTS, template, _unmatchable(LAYOUTS[template]))
    assert "甲乙丙丁" in layout_module.layout_for("2021").t3_rows[2].label
    broken = _run(cases)
    # against the parser as built: the mechanism bites whatever the baseline's age
    comp = compare(broken, clean)
    assert comp["compared_reports"] == len(cases)  # the cases were made with the true layout
    assert comp["regressed"], _explain(comp)
    assert comp["metrics"]["cell_accuracy"]["regressed"]
    assert any(".granted." in c["key"] for c in comp["cells_worse"])
    # and against the committed baseline, as CI runs it (fails here when the baseline is so
    # old that a broken parser still beats it: regenerate it, see docs/eval.md)
    assert compare(broken, load_baseline(BASELINE))["regressed"]
