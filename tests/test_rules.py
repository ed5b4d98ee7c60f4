"""The rule engine: identities from the layout, findings with printed numbers, suspects."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nianbao.core import layout as layout_module
from nianbao.core.layout import LAYOUTS, Layout, RowRole, T3Row
from nianbao.core.models import CanonicalReport
from rules import identities as identities_module
from rules.engine import check
from rules.findings import Status
from rules.identities import identities_by_key, identities_for
from rules.localise import localise
from tests.strategies import consistent_reports

GOLD_003 = Path(__file__).parent.parent / "eval" / "data" / "real" / "seed-003.gold.json"
IDENTITY_KEYS = {t: sorted(identities_by_key(t)) for t in LAYOUTS}


@settings(max_examples=60, deadline=None)
@given(consistent_reports())
def test_consistent_reports_pass_every_identity(report: CanonicalReport) -> None:
    result = check(report)
    assert result.holds, [f.equation for f in result.errors]
    assert result.counts()["failed"] == 0 and result.counts()["unknown"] == 0
    assert result.suspects == []


@settings(max_examples=150, deadline=None)
@given(consistent_reports(), st.data())
def test_one_changed_cell_is_detected_and_localised(
    report: CanonicalReport, data: st.DataObject
) -> None:
    # Only cells that take part in an identity can be caught by one (part 二 has none).
    key = data.draw(st.sampled_from(IDENTITY_KEYS[report.meta.template]))
    original = report.cells[key]
    changed = data.draw(st.integers(0, 10_000).filter(lambda v: v != original))
    report.cells[key] = changed

    result = check(report)
    assert not result.holds
    assert any(key in f.cells for f in result.errors)
    best = result.suspects[0]
    top = [s for s in result.suspects if (len(s.cells), s.change) == (len(best.cells), best.change)]
    assert any(s.cells == [key] and s.implied == {key: original} for s in top)
    if key.startswith("t3."):
        # in part 三 every cell sits in a unique pair of identities: it alone is named first
        assert best.cells == [key] and best.implied[key] == original


def test_null_cell_makes_its_checks_unknown_not_passed() -> None:
    report = CanonicalReport.from_json(GOLD_003.read_text(encoding="utf-8"))
    report.cells["t3.carried_forward.legal"] = None
    result = check(report)
    by_rule = {c.rule: c for c in result.checks}
    assert by_rule["t3.row_sum[carried_forward]"].status is Status.UNKNOWN
    assert by_rule["t3.balance[legal]"].status is Status.UNKNOWN
    assert "null cells: t3.carried_forward.legal" in by_rule["t3.balance[legal]"].equation


def test_seed_003_reports_its_own_new_row() -> None:
    report = CanonicalReport.from_json(GOLD_003.read_text(encoding="utf-8"))
    result = check(report)
    failed = {f.rule: f.equation for f in result.errors}
    assert failed["t3.row_sum[new]"] == "t3.row_sum[new]: 8+1+0+0+0+0 = 9, printed total 0"
    assert set(failed) == {
        "t3.row_sum[new]",
        "t3.balance[natural]",
        "t3.balance[commercial]",
        "t3.balance[total]",
    }
    assert all(k.startswith("t3.new.") for k in result.suspects[0].cells)
    assert report.cells["t3.new.total"] == 0  # reported, never changed


def test_swapped_pair_is_localised_as_a_pair() -> None:
    report = CanonicalReport.from_json(GOLD_003.read_text(encoding="utf-8"))
    report.cells["t3.new.total"] = 9
    report.cells["t3.new.natural"], report.cells["t3.new.commercial"] = 9, 0  # now consistent
    assert check(report).holds
    report.cells["t3.granted.natural"], report.cells["t3.granted.commercial"] = 0, 0
    report.cells["t3.partial.natural"], report.cells["t3.partial.legal"] = 0, 1  # moved column
    suspects = localise("2021", report.cells)
    assert suspects[0].cells == ["t3.partial.natural", "t3.partial.legal"]
    assert suspects[0].implied == {"t3.partial.natural": 1, "t3.partial.legal": 0}


def test_negative_count_is_a_domain_error() -> None:
    report = CanonicalReport.from_json(GOLD_003.read_text(encoding="utf-8"))
    report.cells["t2.license.decisions"] = -2
    errors = {f.rule: f.equation for f in check(report).errors}
    assert "domain[t2.license.decisions]" in errors


def test_identities_come_from_the_layout(monkeypatch: pytest.MonkeyPatch) -> None:
    base = LAYOUTS["2021"]
    extra = T3Row("other.extra", "4.新增一行", RowRole.RESULT, "（六）其他处理")
    rows = list(base.t3_rows)
    rows.insert(rows.index(next(r for r in rows if r.name == "results_total")), extra)
    bigger = Layout("2021", base.t2_rows, tuple(rows))
    monkeypatch.setitem(layout_module.LAYOUTS, "2021", bigger)
    for cached in (
        identities_module.identities_for,
        identities_module.identities_by_key,
        layout_module._spec_index,
    ):
        cached.cache_clear()
    try:
        idents = {i.id: i for i in identities_for("2021")}
        assert "t3.row_sum[other.extra]" in idents
        assert "t3.other.extra.legal" in idents["t3.results_sum[legal]"].lhs
        assert len(bigger.keys) == 207
    finally:
        monkeypatch.undo()
        for cached in (
            identities_module.identities_for,
            identities_module.identities_by_key,
            layout_module._spec_index,
        ):
            cached.cache_clear()


def test_identity_families_and_counts() -> None:
    for template, rows in (("2019", 23), ("2021", 25)):
        families = [i.family for i in identities_for(template)]
        assert families.count("t3.row_sum") == rows
        assert families.count("t3.results_sum") == 7
        assert families.count("t3.balance") == 7
        assert families.count("t4.group_sum") == 3


def test_layout_is_frozen() -> None:
    with pytest.raises(dataclasses.FrozenInstanceError):
        LAYOUTS["2021"].template = "2019"  # type: ignore[misc]
