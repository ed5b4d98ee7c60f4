"""The one verdict on an extraction: check it, flag the cells a person must look at, decide.

`verdict` is what the pipeline, `nianbao extract`, the eval and the worker all call, so a
report is judged the same way everywhere. A cell is flagged when its extractor doubted it
(notes, low confidence, alternatives), when it sits in an identity the report breaks, when it
is a suspect, or when it is null without the extractor having seen a blank there. A report is
accepted only when no cell is flagged and every rule holds. The eval's silent-error rate
counts wrong cells that this module did not flag.
"""

from __future__ import annotations

from dataclasses import dataclass

from nianbao.core.models import Extraction, Method, ReportStatus
from rules.engine import check
from rules.findings import CheckResult, Finding, Severity, Status
from rules.narrative import narrative_figures

LOW_CONFIDENCE = 0.9  # a cell less sure than this needs a person's look


def review_flags(
    extraction: Extraction, result: CheckResult, low_confidence: float = LOW_CONFIDENCE
) -> dict[str, list[str]]:
    """{canonical key: reasons}, in layout order, for every cell that needs a person's look."""
    reasons: dict[str, list[str]] = {}

    def add(key: str, reason: str) -> None:
        reasons.setdefault(key, [])
        if reason not in reasons[key]:
            reasons[key].append(reason)

    for key in extraction.flags:
        add(key, "flagged by extractor")
    for key, prov in extraction.provenance.items():
        for note in prov.notes:
            add(key, note)
        if prov.confidence < low_confidence:
            add(key, f"low confidence {prov.confidence:.2f}")
        if prov.alternatives:
            add(key, "other readings: " + ", ".join(str(v) for v in prov.alternatives))
    for finding in result.findings:
        if finding.severity is Severity.ERROR and finding.status is Status.FAILED:
            for key in finding.cells:
                add(key, f"breaks {finding.rule}")
    for suspect in result.suspects:
        for key in suspect.cells:
            add(key, f"suspect #{suspect.rank}: implies {suspect.implied[key]}")
    for key, value in extraction.report.cells.items():
        prov = extraction.provenance.get(key)
        if value is None and (prov is None or prov.method != Method.BLANK):
            add(key, "null: not found in the source")
    order = {k: n for n, k in enumerate(extraction.report.layout.keys)}
    return {k: reasons[k] for k in sorted(reasons, key=order.__getitem__)}


@dataclass(frozen=True)
class Verdict:
    """What the rules make of one extraction."""

    check: CheckResult  # every finding and the error localisation's suspects
    flags: dict[str, list[str]]  # {canonical key: reasons}, in layout order
    status: ReportStatus  # ACCEPTED or NEEDS_REVIEW

    @property
    def findings(self) -> list[Finding]:
        return self.check.findings

    @property
    def accepted(self) -> bool:
        return self.status is ReportStatus.ACCEPTED


def verdict(extraction: Extraction, source_text: str | None = None) -> Verdict:
    """Check the report (with the figures its narrative restates, when the source text is
    given), flag the cells that need a person, and decide the report's status."""
    narrative = narrative_figures(source_text) if source_text else None
    result = check(extraction.report, narrative)
    flags = review_flags(extraction, result)
    status = ReportStatus.ACCEPTED if not flags and result.holds else ReportStatus.NEEDS_REVIEW
    return Verdict(result, flags, status)
