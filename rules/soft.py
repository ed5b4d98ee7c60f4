"""Soft checks: warnings that a report is implausible, never identities."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from nianbao.core.layout import template_for_year
from nianbao.core.models import CanonicalReport
from rules.findings import Finding, Severity, Status


@dataclass(frozen=True)
class NarrativeFigures:
    """Figures the narrative (part 一) restates; see rules.narrative for reading them."""

    applications: int | None = None  # 收到政府信息公开申请N件
    review_cases: int | None = None  # 行政复议N件
    lawsuit_cases: int | None = None  # 行政诉讼N件
    # part 二's document counts it restates ("制发规范性文件88件"): canonical key -> count
    documents: Mapping[str, int] = field(default_factory=dict)


def _warning(rule: str, cells: list[str], text: str) -> Finding:
    return Finding(
        rule=rule,
        family=rule,
        severity=Severity.WARNING,
        status=Status.FAILED,
        cells=cells,
        equation=text,
    )


def soft_checks(report: CanonicalReport, narrative: NarrativeFigures | None) -> list[Finding]:
    """Template against year, documents in force against issued, narrative against tables."""
    cells, meta = report.cells, report.meta
    out: list[Finding] = []
    if meta.year is not None and template_for_year(meta.year) != meta.template:
        out.append(
            _warning(
                "soft.template_year",
                [],
                f"soft.template_year: a {meta.year} report should use the "
                f"{template_for_year(meta.year)} layout, not {meta.template}",
            )
        )
    for row in ("rules", "normative"):
        issued, in_force = cells.get(f"t2.{row}.issued"), cells.get(f"t2.{row}.in_force")
        if issued is not None and in_force is not None and in_force < issued:
            out.append(
                _warning(
                    "soft.in_force_ge_issued",
                    [f"t2.{row}.issued", f"t2.{row}.in_force"],
                    f"soft.in_force_ge_issued[{row}]: in force {in_force} < issued {issued}",
                )
            )
    if narrative is None:
        return out

    new, carried = cells.get("t3.new.total"), cells.get("t3.carried_over.total")
    if narrative.applications is not None and new is not None:
        accepted = {new} | ({new + carried} if carried is not None else set())
        if narrative.applications not in accepted:
            out.append(
                _warning(
                    "soft.narrative_applications",
                    ["t3.new.total", "t3.carried_over.total"],
                    f"soft.narrative_applications: the text says {narrative.applications} "
                    f"applications, the table has new {new}, carried over {carried}",
                )
            )
    review = cells.get("t4.review.total")
    if (
        narrative.review_cases is not None
        and review is not None
        and narrative.review_cases != review
    ):
        out.append(
            _warning(
                "soft.narrative_review",
                ["t4.review.total"],
                f"soft.narrative_review: the text says {narrative.review_cases} 行政复议 cases, "
                f"the table's total is {review}",
            )
        )
    suits = [cells.get("t4.suit_direct.total"), cells.get("t4.suit_after_review.total")]
    if narrative.lawsuit_cases is not None and None not in suits:
        total = sum(suits)  # type: ignore[arg-type]
        if narrative.lawsuit_cases != total:
            out.append(
                _warning(
                    "soft.narrative_lawsuits",
                    ["t4.suit_direct.total", "t4.suit_after_review.total"],
                    f"soft.narrative_lawsuits: the text says {narrative.lawsuit_cases} 行政诉讼 "
                    f"cases, the table's totals add up to {total}",
                )
            )
    for key, stated in narrative.documents.items():
        value = cells.get(key)
        if value is not None and value != stated:
            out.append(
                _warning(
                    "soft.narrative_documents",
                    [key],
                    f"soft.narrative_documents[{key}]: the text says {stated}, the table {value}",
                )
            )
    return out
