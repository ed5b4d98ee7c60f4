"""Benchmark: decode time per full glued report (segment every part-三 row and part 四, then
choose jointly under the identities).

Run on demand: `.venv/bin/python bench/bench_decode.py`. Prints median / p95 / worst per
report for the real glued web pages (corpus-001..007), for random consistent reports glued
with no separator (small and large numbers), and the seed-002 decode (rows with 3-5 of 7
values). Times are CPU time of this process (the machine is shared). Segmentation results
are cached per run string; the "cold" figures clear the cache
before every report, the "warm" ones do not.
"""

from __future__ import annotations

import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

from hypothesis import HealthCheck, given, settings

sys.path.insert(0, str(Path(__file__).parent.parent))  # the tests' fixtures and strategies

from extractor.decode import T4_RUN, RowCandidates, decode_t3, decode_t4
from extractor.layout import layout_for
from extractor.models import CanonicalReport
from extractor.segmentation import _segment_cached, segment, segment_with_row_number, sums_for
from tests.glued import t3_runs, t4_run
from tests.strategies import consistent_reports
from tests.test_decode import _seed_t3

CORPUS = {f"corpus-00{i}": "2019" if i < 3 else "2021" for i in range(1, 8)}


def _sums(template: str, prefix: str) -> list:
    layout = layout_for(template)
    if prefix == "t3.":
        return sums_for(template, [f"t3.new.{c.name}" for c in layout.t3_columns])
    return sums_for(template, [k for k in layout.keys if k.startswith("t4.")])


def decode_runs(template: str, runs: dict[str, tuple[str, str]], t4: str) -> None:
    """The whole glued-report path: cut every run, decode part 三 and part 四."""
    row_sum, group_sums = _sums(template, "t3."), _sums(template, "t4.")
    rows = {}
    for row, (run, following) in runs.items():
        seg = segment_with_row_number(run, 7, following, sums=row_sum)
        rows[row] = RowCandidates(row, seg.candidates or [(None,) * 7], "segmented")
    decode_t3(rows, template)
    seg = segment(t4, 15, sums=group_sums)
    decode_t4({T4_RUN: RowCandidates(T4_RUN, seg.candidates or [(None,) * 15], "segmented")})


def glued(report: CanonicalReport) -> tuple[str, dict[str, tuple[str, str]], str]:
    layout = report.layout
    runs = {
        r.name: ("".join(str(report.cells[f"t3.{r.name}.{c.name}"]) for c in layout.t3_columns), "")
        for r in layout.t3_rows
    }
    t4 = "".join(str(v) for k, v in report.cells.items() if k.startswith("t4."))
    return report.meta.template, runs, t4


def sample_reports(n: int) -> list[CanonicalReport]:
    out: list[CanonicalReport] = []

    @settings(max_examples=n, database=None, suppress_health_check=list(HealthCheck))
    @given(consistent_reports())
    def collect(report: CanonicalReport) -> None:
        out.append(report)

    collect()
    return out


def timed(jobs: list[Callable[[], None]], cold: bool) -> str:
    times = []
    for job in jobs:
        if cold:
            _segment_cached.cache_clear()
        start = time.process_time()  # CPU time: the machine is shared, wall time is noise
        job()
        times.append((time.process_time() - start) * 1000)
    times.sort()
    p95 = times[min(len(times) - 1, int(len(times) * 0.95))]
    return (
        f"median {statistics.median(times):7.2f} ms   p95 {p95:7.2f} ms   "
        f"worst {times[-1]:7.2f} ms   ({len(times)} reports)"
    )


def main() -> None:
    corpus = []
    for stem, template in CORPUS.items():
        runs = {
            row: (run, following) for row, (run, following, _) in t3_runs(stem, template).items()
        }
        corpus.append((template, runs, t4_run(stem, template)))
    randoms = [glued(r) for r in sample_reports(150)]
    seed = _seed_t3("seed-002", "2019")
    cases = {
        "corpus-001..007 glued": [lambda c=c: decode_runs(*c) for c in corpus * 5],
        "random consistent, glued": [lambda c=c: decode_runs(*c) for c in randoms],
        "seed-002 (short rows, aligned)": [lambda: decode_t3(seed, "2019")] * 10,
    }
    for name, jobs in cases.items():
        print(f"{name:34s} cold: {timed(jobs, cold=True)}")
        print(f"{'':34s} warm: {timed(jobs, cold=False)}")


if __name__ == "__main__":
    main()
