"""What became of each injected error: fixed, caught (flagged), silent, silent in an accepted
report; and what the reports cost against their own size."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from eval.metrics import ReportScore
from eval.simulator.model import Injection
from eval.simulator.tokens import estimate_tokens

NOT_INJECTED = "(not injected)"  # wrong cells no injection explains: the backend's own


@dataclass
class ModeOutcome:
    """Counts for one error mode over a run."""

    injected: int = 0  # requests spoiled with this mode (first asks and changed re-asks)
    cells: int = 0  # cells it made wrong
    fixed: int = 0  # right in the end
    caught: int = 0  # wrong and flagged
    silent: int = 0  # wrong and not flagged
    silent_accepted: int = 0  # ... in a report accepted without review
    failed: int = 0  # in a report that failed as a whole (rejected, not silent)
    reports_failed: set[str] = field(default_factory=set)

    def to_json(self) -> dict[str, Any]:
        return {
            "injected": self.injected,
            "cells": self.cells,
            "fixed": self.fixed,
            "caught": self.caught,
            "silent": self.silent,
            "silent_accepted": self.silent_accepted,
            "failed": self.failed,
            "reports_failed": len(self.reports_failed),
        }


def outcomes(log: Iterable[Injection], scores: Iterable[ReportScore]) -> dict[str, ModeOutcome]:
    """Per mode, what happened to the cells it spoiled (a cell counts for the first mode
    that spoiled it)."""
    by_id = {s.id: s for s in scores}
    table: dict[str, ModeOutcome] = {}
    blamed: dict[tuple[str, str], str] = {}
    for entry in log:
        if entry.mode is None:
            continue
        out = table.setdefault(entry.mode, ModeOutcome())
        if entry.action in ("inject", "change"):
            out.injected += 1
        score = by_id.get(entry.doc)
        if score is not None and score.failed:
            out.reports_failed.add(entry.doc)
        for key in entry.cells:
            blamed.setdefault((entry.doc, key), entry.mode)
    for (doc, key), mode in blamed.items():
        score = by_id.get(doc)
        if score is None:
            continue
        _count(table[mode], score, key)
    for score in by_id.values():
        for key in score.wrong:
            if (score.id, key) not in blamed and not score.failed:
                _count(table.setdefault(NOT_INJECTED, ModeOutcome()), score, key)
    return table


def _count(out: ModeOutcome, score: ReportScore, key: str) -> None:
    out.cells += 1
    if score.failed:
        out.failed += 1
    elif key not in score.wrong:
        out.fixed += 1
    elif score.wrong[key][2]:
        out.caught += 1
    else:
        out.silent += 1
        if score.accepted:
            out.silent_accepted += 1


def cost(scores: Iterable[ReportScore], texts: dict[str, str]) -> dict[str, float | None]:
    """Calls and tokens per report, and input tokens against the report's own tokens."""
    scores = list(scores)
    n = len(scores) or 1
    calls = sum(s.usage.get("calls", 0.0) for s in scores)
    tokens_in = sum(s.usage.get("input_tokens", 0.0) for s in scores)
    tokens_out = sum(s.usage.get("output_tokens", 0.0) for s in scores)
    tokens_cached = sum(s.usage.get("cached_input_tokens", 0.0) for s in scores)
    asked = [s for s in scores if s.usage.get("calls", 0.0) > 0]
    own = sum(estimate_tokens(texts.get(s.id, "")) for s in asked)
    asked_in = sum(s.usage.get("input_tokens", 0.0) for s in asked)
    return {
        "reports": len(scores),
        "reports_asked": len(asked),
        "calls_per_report": round(calls / n, 2),
        "input_tokens_per_report": round(tokens_in / n),
        "cached_input_tokens_per_report": round(tokens_cached / n),
        "output_tokens_per_report": round(tokens_out / n),
        "report_tokens_per_report": round(own / (len(asked) or 1)),
        "input_x_report": round(asked_in / own, 2) if own else None,
    }


def render(table: dict[str, ModeOutcome], usage: dict[str, float | None]) -> str:
    """The per-mode table and the cost line, as Markdown."""
    lines = [
        "| mode | injected | cells | fixed | caught | silent | silent in accepted | failed |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for mode, out in sorted(table.items()):
        lines.append(
            f"| {mode} | {out.injected} | {out.cells} | {out.fixed} | {out.caught} | "
            f"{out.silent} | {out.silent_accepted} | {out.failed} |"
        )
    lines.append("")
    lines.append(
        f"{usage['calls_per_report']} calls, {usage['input_tokens_per_report']} input "
        f"({usage.get('cached_input_tokens_per_report', 0)} of them cached) + "
        f"{usage['output_tokens_per_report']} output tokens per report; reports asked "
        f"{usage['reports_asked']}/{usage['reports']}, input = {usage['input_x_report']}x "
        "the report's own tokens"
    )
    return "\n".join(lines)
