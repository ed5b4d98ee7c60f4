"""The eval judges a report exactly as a bulk run does: same flags, same accept decision.

`nianbao run` stores `nianbao.pipeline.assess.assess`'s verdict; the eval's silent-error rate
and acceptance share are only meaningful if the harness reaches the same verdict.
"""

from __future__ import annotations

from eval.cases import real_cases, synth_cases
from eval.harness import evaluate_case, make_backend
from extractor.registry import get_extractor
from nianbao.core.models import ReportStatus
from nianbao.pipeline.assess import assess, source_info


def test_harness_flags_and_acceptance_equal_the_pipeline_verdict() -> None:
    backend = make_backend("parser")
    parser = get_extractor("parser")
    cases = real_cases(only={"seed-001", "seed-003", "corpus-003_pingtan-2021-webtext"})
    cases += synth_cases(5, 12)
    accepted = 0
    for case in cases:
        assert case.doc is not None
        score = evaluate_case(case, backend)
        outcome = assess(source_info(case.doc), {"parser": parser.extract(case.doc)})
        assert score.flags == list(outcome.flags), case.id
        assert score.accepted == (outcome.status is ReportStatus.ACCEPTED), case.id
        accepted += score.accepted
    assert 0 < accepted < len(cases)  # both verdicts occur, so the comparison says something
