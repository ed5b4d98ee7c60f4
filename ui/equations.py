"""Findings as readable equations with the printed table's Chinese labels.

The rule engine's equation text uses canonical keys ("t3.row_sum[new]: 8+1+0 = 9, printed
total 0"); a reviewer reads labels. Each identity is re-rendered from its own cells and the
layout's labels, so the two never drift apart.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from nianbao.core.layout import layout_for
from nianbao.core.models import CellValue
from rules.findings import CheckResult, Finding, Severity, Status
from rules.identities import Identity, identities_for


@dataclass(frozen=True)
class ReadableFinding:
    """One finding for the screen: a title, the equation with labels, the cells it names."""

    rule: str
    severity: Severity
    status: Status
    title: str
    equation: str
    cells: tuple[str, ...]


def _fmt(value: CellValue) -> str:
    return "空" if value is None else str(value)


def _term_label(template: str, key: str, identity: Identity) -> str:
    """The label of the one coordinate that varies within the identity (row or column)."""
    spec = layout_for(template).spec(key)
    if identity.family in ("t3.row_sum", "t4.group_sum"):
        return spec.column_label
    return spec.row_label


def _title(template: str, identity: Identity) -> str:
    """What the identity is about: the fixed row (row sums) or the fixed column."""
    spec = layout_for(template).spec(identity.rhs[0])
    if identity.family == "t3.row_sum":
        return f"第三部分 {spec.row_label}：各列之和 = 总计"
    if identity.family == "t4.group_sum":
        return f"第四部分 {spec.row_label}：各项之和 = 总计"
    if identity.family == "t3.results_sum":
        return f"第三部分 {spec.column_label} 列：各办理结果之和 = （七）总计"
    return f"第三部分 {spec.column_label} 列：新收 + 上年结转 = 办理结果总计 + 结转下年度"


def _side(template: str, keys: tuple[str, ...], ident: Identity, cells: Mapping[str, CellValue]):
    """'label a + label b = sum', leaving out zero terms when there are many."""
    many = len(keys) > 6
    shown = [k for k in keys if not (many and cells.get(k) == 0)]
    terms = " + ".join(f"{_term_label(template, k, ident)} {_fmt(cells.get(k))}" for k in shown)
    hidden = len(keys) - len(shown)
    if hidden:
        terms += f"（另有 {hidden} 项为 0）" if terms else f"{hidden} 项均为 0"
    if len(keys) == 1:
        return terms
    total = sum(cells[k] for k in keys if cells.get(k) is not None)  # type: ignore[misc]
    return f"{terms} = {total}"


def identity_equation(template: str, ident: Identity, cells: Mapping[str, CellValue]) -> str:
    """'自然人 8 + 商业企业 1 + … = 9 ≠ 总计 0' (or '=' when it holds)."""
    left = _side(template, ident.lhs, ident, cells)
    right = _side(template, ident.rhs, ident, cells)
    values = [cells.get(k) for k in ident.keys]
    if any(v is None for v in values):
        sign = "?"
    else:
        lhs = sum(cells[k] for k in ident.lhs)  # type: ignore[misc]
        rhs = sum(cells[k] for k in ident.rhs)  # type: ignore[misc]
        sign = "=" if lhs == rhs else "≠"
    return f"{left} {sign} {right}"


def readable_findings(
    template: str, result: CheckResult, cells: Mapping[str, CellValue]
) -> list[ReadableFinding]:
    """Errors first, then warnings, then the checks that nulls made unknown."""
    by_id = {i.id: i for i in identities_for(template)}
    out: list[ReadableFinding] = []
    for finding in result.findings:
        out.append(_readable(template, finding, by_id.get(finding.rule), cells))
    order = {Severity.ERROR: 0, Severity.WARNING: 1, Severity.INFO: 2}
    return sorted(out, key=lambda f: order[f.severity])


def _readable(
    template: str, finding: Finding, ident: Identity | None, cells: Mapping[str, CellValue]
) -> ReadableFinding:
    if ident is None:  # domain and soft checks already say it in words
        kind = "soft check" if finding.family.startswith("soft.") else finding.family
        return ReadableFinding(
            finding.rule,
            finding.severity,
            finding.status,
            f"{kind}: {finding.rule.removeprefix('soft.')}",
            finding.equation.removeprefix(f"{finding.rule}: "),
            tuple(finding.cells),
        )
    return ReadableFinding(
        finding.rule,
        finding.severity,
        finding.status,
        _title(template, ident),
        identity_equation(template, ident, cells),
        ident.keys,
    )
