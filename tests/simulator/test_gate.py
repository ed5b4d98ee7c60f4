"""The CI gate: against a simulated model making every kind of error, nothing wrong slips
through. `both` and `targeted` leave no wrong cell unflagged; `llm` alone accepts no report
holding a wrong cell. Small and seeded, so it is fast and deterministic."""

from __future__ import annotations

import pytest

from eval.cases import real_cases, synth_cases
from eval.simulator import MODES, SimConfig
from eval.simulator.model import UNSEEN_MODES
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
    # 12 synthetic reports: `targeted` asks only about the rows the parser flags, and as the
    # parser proves more, 8 left it too few requests to spoil (4 in the unseen modes)
    return real_cases(only=REAL) + synth_cases(seed=1, count=12)


# the ten modes the checks were built against, and nine kept out of `--simulate all`
# (eval/simulator/unseen.py) that were first run only after the checks were written
@pytest.mark.parametrize("modes", [MODES, UNSEEN_MODES], ids=["all", "unseen"])
@pytest.mark.parametrize("backend", ["llm", "both", "targeted"])
def test_no_wrong_cell_slips_through(cases, backend: str, modes: tuple[str, ...]) -> None:  # type: ignore[no-untyped-def]
    sim = simulate(backend, cases, SimConfig(modes=modes, rate=RATES[backend], seed=0))
    table = sim.table
    injected = sum(o.injected for o in table.values())
    assert injected >= 5, f"the simulator injected too little to test anything: {table}"
    accepted_wrong = sum(o.silent_accepted for o in table.values())
    assert accepted_wrong == 0, sim.markdown()
    if backend != "llm":
        assert sum(o.silent for o in table.values()) == 0, sim.markdown()
    # every report either came out or failed as a whole (recorded, never half-stored)
    assert len(sim.scores) == len(cases)


def test_the_unseen_modes_holes_stay_closed() -> None:
    """The reports where the unseen modes first slipped through (llm, synth seed 8, rate
    0.33, seed 8): 万元 answered as 元 in three accepted reports (a bare amount was taken
    at 1/10000 of its print under any header), and 1161 read as 1 and 161 in a glued row
    (a prefix of the row's run was taken as the row). Injections depend only on the seed,
    the report and the request, so these four reports replay them."""
    holes = {"synth-8-0014", "synth-8-0016", "synth-8-0026", "synth-8-0044"}
    cases = [c for c in synth_cases(seed=8, count=45) if c.id in holes]
    sim = simulate("llm", cases, SimConfig(modes=UNSEEN_MODES, rate=0.33, seed=8))
    table = sim.table
    assert table["unit_scale"].injected >= 3 and table["split_thousands"].injected >= 1
    assert sum(o.silent for o in table.values()) == 0, sim.markdown()
