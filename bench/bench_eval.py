"""Benchmark: the eval harness's own cost (generation, reading, parser + check + flags).

Run on demand: `.venv/bin/python bench/bench_eval.py [COUNT]`. Prints the CPU time of
generating COUNT synthetic reports (default 200), of reading the real set, and of the parser
eval over both, per report. CI's regression test runs the real set + 60 synthetic reports.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent.parent))

from eval.cases import real_cases, synth_cases
from eval.harness import make_backend, run_cases


def _timed(label: str, n: int, fn):
    start = time.process_time()
    out = fn()
    spent = time.process_time() - start
    print(f"{label:<32} {spent:7.2f} s CPU  {1000 * spent / max(n, 1):8.1f} ms per report")
    return out


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 200
    synth = _timed(f"generate {count} synthetic", count, lambda: synth_cases(1, count))
    real = _timed("read the real set", 20, real_cases)
    print(f"({len(real)} real reports)")
    backend = make_backend("parser")
    _timed("parser eval, synthetic", len(synth), lambda: run_cases(synth, backend))
    _timed("parser eval, real", len(real), lambda: run_cases(real, backend))


if __name__ == "__main__":
    main()
