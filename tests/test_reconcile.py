"""Reconciling the parser's and the LLM's readings cell by cell, then the report's status."""

from __future__ import annotations

from nianbao.core.models import Extraction, ReportStatus
from nianbao.pipeline.reconcile import reconcile
from rules.verdict import LOW_CONFIDENCE
from tests.pipeline_fixtures import extraction, gold, outcome


def test_agreement_is_trusted_and_not_flagged() -> None:
    report = gold("seed-004")
    both = reconcile(extraction(report), extraction(report, backend="llm"))
    assert both.report.cells == report.cells
    assert both.flags == []
    prov = both.provenance["t3.new.natural"]
    assert prov.method == "agreed" and prov.confidence == 1.0 and prov.span is not None
    assert both.usage["calls"] == 1 and both.usage["seconds"] == 0.01
    done = outcome("004.txt", {"parser": extraction(report), "llm": extraction(report, "llm")})
    assert done.status is ReportStatus.ACCEPTED and done.flags == {}


def test_disagreement_keeps_both_values_and_prefers_the_consistent_one() -> None:
    report = gold("seed-003")  # new.natural 8 (row sum 9, printed total 0)
    parser = extraction(report, t3__granted__natural=7)  # a misread that breaks two identities
    llm = extraction(report, backend="llm")
    both = reconcile(parser, llm)
    assert both.report.cells["t3.granted.natural"] == report.cells["t3.granted.natural"]
    prov = both.provenance["t3.granted.natural"]
    assert prov.alternatives == [7] and prov.confidence < LOW_CONFIDENCE
    assert prov.notes == [
        f"backends disagree: parser read 7, llm read {report.cells['t3.granted.natural']}"
    ]
    flagged = outcome("003.txt", {"parser": parser, "llm": llm}).flags["t3.granted.natural"]
    assert flagged[:2] == [prov.notes[0], "low confidence 0.50"]
    # The other order gives the same value: the choice follows the identities, not the side.
    swapped = reconcile(
        extraction(report, t3__granted__natural=report.cells["t3.granted.natural"]),
        extraction(report, backend="llm", t3__granted__natural=7),
    )
    assert swapped.report.cells["t3.granted.natural"] == report.cells["t3.granted.natural"]
    assert swapped.provenance["t3.granted.natural"].alternatives == [7]


def test_one_side_null_takes_the_number_and_flags_it() -> None:
    report = gold("seed-004")
    parser = extraction(report)
    del parser.provenance["t4.review.total"]
    parser.report.cells["t4.review.total"] = None  # the parser did not find it
    both = reconcile(parser, extraction(report, backend="llm"))
    assert both.report.cells["t4.review.total"] == report.cells["t4.review.total"]
    prov = both.provenance["t4.review.total"]
    assert prov.alternatives == [None] and prov.notes[0].startswith("backends disagree: parser")
    done = outcome("004.txt", {"parser": parser, "llm": extraction(report, "llm")})
    assert done.status is ReportStatus.NEEDS_REVIEW
    assert done.flags["t4.review.total"][0].startswith("backends disagree")


def test_blank_on_both_sides_is_a_reading() -> None:
    report = gold("seed-004")
    nulls = [k for k, v in report.cells.items() if v is None]
    both = reconcile(extraction(report), extraction(report, backend="llm"))
    assert nulls and all(both.report.cells[k] is None for k in nulls)
    assert all(both.provenance[k].method == "blank" for k in nulls)


def test_layout_disagreement_flags_every_cell_the_other_side_lacks() -> None:
    p = gold("seed-004")  # 2019 layout, year 2020
    llm: Extraction = extraction(gold("seed-003"), backend="llm")  # 2021 layout
    llm.report.meta.year = 2020
    both = reconcile(extraction(p), llm)
    assert both.report.meta.template == "2019"  # the layout in force for 2020
    done = outcome("x.txt", {"parser": extraction(p), "llm": llm})
    only_2019 = [k for k in p.cells if k not in llm.report.cells and p.cells[k] is not None]
    assert only_2019 and all(k in done.flags for k in only_2019)
    assert done.status is ReportStatus.NEEDS_REVIEW


def test_a_targeted_llm_reading_is_a_second_opinion_only_within_its_scope() -> None:
    report = gold("seed-004")
    parser = extraction(report, t3__granted__natural=2)  # misread: breaks two identities
    # the LLM was asked about the 予以公开 row only; elsewhere it carries the parser's cells
    asked = [k for k in report.layout.keys if k.startswith("t3.granted.")]
    llm = extraction(report, backend="llm").model_copy(update={"scope": asked})
    llm.report.cells["t2.normative.total_published"] = 999  # outside the scope: ignored
    both = reconcile(parser, llm)
    granted = both.provenance["t3.granted.natural"]
    assert both.report.cells["t3.granted.natural"] in (1, 2) and granted.alternatives
    assert granted.confidence <= 0.5  # disagreement within the scope: reviewed
    elsewhere = both.provenance["t3.new.natural"]
    assert elsewhere.method != "agreed"  # one reading, not a confirmed one
    assert elsewhere.confidence == parser.provenance["t3.new.natural"].confidence
    assert both.report.cells["t2.normative.total_published"] == 46


def test_two_doubted_readings_that_agree_stay_flagged() -> None:
    """A confident reading confirms a doubtful one; two doubtful ones agreeing prove nothing
    (a targeted re-ask reads the same damaged lines the parser did)."""
    report = gold("seed-004")
    key = "t3.new.natural"
    parser, llm = extraction(report), extraction(report, backend="llm")
    parser.flags.append(key)
    assert key not in reconcile(parser, llm).flags  # the LLM's confident reading confirms it
    llm.flags.append(key)
    both = reconcile(parser, llm)
    assert key in both.flags and both.report.cells[key] == report.cells[key]
    assert both.provenance[key].notes[0] == "both backends doubted this reading"
    done = outcome("004.txt", {"parser": parser, "llm": llm})
    assert done.status is ReportStatus.NEEDS_REVIEW and key in done.flags


def test_a_cut_the_source_contradicts_is_not_confirmed_by_agreement() -> None:
    """The parser cut a glued run in n (method `segmented`, proven only through an
    identity) and the LLM's reading of that row is contradicted by the print: the two
    agreeing on a cell proves nothing (found by the simulator, `blanks_as_zero`, targeted:
    "030" with a dropped cell cut 0|3|0, a model reading 0, 30, 0 agreed on the last 0)."""
    report = gold("seed-004")
    key = "t3.new.natural"
    parser, llm = extraction(report), extraction(report, backend="llm")
    parser.provenance[key] = parser.provenance[key].model_copy(update={"method": "segmented"})
    confirmed = reconcile(parser, llm)  # an undoubted LLM reading confirms the cut
    assert confirmed.provenance[key].method == "agreed" and not confirmed.provenance[key].notes
    llm.provenance[key] = llm.provenance[key].model_copy(
        update={"notes": ["llm: value 3 not in its row"]}
    )
    llm.flags.append(key)
    both = reconcile(parser, llm)
    assert both.report.cells[key] == report.cells[key]
    assert both.provenance[key].method == "segmented"
    assert both.provenance[key].notes == ["llm: llm: value 3 not in its row"]
    done = outcome("004.txt", {"parser": parser, "llm": llm})
    assert done.status is ReportStatus.NEEDS_REVIEW and key in done.flags
