"""What goes into the store (an `Outcome` per report) and what comes out (typed views)."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from nianbao.core.errors import NianbaoError
from nianbao.core.layout import Template
from nianbao.core.models import CellValue, Extraction, ReportStatus
from rules.findings import CheckResult, Finding, Suspect
from rules.proving import Proof


class ReviewStatus(StrEnum):
    """A person's verdict on a whole report."""

    PENDING = "pending"
    ACCEPTED = "accepted"
    ACCEPTED_WITH_SOURCE_ERROR = "accepted_with_source_error"


class DecisionKind(StrEnum):
    FIX = "fix"  # a person set the cell's value
    ACCEPT_CELL = "accept_cell"  # a person confirmed the extracted value
    ACCEPT_REPORT = "accept_report"
    ACCEPT_WITH_SOURCE_ERROR = "accept_with_source_error"  # the source itself breaks a rule
    UNDO = "undo"


class StoreError(NianbaoError):
    """A review action the store refuses; the message says why, for the reviewer."""


class StaleEdit(StoreError):
    """Somebody else changed the cell (or report) since the reviewer loaded it."""


class NotClean(StoreError):
    """The report still breaks identities: accept it with the source's error and a reason."""


class UnknownReport(StoreError):
    """No report, cell or decision with that id."""


@dataclass(frozen=True)
class SourceInfo:
    """One input file as the pipeline saw it: enough to find or create its report row."""

    path: str
    name: str
    content_hash: str  # sha256 of the raw bytes
    media: str
    size_bytes: int
    text: str | None = None  # the decoded text; None when it could not be decoded


@dataclass
class Outcome:
    """A processed report, ready to store: the reconciled reading and the evidence for it."""

    source: SourceInfo
    status: ReportStatus
    reconciled: Extraction
    sources: dict[str, Extraction]  # backend name ("parser", "llm") -> its own reading
    check: CheckResult
    flags: dict[str, list[str]]  # rules.verdict on the reconciled reading
    seconds: float = 0.0
    # rules.proving.prove on the reconciled reading (levels, decisions); None: computed on save
    proof: Proof | None = None


@dataclass(frozen=True)
class ReportSummary:
    """One line of the review queue."""

    report_id: int
    result_id: int
    source_name: str
    source_path: str
    organ: str | None
    year: int | None
    template: Template | None
    status: str  # ReportStatus of the pipeline
    review_status: str  # ReviewStatus
    n_broken: int  # identity / domain rules the current values break
    n_disagreements: int  # cells the parser and the LLM read differently
    n_low_confidence: int
    n_flagged: int
    n_warnings: int
    error: str | None
    version: int


@dataclass(frozen=True)
class CellView:
    """One canonical cell as the review screen shows it."""

    key: str
    value: CellValue  # the current value: the reviewed one if a person fixed it
    extracted: CellValue  # what the pipeline produced
    status: str  # CellStatus
    reasons: list[str]
    agreement: str
    parser_value: CellValue
    llm_value: CellValue
    span: tuple[int, int] | None
    snippet: str | None
    method: str | None
    alignment: str | None
    confidence: float | None
    review_state: str  # none | fixed | accepted
    version: int
    page: int | None = None  # 1-based page of a PDF or scan where the value sits
    box: tuple[float, float, float, float] | None = None  # page fractions, top-left origin


@dataclass(frozen=True)
class DecisionView:
    id: int
    kind: str
    key: str | None
    old_value: str | None
    new_value: str | None
    reviewer: str
    reason: str | None
    created_at: str
    undoes: int | None
    undone_by: int | None


@dataclass
class ReportView:
    """Everything the report screen needs for one report's current result."""

    summary: ReportSummary
    source_text: str | None
    media: str
    cells: dict[str, CellView]  # in layout order
    findings: list[Finding]
    suspects: list[Suspect]
    decisions: list[DecisionView] = field(default_factory=list)

    def implied(self, key: str) -> CellValue:
        """The value the best suspect containing `key` implies, if the identities pin it."""
        for suspect in self.suspects:
            if key in suspect.cells:
                return suspect.implied.get(key)
        return None

    @property
    def values(self) -> dict[str, CellValue]:
        return {k: c.value for k, c in self.cells.items()}
