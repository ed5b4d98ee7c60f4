"""Which cells a person must look at: the one place that turns evidence into flags.

A cell is flagged when its extractor doubted it (notes, low confidence, alternatives), when
it sits in an identity the report breaks, when it is a suspect, or when it is null without
the extractor having seen a blank there. The eval's silent-error rate counts wrong cells
that this function did not flag.
"""

from __future__ import annotations

from nianbao.core.models import Extraction
from rules.findings import CheckResult, Severity, Status

LOW_CONFIDENCE = 0.9
BLANK_METHOD = "blank"  # the extractor saw an empty / "—" / "/" cell: null is the reading


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
        if value is None and (prov is None or prov.method != BLANK_METHOD):
            add(key, "null: not found in the source")
    order = {k: n for n, k in enumerate(extraction.report.layout.keys)}
    return {k: reasons[k] for k in sorted(reasons, key=order.__getitem__)}
