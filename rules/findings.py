"""What the rule engine says about a report: findings, suspects, and the verdict."""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel, Field


class Severity(StrEnum):
    ERROR = "error"  # an identity or domain rule the numbers break
    WARNING = "warning"  # a soft check: plausible, worth a look
    INFO = "info"  # a check that could not be made (null cells)


class Status(StrEnum):
    PASSED = "passed"
    FAILED = "failed"
    UNKNOWN = "unknown"  # a cell is null: never counted as passed


class Finding(BaseModel):
    """One rule's outcome on one report, with the numbers as printed."""

    rule: str  # "t3.row_sum[new]", "domain[t3.new.natural]", "soft.narrative_applications"
    family: str  # "t3.row_sum", "domain", "soft.narrative_applications"
    severity: Severity
    status: Status
    cells: list[str]
    equation: str  # e.g. "t3.row_sum[new]: 8+1+0+0+0+0 = 9, printed total 0"


class Suspect(BaseModel):
    """A smallest set of cells whose change alone makes every identity hold."""

    cells: list[str]
    current: dict[str, int | None]
    implied: dict[str, int | None]  # None where the identities do not pin the value down
    change: int | None  # sum of |implied - current|; None when not pinned down
    fixes: list[str]  # ids of the broken identities this change repairs
    rank: int = 0  # 1 = most likely

    @property
    def determined(self) -> bool:
        return all(v is not None for v in self.implied.values())


class CheckResult(BaseModel):
    """Every check made on a report, the findings worth showing and the ranked suspects."""

    template: str
    checks: list[Finding] = Field(default_factory=list)  # every identity, passed or not
    findings: list[Finding] = Field(default_factory=list)  # failed or unknown checks, warnings
    suspects: list[Suspect] = Field(default_factory=list)
    implicated: list[str] = Field(default_factory=list)  # cells in most broken identities

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.severity is Severity.ERROR]

    @property
    def warnings(self) -> list[Finding]:
        return [f for f in self.findings if f.severity is Severity.WARNING]

    @property
    def holds(self) -> bool:
        """True when no identity or domain rule is broken (unknown checks do not break)."""
        return not self.errors

    def counts(self) -> dict[str, int]:
        out = {s.value: 0 for s in Status}
        for check in self.checks:
            out[check.status.value] += 1
        return out
