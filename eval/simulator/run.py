"""`nianbao eval --simulate`: the eval run against the simulated model on a local port.

The simulator knows every case's gold; the LLM backend is pointed at it through its
ordinary settings (base URL, key, model), so the production client path is what runs.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from eval.cases import EvalCase
from eval.metrics import ReportScore
from eval.simulator.documents import SimDoc
from eval.simulator.model import SimConfig, SimulatedModel
from eval.simulator.score import ModeOutcome, cost, outcomes, render
from eval.simulator.server import SimServer
from extractor.llm.config import RetryPolicy

SIM_KEY = "sk-simulated-not-a-real-key"
# The simulator answers at once: retries need no real waiting.
SIM_RETRY = RetryPolicy(attempts=3, initial_wait=0.01, max_wait=0.05, jitter=0.0)


@dataclass
class Simulation:
    """A simulated eval run: the eval's own result and scores, plus the per-mode table."""

    result: dict[str, Any]
    scores: list[ReportScore]
    table: dict[str, ModeOutcome]
    usage: dict[str, float | None]

    def markdown(self) -> str:
        return render(self.table, self.usage)

    def to_json(self) -> dict[str, Any]:
        return {
            "modes": {m: o.to_json() for m, o in sorted(self.table.items())},
            "usage": self.usage,
        }


def simulate(
    backend: str,
    cases: list[EvalCase],
    config: SimConfig,
    *,
    log_path: Path | None = None,
    options: dict[str, Any] | None = None,
    progress: Callable[[int, int, ReportScore], None] | None = None,
) -> Simulation:
    """Run `backend` over `cases` against a simulated model with `config`'s errors."""
    from eval.harness import run_eval

    docs = [SimDoc(c.id, c.doc.text, c.gold) for c in cases if c.doc is not None]
    model = SimulatedModel(docs, config, log_path)
    with SimServer(model) as server:
        settings: dict[str, Any] = {
            "base_url": server.url,
            "api_key": SIM_KEY,
            "model": config.model,
            "no_cache": True,  # every run asks afresh: the injections are the point
            "retry": SIM_RETRY,
            "timeout": 30.0,
        }
        settings.update(options or {})
        result, scores = run_eval(backend, "real", cases=cases, options=settings, progress=progress)
    table = outcomes(model.log, scores)
    usage = cost(scores, {d.id: d.text for d in docs})
    sim = Simulation(result, scores, table, usage)
    result["simulation"] = {
        "modes_enabled": list(config.modes),
        "rate": config.rate,
        "seed": config.seed,
        "requests": model.requests,
        **sim.to_json(),
    }
    return sim
