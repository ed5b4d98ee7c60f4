"""Benchmark: counting a glued run's cuts (rules.cuts) on hostile runs, CPU seconds per call.

Run on demand: `.venv/bin/python bench/bench_cuts.py [--digits 5000]`. The counts are linear
in the run (readings) and in the run times the number of cells (cuts), so a 5,000-digit run
costs milliseconds where enumerating its cuts would never end; the tokenizer hands the parser
runs of at most 400 characters, so this is headroom, not the everyday cost.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent.parent))

from rules.cuts import cuts, readings, sole_cut


def _time(call: Callable[[], object], repeat: int = 5) -> tuple[float, object]:
    best, result = float("inf"), None
    for _ in range(repeat):
        started = time.process_time()
        result = call()
        best = min(best, time.process_time() - started)
    return best, result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--digits", type=int, default=5_000)
    args = parser.parse_args()
    d = args.digits
    runs = {
        "all 7s": "7" * d,
        "all 0s": "0" * d,
        "digits, then a stray '-'": "9" * (d - 1) + "-",
        "digits and points": ("12.5" * (d // 4 + 1))[:d],
        "digits and spaces": ("1203 " * (d // 5 + 1))[:d],
    }
    print(f"{'run':28} {'call':26} {'cpu s':>8}  result")
    for name, run in runs.items():
        calls: dict[str, Callable[[], object]] = {
            "readings (any count)": lambda run=run: readings(run, signed=True, decimal=True),
            "cuts into 15": lambda run=run: cuts(run, 15, decimals=[14]),
            "sole_cut into 3": lambda run=run: sole_cut(run, 3),
        }
        for label, call in calls.items():
            cpu, result = _time(call)
            print(f"{name:28} {label:26} {cpu:8.4f}  {result}")


if __name__ == "__main__":
    main()
