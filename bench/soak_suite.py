"""The full test suite N times in a row beside a CPU-heavy process: does CI pass every time?

    python bench/soak_suite.py --runs 10

A busy process (one pure-Python spin per core, niced to 0 like the suite) runs for the whole
soak, so the suite meets a loaded machine as CI's shared two cores do. Prints each run's
wall and CPU seconds and outcome, and exits non-zero if any run failed.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _spin(_: int) -> None:
    while True:
        sum(i * i for i in range(10_000))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--burners", type=int, default=os.cpu_count() or 2)
    parser.add_argument("pytest_args", nargs="*", help="extra arguments for pytest")
    args = parser.parse_args()

    burners = [
        multiprocessing.Process(target=_spin, args=(n,), daemon=True) for n in range(args.burners)
    ]
    for b in burners:
        b.start()
    failed = 0
    try:
        for n in range(1, args.runs + 1):
            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            started = time.monotonic()
            run = subprocess.run(
                [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *args.pytest_args],
                cwd=ROOT,
                capture_output=True,
                text=True,
                check=False,
            )
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
            last = (run.stdout.strip().splitlines() or ["(no output)"])[-1]
            failed += run.returncode != 0
            print(
                f"run {n:2d}: exit {run.returncode}  wall {time.monotonic() - started:6.1f} s  "
                f"cpu {cpu:6.1f} s  {last}",
                flush=True,
            )
            if run.returncode != 0:
                tail = "\n".join(run.stdout.splitlines()[-30:])
                print(tail, flush=True)
    finally:
        for b in burners:
            b.kill()
    print(f"{args.runs - failed} of {args.runs} runs green, {args.burners} busy processes beside")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
