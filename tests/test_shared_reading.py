"""A break in one reading of a run withdraws the proof of the other cells that reading placed."""

from __future__ import annotations

from pathlib import Path

from nianbao.core.models import CanonicalReport, CellProvenance, Extraction
from rules.engine import check
from rules.proof import ProofLevel
from rules.proving import Proof, prove

REAL = Path(__file__).parent.parent / "eval" / "data" / "real"
COLUMNS = ("natural", "commercial", "research", "social", "legal", "other_org", "total")
T4_GROUPS = ("review", "suit_direct", "suit_after_review")
T4_COLUMNS = ("upheld", "corrected", "other", "pending", "total")


def _report(**values: int) -> CanonicalReport:
    """seed-000's gold (every identity holds; its part 三 and 四 rows here are 0) changed."""
    text = (REAL / "seed-000.gold.json").read_text(encoding="utf-8")
    report = CanonicalReport.from_json(text)
    for key, value in values.items():
        report.cells[key.replace("__", ".")] = value
    return report


def _extraction(report: CanonicalReport, cut_row: str | None = None) -> Extraction:
    prov = {
        k: CellProvenance(extractor="parser", span=(n, n + 1), snippet=str(v))
        for n, (k, v) in enumerate(report.cells.items())
    }
    if cut_row is not None:  # the row cut out of one glued run of digits, one way only
        for col in COLUMNS:
            key = f"t3.{cut_row}.{col}"
            prov[key] = prov[key].model_copy(update={"method": "segmented", "confidence": 0.95})
    return Extraction(report=report, provenance=prov, extractor="parser")


def test_a_run_cut_wrong_somewhere_proves_none_of_its_cells() -> None:
    # "0100010" cut so that the row still adds up, but two columns break: digits moved
    report = _report(t3__granted__commercial=1, t3__granted__legal=1, t3__granted__total=2)
    proof = prove(_extraction(report, cut_row="granted"), check(report))
    for col in ("natural", "research", "social", "other_org"):
        assert proof.levels[f"t3.granted.{col}"] is ProofLevel.AMBIGUOUS
        assert any("cut from the same run" in r for r in proof.reasons[f"t3.granted.{col}"])
    # the same cause: one decision with the breaks, not one more for the run
    owner = proof.decision_of
    assert owner["t3.granted.natural"] == owner["t3.granted.commercial"]
    assert len(proof.decisions) == 1


def test_one_broken_column_leaves_the_rest_of_a_cut_run_proven() -> None:
    # another row's error breaks one column: the run's cut is not in question
    report = _report(t3__partial__commercial=1)
    proof = prove(_extraction(report, cut_row="granted"), check(report))
    assert proof.levels["t3.granted.commercial"] is ProofLevel.CONTRADICTS
    for col in ("natural", "research", "social", "legal", "other_org"):
        assert proof.levels[f"t3.granted.{col}"] is ProofLevel.READ_CONFIRMED


def _granted_cut(nulls: tuple[str, ...], **values: int) -> Proof:
    """The 予以公开 row cut from one glued run, as `values`, with results_total's `nulls`
    columns null (so nothing checks those columns)."""
    report = _report(**values)
    for col in nulls:
        report.cells[f"t3.results_total.{col}"] = None
    return prove(_extraction(report, cut_row="granted"), check(report))


def test_one_broken_part_beside_unchecked_parts_leaves_no_part_of_the_cut_proven() -> None:
    # one column breaks and another part is in no identity that can be checked (a null in
    # its column): a digit moved between them shows in one place only, so the cut is in doubt
    proof = _granted_cut(
        ("legal",), t3__granted__commercial=1, t3__granted__legal=1, t3__granted__total=2
    )
    assert proof.levels["t3.granted.commercial"] is ProofLevel.CONTRADICTS
    assert proof.levels["t3.granted.legal"] is ProofLevel.READ_UNCHECKED
    for col in ("natural", "research", "social", "other_org"):
        assert proof.levels[f"t3.granted.{col}"] is ProofLevel.AMBIGUOUS, col
    assert not proof.accepted


def test_two_unchecked_parts_leave_no_part_of_the_cut_proven() -> None:
    # synth-7796-0070: "282035200337" lost a value, cut 282|0|3|52|0|0|337 (truly 35 and 20).
    # The row adds up both ways and the two parts' columns hold a null, so nothing checks
    # them; the 0 cut beside them holds its column only because the value lost was 0
    proof = _granted_cut(
        ("research", "social"), t3__granted__research=1, t3__granted__social=1, t3__granted__total=2
    )
    assert proof.levels["t3.granted.research"] is ProofLevel.READ_UNCHECKED
    assert proof.levels["t3.granted.social"] is ProofLevel.READ_UNCHECKED
    for col in ("natural", "commercial", "legal", "other_org"):
        assert proof.levels[f"t3.granted.{col}"] is ProofLevel.AMBIGUOUS, col
        assert any("which no identity checks" in r for r in proof.reasons[f"t3.granted.{col}"])
        # one cause, the nulls: settling them settles the cut, so it adds no decision
        assert proof.decision_of[f"t3.granted.{col}"] == proof.decision_of["t3.granted.research"]
    # one unchecked part alone: the row sum shows any digit moved to or from it
    proof = _granted_cut(("research",), t3__granted__research=1, t3__granted__total=1)
    assert proof.levels["t3.granted.research"] is ProofLevel.READ_UNCHECKED
    for col in ("natural", "commercial", "social", "legal", "other_org"):
        assert proof.levels[f"t3.granted.{col}"] is ProofLevel.READ_CONFIRMED, col


def test_groups_read_after_a_broken_group_are_not_proven() -> None:
    # part 四 read as one run: a stray 9 first moves every later value one place; groups
    # of zeros add up however they are moved
    report = _report(t4__review__upheld=9)
    proof = prove(_extraction(report), check(report))
    for group in T4_GROUPS[1:]:
        for col in T4_COLUMNS:
            assert proof.levels[f"t4.{group}.{col}"] is ProofLevel.AMBIGUOUS
    assert len(proof.decisions) == 1  # settled with the break
    assert not proof.accepted


def test_a_later_group_that_adds_up_is_not_proven_either() -> None:
    # "4 | 0 0 0 0 0 | 1 1 0 2 | 0 ..." with suit_direct's 其他结果 lost: a stray 4 before and
    # a value lost inside leave suit_direct adding up (0+1+1+0=2) with its cells moved
    suit = dict(zip(T4_COLUMNS, (0, 1, 1, 0, 2), strict=True))
    report = _report(t4__review__upheld=4, **{f"t4__suit_direct__{c}": v for c, v in suit.items()})
    proof = prove(_extraction(report), check(report))
    for col in T4_COLUMNS:
        assert proof.levels[f"t4.suit_direct.{col}"] is ProofLevel.AMBIGUOUS
    assert proof.levels["t4.review.upheld"] is ProofLevel.CONTRADICTS
    assert len(proof.decisions) == 1


def test_a_break_after_a_group_does_not_touch_it() -> None:
    report = _report(t4__suit_after_review__upheld=9)
    proof = prove(_extraction(report), check(report))
    for group in T4_GROUPS[:2]:
        for col in T4_COLUMNS:
            assert proof.levels[f"t4.{group}.{col}"] is ProofLevel.READ_CONFIRMED
