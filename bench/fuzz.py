"""Fuzz on demand: many hostile and random inputs through every reader and the parser.

    .venv/bin/python bench/fuzz.py --inputs 10000 [--seed N] [--hostile] [--jobs 2]
        [--seconds 60] [--memory-mb 2048] [--dump DIR]

Each input is read and parsed in a child process held to the time and memory budget
(tests/fuzz/harness.py). Prints inputs tried, verdicts per kind, failures (tracebacks, in
full), inputs over budget, the peak memory of one input and the slowest one. `--hostile`
lifts the sizes the short suite run stays under (rows of 100,000 values, nesting 100,000
deep, 4 GB zip bombs). Exit 1 when any input ended in a traceback.
"""

from __future__ import annotations

import argparse
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from hypothesis import HealthCheck, Phase, given, seed, settings

from tests.fuzz.harness import Budget, Tally, run_input, warm
from tests.fuzz.inputs import FuzzInput, fuzz_inputs


def collect(n: int, hostile: bool, start: int) -> list[FuzzInput]:
    """`n` inputs drawn by hypothesis (seeded: the same list for the same seed)."""
    drawn: list[FuzzInput] = []

    @seed(start)
    @settings(
        max_examples=n,
        deadline=None,
        database=None,
        phases=[Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(fuzz_inputs(hostile))
    def draw(item: FuzzInput) -> None:
        drawn.append(item)

    draw()
    return drawn


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--inputs", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--hostile", action="store_true", help="past the suite's safe sizes")
    parser.add_argument("--jobs", type=int, default=1, help="inputs run at once")
    parser.add_argument("--seconds", type=float, default=Budget.seconds)
    parser.add_argument("--memory-mb", type=int, default=Budget.memory_mb)
    parser.add_argument("--dump", type=Path, help="write failing/over-budget/slowest inputs here")
    args = parser.parse_args()
    budget = Budget(args.seconds, args.memory_mb)
    tally = Tally()
    started = time.perf_counter()
    remaining, batch_seed = args.inputs, args.seed
    # worker processes, each single-threaded: the harness forks a child per input from them
    with ProcessPoolExecutor(max(1, args.jobs), initializer=warm) as pool:
        while remaining > 0:  # hypothesis may stop a round early: draw until the count is met
            items = collect(min(remaining, 1000), args.hostile, batch_seed)[:remaining]
            batch_seed += 1
            outcomes = pool.map(run_input, items, [budget] * len(items), chunksize=8)
            for item, outcome in zip(items, outcomes, strict=True):
                tally.add(item, outcome)
                if tally.tried % 500 == 0:
                    print(f"... {tally.tried} inputs, {len(tally.failures)} failures", flush=True)
            remaining -= len(items)
    print(f"budget per input: {budget.seconds:g} s, {budget.memory_mb} MB address space")
    print(tally.summary())
    print(f"wall time: {time.perf_counter() - started:.0f} s")
    if args.dump:
        print(f"inputs to reproduce with: {len(tally.dump(args.dump))} file(s) in {args.dump}")
    return 1 if tally.failures else 0


if __name__ == "__main__":
    sys.exit(main())
