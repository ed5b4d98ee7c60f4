"""The CI gate: against a simulated model making every kind of error, nothing wrong slips
through. `both` and `targeted` leave no wrong cell unflagged; `llm` alone accepts no report
holding a wrong cell. Small and seeded, so it is fast and deterministic."""

from __future__ import annotations

import pytest

from eval.cases import real_cases, synth_cases
from eval.simulator import MODES, SimConfig
from eval.simulator.run import simulate

REAL = (
    "seed-000",
    "seed-003",
    "corpus-003_pingtan-2021-webtext",
    "corpus-008_shuyang-county-gov-2025-ocr-md",
    "corpus-010_shanghai-gov-office-2025-pdfextract",
)
# targeted asks about few rows: every one of its requests is spoiled
RATES = {"llm": 0.5, "both": 0.5, "targeted": 1.0}


@pytest.fixture(scope="module")
def cases():  # type: ignore[no-untyped-def]
    return real_cases(only=REAL) + synth_cases(seed=1, count=8)


@pytest.mark.parametrize("backend", ["llm", "both", "targeted"])
def test_no_wrong_cell_slips_through(cases, backend: str) -> None:  # type: ignore[no-untyped-def]
    sim = simulate(backend, cases, SimConfig(modes=MODES, rate=RATES[backend], seed=0))
    table = sim.table
    injected = sum(o.injected for o in table.values())
    assert injected >= 5, f"the simulator injected too little to test anything: {table}"
    accepted_wrong = sum(o.silent_accepted for o in table.values())
    assert accepted_wrong == 0, sim.markdown()
    if backend != "llm":
        assert sum(o.silent for o in table.values()) == 0, sim.markdown()
    # every report either came out or failed as a whole (recorded, never half-stored)
    assert len(sim.scores) == len(cases)
