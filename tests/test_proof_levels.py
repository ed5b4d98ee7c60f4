"""Proof levels and the acceptance policy; the parser's doubt survives agreement on null."""

from __future__ import annotations

from nianbao.core.models import CellProvenance
from nianbao.pipeline.reconcile import reconcile
from rules.engine import check
from rules.proof import ProofLevel
from rules.proof_levels import cell_levels, is_accepted
from rules.verdict import review_flags
from tests.pipeline_fixtures import extraction, gold

STEM = "seed-004"


def _verdict(ex):  # type: ignore[no-untyped-def]
    result = check(ex.report)
    flags = review_flags(ex, result)
    return cell_levels(ex, result, flags), is_accepted(ex, result, flags)


def test_a_fully_read_consistent_report_is_accepted_with_every_cell_proven() -> None:
    levels, accepted = _verdict(extraction(gold(STEM)))
    assert accepted
    assert set(levels.values()) <= {ProofLevel.READ_CONFIRMED, ProofLevel.BLANK_PROVEN}


def test_a_null_the_source_does_not_show_blank_is_unread_and_blocks_acceptance() -> None:
    ex = extraction(gold(STEM), t3__new__natural=None)
    ex.provenance["t3.new.natural"] = CellProvenance(extractor="llm:x", method="read")
    levels, accepted = _verdict(ex)
    assert levels["t3.new.natural"] is ProofLevel.UNREAD
    assert not accepted


def test_an_identity_left_unknown_never_accepts() -> None:
    # a null nobody flagged (as a lenient extractor might leave it): the row sum through it is
    # unknown, so the other cells of the row are read but unchecked, and nothing is accepted
    ex = extraction(gold(STEM), t3__new__natural=None)
    ex.provenance["t3.new.natural"] = CellProvenance(extractor="llm:x", method="read")
    result = check(ex.report)
    assert result.holds  # the rule engine alone sees nothing broken
    levels = cell_levels(ex, result, {})
    assert levels["t3.new.total"] is ProofLevel.READ_UNCHECKED
    assert not is_accepted(ex, result, {})


def test_the_parsers_doubt_survives_when_both_read_null() -> None:
    report = gold(STEM)
    parser = extraction(report, t3__new__natural=None)
    parser.provenance["t3.new.natural"] = CellProvenance(
        extractor="parser", method="missing", notes=["row printed with a value missing"]
    )
    parser.flags = ["t3.new.natural"]
    llm = extraction(report, backend="llm", t3__new__natural=None)
    merged = reconcile(parser, llm)
    assert "t3.new.natural" in merged.flags
    assert "parser: row printed with a value missing" in merged.provenance["t3.new.natural"].notes
    result = check(merged.report)
    assert "t3.new.natural" in review_flags(merged, result)
