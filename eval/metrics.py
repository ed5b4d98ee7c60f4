"""Score one extraction against its gold, and add scores up by set, layout, part, damage.

Definitions (docs/eval.md says the same for readers):
- a cell is right when the extracted value equals the gold value; `null` and `0` differ;
- a cell is flagged when `rules.verdict.review_flags` (the system's one flag policy)
  names it; a report the backend failed on is rejected as a whole, so its cells are all
  wrong but none is silent, and it raises no flags for the flag precision;
- silent-error rate = wrong cells not flagged / all cells;
- flag precision = flagged cells that were wrong / flagged cells;
- a report is accepted without review when every cell is proven (`rules.proof`);
- a decision (`rules.proving.Decision`: one cause a person settles in one action) is
  warranted when it holds a wrong cell or settles an identity the report's own print breaks
  (the gold breaks it too); decision precision = warranted decisions / decisions;
- a report's print is consistent when its gold breaks no identity: the share of those
  accepted with no human look is `accepted_consistent`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field
from decimal import Decimal
from typing import Any

from nianbao.core.layout import layout_for
from nianbao.core.models import CanonicalReport, CellValue, Extraction

PARTS = ("t2", "t3", "t4")
USAGE_FIELDS = (
    "calls",
    "cached_calls",
    "input_tokens",
    "cached_input_tokens",  # of input_tokens, hits of the provider's prompt cache
    "output_tokens",
    "cost_usd",
    "seconds",
)
# Per-report counters that add up over any group of reports.
COUNTERS = ("cells", "correct", "flagged", "flagged_wrong", "silent")


def json_value(value: CellValue | str) -> int | float | str | None:
    """A cell value as plain JSON (amounts as numbers)."""
    if isinstance(value, Decimal):
        return float(value)
    return value


def same(gold: CellValue, got: CellValue) -> bool:
    """Exact equality, with null never equal to a number (null vs 0 is an error)."""
    if gold is None or got is None:
        return gold is None and got is None
    return gold == got


@dataclass
class PartCounts:
    cells: int = 0
    correct: int = 0
    flagged: int = 0
    flagged_wrong: int = 0
    silent: int = 0


@dataclass
class ReportScore:
    """How one report came out. `wrong` maps key -> [gold, got, flagged, first flag reason]."""

    id: str
    set: str
    template: str
    kind: str
    damage: list[str]
    broken_identities: list[str]
    fingerprint: str
    error: str | None = None
    judgement_cells: list[str] = field(default_factory=list)  # the gold's reading calls
    parts: dict[str, PartCounts] = field(default_factory=dict)
    wrong: dict[str, list[Any]] = field(default_factory=dict)
    flags: list[str] = field(default_factory=list)  # every flagged key, right or wrong
    # one per cause a person settles: {"id", "kind", "cells", "rules"} (rules.proving)
    decisions: list[dict[str, Any]] = field(default_factory=list)
    accepted: bool = False  # no flag and no broken identity: would go through unreviewed
    meta_ok: dict[str, bool] = field(default_factory=dict)
    usage: dict[str, float] = field(default_factory=dict)
    wall_seconds: float = 0.0

    def total(self, name: str) -> int:
        return sum(getattr(p, name) for p in self.parts.values())

    @property
    def failed(self) -> bool:
        return self.error is not None

    @property
    def exact(self) -> bool:
        return not self.failed and not self.wrong and self.meta_ok.get("template", False)

    def wrong_keys(self) -> set[str]:
        """Keys read wrong; a failed report has every key of its template wrong."""
        if self.failed:
            return set(layout_for(self.template).keys)
        return set(self.wrong)

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["cells"] = self.total("cells")
        data["correct"] = self.total("correct")
        data["accuracy"] = _ratio(data["correct"], data["cells"])
        data["silent"] = self.total("silent")
        data["exact"] = self.exact
        return data

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> ReportScore:
        fields = {k: data[k] for k in cls.__dataclass_fields__ if k in data}
        fields["parts"] = {p: PartCounts(**c) for p, c in data.get("parts", {}).items()}
        return cls(**fields)


def _empty_parts(gold: CanonicalReport) -> dict[str, PartCounts]:
    parts = {p: PartCounts() for p in PARTS}
    for key in gold.cells:
        parts[key.split(".", 1)[0]].cells += 1
    return parts


def score_report(
    case_id: str,
    set_name: str,
    kind: str,
    gold: CanonicalReport,
    extraction: Extraction | None,
    flags: Mapping[str, list[str]],
    accepted: bool,
    *,
    damage: Iterable[str] = (),
    broken_identities: Iterable[str] = (),
    judgement_cells: Iterable[str] = (),
    fingerprint: str = "",
    error: str | None = None,
    wall_seconds: float = 0.0,
    decisions: Iterable[Mapping[str, Any]] = (),
) -> ReportScore:
    """Compare every gold cell with the extraction (None when the backend failed)."""
    score = ReportScore(
        id=case_id,
        set=set_name,
        template=gold.meta.template,
        kind=kind,
        damage=list(damage),
        broken_identities=list(broken_identities),
        judgement_cells=list(judgement_cells),
        fingerprint=fingerprint,
        error=error,
        parts=_empty_parts(gold),
        wall_seconds=wall_seconds,
    )
    if extraction is None:
        score.error = error or "no extraction"  # every cell wrong, none silent: see wrong_keys
        score.meta_ok = {"template": False, "year": False, "organ": False}
        return score
    got_cells = extraction.report.cells
    meta = extraction.report.meta
    score.meta_ok = {
        "template": meta.template == gold.meta.template,
        "year": meta.year == gold.meta.year,
        "organ": meta.organ == gold.meta.organ,
    }
    score.flags = list(flags)
    score.decisions = [
        {
            "id": d["id"],
            "kind": d["kind"],
            "reason": str(d.get("reason", "")),
            "cells": list(d["cells"]),
            "rules": list(d["rules"]),
            "print_breaks": bool(d.get("print_breaks", False)),
        }
        for d in decisions
    ]
    score.accepted = accepted
    score.usage = {f: float(extraction.usage.get(f, 0.0)) for f in USAGE_FIELDS}
    for key, gold_value in gold.cells.items():
        part = score.parts[key.split(".", 1)[0]]
        got = got_cells.get(key)
        flagged = key in flags
        right = key in got_cells and same(gold_value, got)
        part.correct += right
        part.flagged += flagged
        if not right:
            part.flagged_wrong += flagged
            part.silent += not flagged
            reason = flags[key][0] if flagged and flags[key] else None
            score.wrong[key] = [json_value(gold_value), json_value(got), flagged, reason]
    return score


def warranted(score: ReportScore, decision: Mapping[str, Any]) -> bool:
    """A decision a person really had to make: a wrong cell in it, an identity the report's
    own print breaks, or a cell whose gold is itself a reading call (`judgement_cells`: a
    value lost or mangled in print, recovered through the identities or left null)."""
    if set(decision["cells"]) & set(score.wrong):
        return True
    if decision.get("print_breaks"):  # with its printed blanks as 0, the print breaks it
        return True
    if set(decision["cells"]) & set(score.judgement_cells):  # the gold itself is a call
        return True
    return bool(set(decision["rules"]) & set(score.broken_identities))


# Damage that destroys what the print says (a value, a row, a label, where a value goes):
# a report carrying none of it is "complete", and every cell of it can be proven.
LOSSY = frozenset(
    {
        "omitted_row",
        "dropped_cells",
        "missing_value",
        "duplicated_values",
        "glued_digits",
        "detached_labels",
        "lost_label",
        "broken_number",
        "ocr_digits",
        "interleaved",
        "fragment",
        "merged_rows",
    }
)


def consistent_print(score: ReportScore) -> bool:
    """The print breaks no identity: not in the gold, nor once its printed blanks count 0."""
    if score.failed or score.broken_identities:
        return False
    return not any(d.get("print_breaks") for d in score.decisions)


def _ratio(num: float, den: float) -> float | None:
    return round(num / den, 6) if den else None


def aggregate(scores: Iterable[ReportScore], part: str | None = None) -> dict[str, Any]:
    """Every metric over a group of reports (over one part's cells when `part` is given)."""
    scores = list(scores)
    sums = dict.fromkeys(COUNTERS, 0)
    for s in scores:
        for name in COUNTERS:
            if part is None:
                sums[name] += s.total(name)
            else:
                sums[name] += getattr(s.parts.get(part, PartCounts()), name)
    n = len(scores)
    usage = {f: sum(s.usage.get(f, 0.0) for s in scores) for f in USAGE_FIELDS}
    out: dict[str, Any] = {
        "reports": n,
        "failed": sum(s.failed for s in scores),
        "cells": sums["cells"],
        "cell_accuracy": _ratio(sums["correct"], sums["cells"]),
        "silent_error_rate": _ratio(sums["silent"], sums["cells"]),
        "flag_precision": _ratio(sums["flagged_wrong"], sums["flagged"]),
        "flagged_share": _ratio(sums["flagged"], sums["cells"]),
        "wrong_cells": sums["cells"] - sums["correct"],
        "silent_cells": sums["silent"],
    }
    if part is None:
        # wrong cells whose gold is itself a judgement call (eval/data/real/*.notes.md)
        out["wrong_judgement_cells"] = sum(
            len(set(s.judgement_cells) & set(s.wrong)) for s in scores
        )
    if part is None:
        accepted = [s for s in scores if s.accepted]
        decisions = [(s, d) for s in scores for d in s.decisions]
        consistent = [s for s in scores if consistent_print(s)]
        complete = [s for s in consistent if not set(s.damage) & LOSSY]
        out |= {
            "flags_per_report": _ratio(sums["flagged"], n),
            "decisions_per_report": _ratio(len(decisions), n),
            # warranted decisions / decisions (see `warranted`)
            "decision_precision": _ratio(
                sum(warranted(s, d) for s, d in decisions), len(decisions)
            ),
            "consistent_reports": len(consistent),
            # reports whose print breaks no identity, accepted with no human look
            "accepted_consistent": _ratio(sum(s.accepted for s in consistent), len(consistent)),
            "complete_reports": len(complete),
            # consistent and nothing lost in print (no LOSSY damage): all of it is provable
            "accepted_complete": _ratio(sum(s.accepted for s in complete), len(complete)),
            "accepted_wrong_reports": sum(bool(s.wrong) for s in accepted),
        }
        out |= {
            "exact_match_rate": _ratio(sum(s.exact for s in scores), n),
            "accepted_without_review": _ratio(len(accepted), n),
            # accepted without review but holding a wrong cell: the costly case
            "accepted_but_wrong": _ratio(sum(bool(s.wrong) for s in accepted), n),
            "template_accuracy": _ratio(sum(s.meta_ok.get("template", False) for s in scores), n),
            "year_accuracy": _ratio(sum(s.meta_ok.get("year", False) for s in scores), n),
            "llm_calls_per_report": _ratio(usage["calls"], n),
            "cached_calls_per_report": _ratio(usage["cached_calls"], n),
            "input_tokens_per_report": _ratio(usage["input_tokens"], n),
            "cached_input_tokens_per_report": _ratio(usage["cached_input_tokens"], n),
            "output_tokens_per_report": _ratio(usage["output_tokens"], n),
            "cost_usd_per_report": _ratio(usage["cost_usd"], n),
            "cost_usd_total": round(usage["cost_usd"], 6),
            "seconds_per_report": _ratio(sum(s.wall_seconds for s in scores), n),
        }
    return out


def breakdown(scores: list[ReportScore]) -> dict[str, Any]:
    """The headline plus every grouping the report shows."""

    def group(key_of) -> dict[str, Any]:
        groups: dict[str, list[ReportScore]] = {}
        for s in scores:
            for k in key_of(s):
                groups.setdefault(k, []).append(s)
        return {k: aggregate(v) for k, v in sorted(groups.items())}

    return {
        "headline": aggregate(scores),
        "by_set": group(lambda s: [s.set]),
        "by_template": group(lambda s: [s.template]),
        "by_part": {p: aggregate(scores, part=p) for p in PARTS},
        "by_damage": group(lambda s: s.damage or ["(none)"]),
        "by_kind": group(lambda s: [f"{s.set}:{s.kind}"]),
    }
