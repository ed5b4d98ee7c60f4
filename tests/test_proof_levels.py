"""The LLM's part of the proof contract, through the one verdict: an LLM null is proven only
by a printed blank, an unknown identity never accepts, and the parser's doubt survives when
both backends read null."""

from __future__ import annotations

from nianbao.core.models import CellProvenance, Method
from nianbao.pipeline.reconcile import reconcile
from rules.proof import ProofLevel
from rules.verdict import verdict
from tests.pipeline_fixtures import extraction, gold

STEM = "seed-004"


def test_a_fully_read_consistent_report_is_accepted_with_every_cell_proven() -> None:
    judged = verdict(extraction(gold(STEM)))
    assert judged.accepted
    assert set(judged.proof.levels.values()) <= {
        ProofLevel.READ_CONFIRMED,
        ProofLevel.BLANK_PROVEN,
    }


def test_an_llm_null_the_source_does_not_show_blank_blocks_acceptance() -> None:
    ex = extraction(gold(STEM), backend="llm", t3__new__natural=None)
    ex.provenance["t3.new.natural"] = CellProvenance(extractor="llm:x", method=Method.READ)
    judged = verdict(ex)
    assert not judged.accepted
    assert judged.proof.levels["t3.new.natural"] not in (
        ProofLevel.BLANK_PROVEN,
        ProofLevel.READ_CONFIRMED,
    )
    # the values of the row sum through it are not confirmed either: unknown never accepts
    assert judged.proof.levels["t3.new.total"] is not ProofLevel.READ_CONFIRMED


def test_the_parsers_doubt_survives_when_both_read_null() -> None:
    report = gold(STEM)
    parser = extraction(report, t3__new__natural=None)
    parser.provenance["t3.new.natural"] = CellProvenance(
        extractor="parser", method=Method.MISSING, notes=["row printed with a value missing"]
    )
    parser.flags = ["t3.new.natural"]
    llm = extraction(report, backend="llm", t3__new__natural=None)
    merged = reconcile(parser, llm)
    assert "t3.new.natural" in merged.flags
    assert "parser: row printed with a value missing" in merged.provenance["t3.new.natural"].notes
    judged = verdict(merged)
    assert "t3.new.natural" in judged.flags and not judged.accepted
