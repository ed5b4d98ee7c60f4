"""Benchmark: rule check + error localisation on full 2021 reports (target: < 50 ms each).

Run on demand: `.venv/bin/python bench/bench_localise.py`. Prints median and worst times for
consistent reports, one changed cell, two changed cells and the seed-003 gold (size-3 search).
"""

from __future__ import annotations

import random
import statistics
import sys
import time
from pathlib import Path

from hypothesis import HealthCheck, given, settings

sys.path.insert(0, str(Path(__file__).parent.parent))  # the tests' strategies

from nianbao.core.models import CanonicalReport
from rules.engine import check
from rules.identities import identities_by_key
from tests.strategies import consistent_reports

ROOT = Path(__file__).parent.parent


def sample_reports(n: int) -> list[CanonicalReport]:
    out: list[CanonicalReport] = []

    @settings(max_examples=n, database=None, suppress_health_check=list(HealthCheck))
    @given(consistent_reports(template="2021"))
    def collect(report: CanonicalReport) -> None:
        out.append(report)

    collect()
    return out


def timed(reports: list[CanonicalReport]) -> tuple[float, float]:
    times = []
    for report in reports:
        start = time.perf_counter()
        check(report)
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times), max(times)


def main() -> None:
    rng = random.Random(7)
    keys = sorted(identities_by_key("2021"))
    base = sample_reports(200)
    one, two = [], []
    for report in base:
        for bucket, n in ((one, 1), (two, 2)):
            damaged = report.model_copy(deep=True)
            for key in rng.sample(keys, n):
                damaged.cells[key] = (damaged.cells[key] or 0) + rng.randint(1, 40)
            bucket.append(damaged)
    gold = CanonicalReport.from_json((ROOT / "eval/data/real/seed-003.gold.json").read_text())
    for name, reports in (
        ("consistent", base),
        ("one cell changed", one),
        ("two cells changed", two),
        ("seed-003 gold x50", [gold] * 50),
    ):
        median, worst = timed(reports)
        print(f"{name:22s} median {median:6.2f} ms   worst {worst:6.2f} ms   n={len(reports)}")


if __name__ == "__main__":
    main()
