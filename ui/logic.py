"""The review logic, without Streamlit: current values, re-check, candidates, acceptance.

The screen holds a `ReviewReport` (what the store knows about one report) and asks this
module everything: the cells' statuses after the rule engine re-checks the current values,
the one-click candidate values for a cell, whether the report may be accepted. The same
functions are what the tests call, so no decision exists only in a screen.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from decimal import Decimal

from nianbao.core.layout import ValueKind, layout_for
from nianbao.core.models import CanonicalReport, CellProvenance, CellValue, Extraction, Meta
from nianbao.store.values import parse_input
from rules.findings import CheckResult
from rules.proving import REVIEWER, Proof
from rules.verdict import verdict
from ui.status import CellStatus, cell_statuses

_OPEN_ORDER = {
    CellStatus.DISAGREEMENT: 0,
    CellStatus.BROKEN: 1,
    CellStatus.LOW_CONFIDENCE: 2,
    CellStatus.NULL: 3,
}


@dataclass(frozen=True)
class ReviewReport:
    """One report as the reviewer sees it: source, readings, and the decisions so far."""

    report_id: int
    source_name: str
    source_text: str
    meta: Meta
    extracted: dict[str, CellValue]  # the pipeline's reconciled values
    readings: dict[str, dict[str, CellValue]] = field(default_factory=dict)  # backend -> cells
    provenance: dict[str, CellProvenance] = field(default_factory=dict)
    reviewed: dict[str, CellValue] = field(default_factory=dict)  # key -> a person's value
    status: str = "needs_review"
    source_path: str | None = None  # the file read: its pages show a cell's box

    @property
    def values(self) -> dict[str, CellValue]:
        """The current values: extracted, with every reviewed value applied."""
        return {**self.extracted, **self.reviewed}

    def report(self) -> CanonicalReport:
        return CanonicalReport(meta=self.meta, cells=self.values)

    def with_value(self, key: str, value: CellValue) -> ReviewReport:
        """A copy with `key` set by a reviewer (the store is not touched)."""
        layout_for(self.meta.template).spec(key)  # KeyError for a key of another template
        return replace(self, reviewed={**self.reviewed, key: value})


@dataclass(frozen=True)
class Evaluation:
    """The rule engine's verdict on the current values and each cell's status."""

    result: CheckResult
    flags: dict[str, list[str]]  # rules.verdict on the current values
    statuses: dict[str, CellStatus]
    disagreements: set[str]
    proof: Proof | None = None  # rules.proving on the current values: levels, decisions

    @property
    def open_cells(self) -> list[str]:
        """Flagged cells no person has decided yet, likeliest culprits first.

        The cells of the best suspects lead (they alone repair every identity), then the
        disagreements, the other broken cells, low confidence, nulls; layout order within.
        """
        suspect_rank: dict[str, int] = {}
        for suspect in self.result.suspects:
            for key in suspect.cells:
                suspect_rank.setdefault(key, suspect.rank)
        keys = [
            k for k, s in self.statuses.items() if s is not CellStatus.REVIEWED and k in self.flags
        ]
        layout_pos = {k: n for n, k in enumerate(self.statuses)}

        def urgency(key: str) -> tuple[int, int, int]:
            if key in suspect_rank:
                return (0, suspect_rank[key], layout_pos[key])
            return (1, _OPEN_ORDER.get(self.statuses[key], 9), layout_pos[key])

        return sorted(keys, key=urgency)


def disagreements(readings: Mapping[str, Mapping[str, CellValue]]) -> set[str]:
    """Cells that two or more backends read differently."""
    if len(readings) < 2:
        return set()
    keys = set().union(*(r.keys() for r in readings.values()))
    return {k for k in keys if len({r.get(k) for r in readings.values() if k in r}) > 1}


def evaluate(rr: ReviewReport) -> Evaluation:
    """Re-check the current values; the review policy decides which cells still need a look."""
    report = rr.report()
    # the one verdict, on the current values (narrative soft checks included, as the
    # store's); a value a person set is the person's reading: proven by the person
    by_person = {k: CellProvenance(extractor=REVIEWER) for k in rr.reviewed}
    provenance = {**rr.provenance, **by_person}
    extraction = Extraction(report=report, provenance=provenance, extractor="review")
    judged = verdict(extraction, rr.source_text)
    result, flags, proof = judged.check, judged.flags, judged.proof
    differ = disagreements(rr.readings)
    for key in differ:  # the pipeline may have said so already, in its own words
        if not any("disagree" in r for r in flags.get(key, [])):
            flags.setdefault(key, []).append("extractors disagree")
    statuses = cell_statuses(rr.values, result, flags, differ, set(rr.reviewed))
    return Evaluation(result, flags, statuses, differ, proof)


@dataclass(frozen=True)
class Candidate:
    """A value the reviewer can take with one click, and where it comes from."""

    value: CellValue
    sources: tuple[str, ...]  # "parser", "llm", "implied by suspect #1", "other reading"

    @property
    def label(self) -> str:
        shown = "空 (null)" if self.value is None else str(self.value)
        return f"{shown} ← {' / '.join(self.sources)}"


def candidates(rr: ReviewReport, key: str, result: CheckResult) -> list[Candidate]:
    """Each backend's reading, the values error localisation implies, other readings."""
    found: dict[str, list[str]] = {}
    values: dict[str, CellValue] = {}

    def add(value: CellValue, source: str) -> None:
        marker = _marker(value)
        values.setdefault(marker, value)
        if source not in found.setdefault(marker, []):
            found[marker].append(source)

    for backend, cells in rr.readings.items():
        if key in cells:
            add(cells[key], backend)
    if not rr.readings:
        add(rr.extracted.get(key), "extracted")
    for suspect in result.suspects:
        implied = suspect.implied.get(key)
        if key in suspect.cells and implied is not None:
            add(_as_kind(rr, key, implied), f"implied by suspect #{suspect.rank}")
    prov = rr.provenance.get(key)
    for alt in prov.alternatives if prov else []:
        add(alt, "other reading")
    return [Candidate(values[m], tuple(s)) for m, s in found.items()]


def _marker(value: CellValue) -> str:
    return "null" if value is None else str(Decimal(value).normalize())


def _as_kind(rr: ReviewReport, key: str, value: int) -> CellValue:
    kind = layout_for(rr.meta.template).spec(key).kind
    return Decimal(value) if kind is ValueKind.AMOUNT else int(value)


def parse_value(template: str, key: str, text: str) -> CellValue:
    """A typed value for `key`: a whole number, an amount, or empty for null.

    The store's parser, plus the domain rule the screen enforces before saving: only
    本年增/减 may be negative. Raises ValueError with a message a reviewer can act on.
    """
    value = parse_input(template, key, text)
    kind = layout_for(template).spec(key).kind
    if value is not None and value < 0 and kind is not ValueKind.SIGNED:
        what = "an amount" if kind is ValueKind.AMOUNT else "a count"
        raise ValueError(f"{key}: {what} cannot be negative")
    return value


@dataclass(frozen=True)
class Acceptance:
    """Whether the report may be accepted now, and on what terms."""

    clean: bool  # every identity and domain rule holds on the current values
    broken: list[str]  # the rules still broken
    unreviewed: list[str]  # flagged cells nobody decided (accepting confirms them as read)


def acceptance(ev: Evaluation) -> Acceptance:
    return Acceptance(
        clean=ev.result.holds,
        broken=[f.rule for f in ev.result.errors],
        unreviewed=ev.open_cells,
    )


def check_accept(ev: Evaluation, reason: str | None) -> None:
    """Raise ValueError unless the report is clean or a reason for its own error is given."""
    acc = acceptance(ev)
    if not acc.clean and not (reason and reason.strip()):
        raise ValueError(
            "the numbers still break "
            + ", ".join(acc.broken[:3])
            + ": fix them, or accept with the source's own error and give a reason"
        )
