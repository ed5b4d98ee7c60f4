"""Check a report against its identities and domain rules; localise what breaks them."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal

from nianbao.core.layout import ValueKind, layout_for
from nianbao.core.models import CanonicalReport, CellValue
from rules.findings import CheckResult, Finding, Severity, Status
from rules.identities import Identity, identities_for
from rules.localise import implicated_cells, localise
from rules.soft import NarrativeFigures, soft_checks


def _fmt(value: CellValue) -> str:
    return "null" if value is None else str(value)


def _short_name(key: str, reference: str) -> str:
    """The part of `key` that differs from `reference`: "total", "results_total", "new"."""
    a, b = key.split("."), reference.split(".")
    while len(a) > 1 and len(b) > 1 and a[0] == b[0]:
        a, b = a[1:], b[1:]
    while len(a) > 1 and len(b) > 1 and a[-1] == b[-1]:
        a, b = a[:-1], b[:-1]
    return ".".join(a)


def _equation(ident: Identity, cells: Mapping[str, CellValue]) -> str:
    ref = ident.rhs[0]
    if len(ident.rhs) == 1:
        terms = "+".join(_fmt(cells[k]) for k in ident.lhs)
        left = sum(cells[k] or 0 for k in ident.lhs)
        printed = f"{_short_name(ref, ident.lhs[0])} {_fmt(cells[ref])}"
        return f"{ident.id}: {terms} = {left}, printed {printed}"

    def side(keys: tuple[str, ...]) -> str:
        named = " + ".join(
            f"{_short_name(k, ident.rhs[0] if k in ident.lhs else ident.lhs[0])} {_fmt(cells[k])}"
            for k in keys
        )
        return f"{named} = {sum(cells[k] or 0 for k in keys)}"

    return f"{ident.id}: {side(ident.lhs)}, but {side(ident.rhs)}"


def check_identity(ident: Identity, cells: Mapping[str, CellValue]) -> Finding:
    """Evaluate one identity: passed, failed, or unknown when any of its cells is null."""
    nulls = [k for k in ident.keys if cells.get(k) is None]
    if nulls:
        shown = ", ".join(nulls[:3]) + (f" (+{len(nulls) - 3} more)" if len(nulls) > 3 else "")
        return Finding(
            rule=ident.id,
            family=ident.family,
            severity=Severity.INFO,
            status=Status.UNKNOWN,
            cells=list(ident.keys),
            equation=f"{ident.id}: unknown, null cells: {shown}",
        )
    holds = sum(cells[k] for k in ident.lhs) == sum(cells[k] for k in ident.rhs)  # type: ignore[misc]
    return Finding(
        rule=ident.id,
        family=ident.family,
        severity=Severity.INFO if holds else Severity.ERROR,
        status=Status.PASSED if holds else Status.FAILED,
        cells=list(ident.keys),
        equation=_equation(ident, cells),
    )


def domain_findings(report: CanonicalReport) -> list[Finding]:
    """Counts are whole and >= 0, amounts >= 0; 本年增/减 may be negative."""
    out = []
    for spec in report.layout.cells:
        value = report.cells[spec.key]
        if value is None or spec.kind is ValueKind.SIGNED:
            continue
        problem = None
        if value < 0:
            what = "an amount" if spec.kind is ValueKind.AMOUNT else "a count"
            problem = f"{what} cannot be negative"
        elif spec.kind is ValueKind.COUNT and isinstance(value, Decimal):
            problem = "a count must be a whole number"
        if problem:
            out.append(
                Finding(
                    rule=f"domain[{spec.key}]",
                    family="domain",
                    severity=Severity.ERROR,
                    status=Status.FAILED,
                    cells=[spec.key],
                    equation=f"{spec.key} = {value}: {problem}",
                )
            )
    return out


def check(
    report: CanonicalReport,
    narrative: NarrativeFigures | None = None,
    *,
    localise_errors: bool = True,
) -> CheckResult:
    """Run every identity, domain rule and soft check; rank suspects when identities break."""
    layout = layout_for(report.meta.template)
    checks = [check_identity(i, report.cells) for i in identities_for(layout.template)]
    findings = [c for c in checks if c.status is not Status.PASSED]
    findings += domain_findings(report)
    findings += soft_checks(report, narrative)
    result = CheckResult(template=layout.template, checks=checks, findings=findings)
    if localise_errors and any(c.status is Status.FAILED for c in checks):
        result.suspects = localise(report.meta.template, report.cells)
        result.implicated = implicated_cells(report.meta.template, report.cells)
    return result
