"""A short fuzz round in the suite: hostile and random inputs through every reader and the
parser, each in a bounded child process. Not one may end in a traceback.

Derandomised (the same inputs every run) and small; the long run is `bench/fuzz.py`. The
budget is there so a blow-up costs one input, not the suite; whether an input finished
within it depends on the machine, so it is reported, never asserted.
"""

from __future__ import annotations

import os
from pathlib import Path

from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from tests.fuzz.harness import Budget, Tally, run_input
from tests.fuzz.inputs import (
    FuzzInput,
    deep_html,
    docx_file,
    fuzz_inputs,
    glued_digits,
    huge_row,
    pdf_file,
)

QUICK = settings(
    derandomize=True,
    max_examples=30,
    deadline=None,
    database=None,
    phases=[Phase.explicit, Phase.generate],  # a failure is reported as found, not shrunk
    suppress_health_check=list(HealthCheck),
)
BUDGET = Budget()
TALLY = Tally()


def _no_traceback(item: FuzzInput) -> None:
    outcome = run_input(item, BUDGET)
    TALLY.add(item, outcome)
    assert not outcome.failed, f"{item!r}: {outcome.detail}\n{outcome.traceback}"
    if outcome.verdict == "refused":
        assert "\n" not in outcome.detail and outcome.detail


@QUICK
@given(fuzz_inputs())
def test_random_and_hostile_inputs_never_end_in_a_traceback(item: FuzzInput) -> None:
    _no_traceback(item)


@settings(QUICK, max_examples=10)
@given(st.one_of(huge_row(), glued_digits(), deep_html(), docx_file(), pdf_file()))
def test_each_hostile_kind_gets_its_turn(item: FuzzInput) -> None:
    _no_traceback(item)


def teardown_module() -> None:
    """The round's figures in the test log (`pytest -s` shows them); with
    $NIANBAO_FUZZ_DUMP set, the failing, over-budget and slowest inputs as files there."""
    print("\n" + TALLY.summary())
    if os.environ.get("NIANBAO_FUZZ_DUMP"):
        TALLY.dump(Path(os.environ["NIANBAO_FUZZ_DUMP"]))
