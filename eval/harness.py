"""Run a backend over eval cases: extract, check, flag, score; one failure never stops the run.

Every report goes through the production path: `extractor.registry.get_extractor`, then
`rules.verdict.verdict` (the checks with the narrative's figures, each cell's proof, flags).
The flags that count for the silent-error rate are the ones that path raised.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from eval.cases import REAL_DIR, EvalCase, load_cases
from eval.metrics import USAGE_FIELDS, ReportScore, breakdown, score_report
from extractor.base import Extractor
from extractor.registry import get_extractor
from nianbao.core.document import SourceDocument
from nianbao.core.errors import NianbaoError
from nianbao.core.models import CanonicalReport, Extraction
from nianbao.pipeline.reconcile import reconcile
from rules.findings import Status
from rules.identities import identities_for
from rules.proving import blank_evidence, identity_status
from rules.verdict import verdict

BACKENDS = ("parser", "llm", "both", "targeted")


class HarnessError(NianbaoError):
    """A backend that cannot be set up at all (not one report's failure)."""


@dataclass
class Backend:
    """What extracts one document for the eval: one extractor, or parser + LLM reconciled."""

    name: str
    version: str
    extract: Callable[[SourceDocument], Extraction]


def make_backend(name: str, **options: Any) -> Backend:
    """The backend `name` ("parser", "llm", "both" or "targeted"), through the registry."""
    if name not in BACKENDS:
        raise HarnessError(f"unknown backend {name!r}: expected one of {', '.join(BACKENDS)}")
    if name in ("parser", "llm"):
        extractor = _get(name, options)
        return Backend(name, extractor.version, extractor.extract)
    parser, llm = _get("parser", {}), _get("llm", options)

    def both(doc: SourceDocument) -> Extraction:
        return reconcile(parser.extract(doc), llm.extract(doc))

    def targeted(doc: SourceDocument) -> Extraction:
        # the production path: the parser, then the LLM only about the rows it flags
        from nianbao.pipeline.worker import targeted_readings

        readings = targeted_readings(doc, {"parser": parser, "llm": llm})
        if "llm" not in readings:
            return readings["parser"]
        return reconcile(readings["parser"], readings["llm"])

    chosen = both if name == "both" else targeted
    return Backend(name, f"{parser.version}+{llm.version}", chosen)


def _get(name: str, options: dict[str, Any]) -> Extractor:
    try:
        return get_extractor(name, **options)
    except ImportError as exc:
        raise HarnessError(f"backend {name!r} is not available in this build ({exc})") from None


def evaluate_case(case: EvalCase, backend: Backend) -> ReportScore:
    """Extract, check and score one case; an exception becomes a failed report."""
    common = {
        "damage": case.damage,
        "broken_identities": case.broken_identities,
        "judgement_cells": case.judgement_cells,
        "fingerprint": case.fingerprint,
    }
    if case.doc is None:
        return score_report(
            case.id, case.set, case.kind, case.gold, None, {}, False, error=case.error, **common
        )
    start = time.perf_counter()
    try:
        extraction = backend.extract(case.doc)
        judged = verdict(extraction, case.doc.text)
    except Exception as exc:  # a bulk run records one bad report and carries on
        error = f"{exc.__class__.__name__}: {str(exc).splitlines()[0] if str(exc) else ''}"
        failed = score_report(
            case.id,
            case.set,
            case.kind,
            case.gold,
            None,
            {},
            False,
            error=error,
            wall_seconds=time.perf_counter() - start,
            **common,
        )
        spent = getattr(exc, "usage", {})  # what the failed report's answered requests cost
        failed.usage = {f: float(spent.get(f, 0.0)) for f in USAGE_FIELDS}
        return failed
    return score_report(
        case.id,
        case.set,
        case.kind,
        case.gold,
        extraction,
        judged.flags,
        judged.accepted,
        wall_seconds=time.perf_counter() - start,
        decisions=[
            {
                "id": d.id,
                "kind": d.kind,
                "reason": d.reason,
                "cells": d.cells,
                "rules": d.rules,
                "print_breaks": print_breaks(case.gold, d.rules, extraction),
            }
            for d in judged.proof.decisions
        ],
        **common,
    )


def print_breaks(gold: CanonicalReport, rules: list[str], extraction: Extraction) -> bool:
    """Whether the print itself breaks one of `rules`: the gold, with the cells the source
    shows blank (a placeholder or an empty cell, and null in the gold too) counted as
    nothing printed (0)."""
    if not rules:
        return False
    blank = {
        k
        for k, v in gold.cells.items()
        if v is None and blank_evidence(extraction.provenance.get(k))
    }
    ids = {i.id: i for i in identities_for(gold.meta.template)}
    return any(identity_status(ids[r], gold.cells, blank) is Status.FAILED for r in rules)


def run_cases(
    cases: list[EvalCase],
    backend: Backend,
    progress: Callable[[int, int, ReportScore], None] | None = None,
) -> list[ReportScore]:
    """Score every case in order."""
    scores = []
    for n, case in enumerate(cases, 1):
        score = evaluate_case(case, backend)
        scores.append(score)
        if progress:
            progress(n, len(cases), score)
    return scores


def run_eval(
    backend: str = "parser",
    which: str = "all",
    synth_count: int = 60,
    seed: int = 1,
    *,
    options: dict[str, Any] | None = None,
    progress: Callable[[int, int, ReportScore], None] | None = None,
    cases: list[EvalCase] | None = None,
    real_dir: Path | None = None,
) -> tuple[dict[str, Any], list[ReportScore]]:
    """Evaluate `backend` on set `which`: (every metric and the config, per-report scores)."""
    chosen = make_backend(backend, **(options or {}))
    if cases is None:  # callers that evaluate the same set twice load it once
        cases = load_cases(which, synth_count if which != "real" else 0, seed, real_dir or REAL_DIR)
    scores = run_cases(cases, chosen, progress)
    config = {
        "backend": backend,
        "set": which,
        "synth_count": synth_count if which != "real" else 0,
        "seed": seed,
        "real_dir": str(real_dir) if real_dir else None,  # None: the project's eval/data/real
        "extractor_version": chosen.version,
        "started": datetime.now(UTC).isoformat(timespec="seconds"),
    }
    return {"schema": "nianbao-eval/1", "config": config, **breakdown(scores)}, scores
