"""The review screen's proof marks and one-action decisions (pure parts, no browser)."""

from __future__ import annotations

import re
from pathlib import Path

from nianbao.core.models import CanonicalReport, CellProvenance
from rules.proof import ProofLevel
from ui.grids import part_html
from ui.logic import ReviewReport, evaluate
from ui.proof_view import PROOF_STYLES, proof_legend_html, settle_actions

REAL = Path(__file__).parent.parent / "eval" / "data" / "real"


def _review(stem: str) -> ReviewReport:
    gold = CanonicalReport.from_json((REAL / f"{stem}.gold.json").read_text(encoding="utf-8"))
    return ReviewReport(
        report_id=1,
        source_name=f"{stem}.txt",
        source_text=(REAL / f"{stem}.txt").read_text(encoding="utf-8"),
        meta=gold.meta,
        extracted=dict(gold.cells),
        provenance={
            k: CellProvenance(extractor="parser", span=(0, 1), snippet=str(v))
            for k, v in gold.cells.items()
        },
    )


def test_every_cell_carries_its_proof_level_and_the_legend_names_each_level() -> None:
    rr = _review("seed-003")
    ev = evaluate(rr)
    assert ev.proof is not None
    html = part_html("t3", "2021", rr.values, ev.statuses, None, ev.proof.levels)
    marked = dict(re.findall(r'data-key="([^"]+)" data-proof="([^"]+)"', html))
    assert marked["t3.new.total"] == ProofLevel.CONTRADICTS.value
    assert marked["t3.granted.natural"] == ProofLevel.READ_CONFIRMED.value
    legend = proof_legend_html()
    assert all(s.mark in legend for s in PROOF_STYLES.values())


def test_the_reports_own_error_is_settled_in_one_action() -> None:
    rr = _review("seed-003")
    ev = evaluate(rr)
    assert ev.proof is not None
    (decision,) = [d for d in ev.proof.decisions if d.kind == "identity"]
    acts = settle_actions(decision, rr.values)
    # take the first suspect's values: every identity then holds, nothing is left to decide
    first = acts[0]
    assert first.values and not first.source_error
    fixed = rr
    for key, value in first.values.items():
        fixed = fixed.with_value(key, value)
    after = evaluate(fixed)
    assert after.result.holds
    assert after.proof is not None and not any(d.kind == "identity" for d in after.proof.decisions)
    # or keep the print as it is: one action confirms every cell of the decision
    last = acts[-1]
    assert last.source_error and set(last.confirm) == set(decision.cells)
