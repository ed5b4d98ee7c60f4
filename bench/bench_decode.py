"""Benchmark: decode time per full glued report (segment every part-三 row and part 四, then
choose jointly under the identities), this tree's searches against a baseline's.

Run on demand: `.venv/bin/python bench/bench_decode.py [--baseline REV]` (default `main`).
Prints median / p95 / worst per report for the real glued web pages (corpus-001..007), for
random consistent reports glued with no separator (small and large numbers), the seed-002
decode (rows with 3-5 of 7 values), the real reports damaged as tests/test_parser_damage.py
damages them (whole parser run) and the pathological page of tests/test_joint.py. Each case
runs once with REV's `extractor/joint.py` and `extractor/cutting.py` (read with `git show`,
swapped in for the decoder's and the segmenter's search) and once with this tree's, with the
ratios and how many decodes give the same values. Times are CPU time of this process (the
machine is shared); the segmentation cache is cleared before every report (cold).
"""

from __future__ import annotations

import argparse
import random
import statistics
import subprocess
import sys
import time
import types
from collections.abc import Callable
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings

sys.path.insert(0, str(Path(__file__).parent.parent))  # the tests' fixtures and strategies

import extractor.parser.decoding.decode
import extractor.parser.decoding.segment
from extractor.parser import ParserExtractor
from extractor.parser.decoding.decode import T4_RUN, RowCandidates, decode_t3, decode_t4
from extractor.parser.decoding.search import Budget
from extractor.parser.decoding.segment import (
    _segment_cached,
    segment,
    segment_with_row_number,
    sums_for,
)
from nianbao.core.document import SourceDocument
from nianbao.core.layout import layout_for
from nianbao.core.models import CanonicalReport
from tests.glued import t3_runs, t4_run
from tests.strategies import consistent_reports
from tests.test_decode import _seed_t3
from tests.test_joint import _pathological
from tests.test_parser_damage import CASES as DAMAGED
from tests.test_parser_damage import _text

ROOT = Path(__file__).parent.parent

CORPUS = {f"corpus-00{i}": "2019" if i < 3 else "2021" for i in range(1, 8)}


def _sums(template: str, prefix: str) -> list:
    layout = layout_for(template)
    if prefix == "t3.":
        return sums_for(template, [f"t3.new.{c.name}" for c in layout.t3_columns])
    return sums_for(template, [k for k in layout.keys if k.startswith("t4.")])


def decode_runs(template: str, runs: dict[str, tuple[str, str]], t4: str) -> Any:
    """The whole glued-report path: cut every run, decode part 三 and part 四."""
    row_sum, group_sums = _sums(template, "t3."), _sums(template, "t4.")
    rows = {}
    for row, (run, following) in runs.items():
        seg = segment_with_row_number(run, 7, following, sums=row_sum)
        rows[row] = RowCandidates(row, seg.candidates or [(None,) * 7], "segmented")
    t3 = decode_t3(rows, template)
    seg = segment(t4, 15, sums=group_sums)
    t4_rows = {T4_RUN: RowCandidates(T4_RUN, seg.candidates or [(None,) * 15], "segmented")}
    return t3.values(), decode_t4(t4_rows).values()


def parse_damaged(name: str, damage: Callable, seed: int) -> Any:
    text = damage(_text(name), random.Random(seed))
    extraction = ParserExtractor().extract(SourceDocument.from_text("damaged.txt", text))
    return extraction.report.cells


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

    @settings(
        max_examples=n, database=None, derandomize=True, suppress_health_check=list(HealthCheck)
    )
    @given(consistent_reports())
    def collect(report: CanonicalReport) -> None:
        out.append(report)

    collect()
    return out


def timed(jobs: list[Callable[[], Any]]) -> tuple[list[float], list[Any]]:
    """CPU time per job in ms (the machine is shared: wall time is noise) and its result."""
    times, results = [], []
    for job in jobs:
        _segment_cached.cache_clear()
        start = time.process_time()
        results.append(job())
        times.append((time.process_time() - start) * 1000)
    return times, results


def figures(times: list[float]) -> tuple[float, float, float]:
    ordered = sorted(times)
    p95 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))]
    return statistics.median(ordered), p95, ordered[-1]


def baseline_module(rev: str, *paths: str) -> types.ModuleType:
    """REV's version of one module of this tree, loaded beside it (`git show`); the first of
    `paths` that REV has (the module moved in the restructure)."""
    for path in paths:
        shown = subprocess.run(
            ["git", "show", f"{rev}:{path}"], cwd=ROOT, capture_output=True, text=True
        )
        if shown.returncode == 0:
            break
    else:
        raise SystemExit(f"{rev} has none of {', '.join(paths)}")
    source = shown.stdout
    module = types.ModuleType(f"baseline_{rev}_{Path(path).stem}")
    sys.modules[module.__name__] = module  # dataclasses look their module up
    exec(compile(source, f"{rev}:{path}", "exec"), module.__dict__)
    return module


def baseline(rev: str) -> dict[str, Any]:
    """REV's joint search (adapted to this tree's (solutions, Budget) return) and REV's cutting
    search, to swap in for the decoder's and the segmenter's."""
    joint = baseline_module(rev, "extractor/parser/decoding/search.py", "extractor/joint.py")
    cutting = baseline_module(rev, "extractor/parser/decoding/segment.py", "extractor/cutting.py")

    def choose(blocks: list, idents: list) -> tuple[list, Budget]:
        found, extra = joint.choose(blocks, idents)
        if isinstance(extra, Budget):
            return found, extra
        return found, Budget(0, 0, bool(extra))  # an older search: a truncation flag only

    return {"choose": choose, "Search": cutting.Search}


def swap(parts: dict[str, Any]) -> None:
    extractor.parser.decoding.decode.choose = parts["choose"]
    extractor.parser.decoding.segment.Search = parts["Search"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--baseline", default="main", help="git revision to compare against")
    args = parser.parse_args()
    corpus = []
    for stem, template in CORPUS.items():
        runs = {
            row: (run, following) for row, (run, following, _) in t3_runs(stem, template).items()
        }
        corpus.append((template, runs, t4_run(stem, template)))
    randoms = [glued(r) for r in sample_reports(150)]
    seed = _seed_t3("seed-002", "2019")
    pathological = _pathological()
    cases = {
        "corpus-001..007 glued": [lambda c=c: decode_runs(*c) for c in corpus * 3],
        "random consistent, glued": [lambda c=c: decode_runs(*c) for c in randoms],
        "seed-002 (short rows, aligned)": [lambda: decode_t3(seed, "2019").values()] * 10,
        "damaged real pages (parser)": [lambda c=c: parse_damaged(*c) for c in DAMAGED],
        "pathological page (test_joint)": [lambda: decode_t3(pathological, "2021").values()] * 3,
    }
    current = {
        "choose": extractor.parser.decoding.decode.choose,
        "Search": extractor.parser.decoding.segment.Search,
    }
    searches = {args.baseline: baseline(args.baseline), "this tree": current}
    print(f"CPU ms per report: {args.baseline} -> this tree (ratio = {args.baseline} / this)")
    for name, jobs in cases.items():
        measured = {}
        for label, parts in searches.items():
            swap(parts)
            measured[label] = timed(jobs)
        swap(current)
        (before, old), (after, new) = measured.values()
        b, a = figures(before), figures(after)
        same = sum(x == y for x, y in zip(old, new, strict=True))
        print(f"{name} ({len(jobs)} reports; same values in {same})")
        for what, x, y in zip(("median", "p95", "worst"), b, a, strict=True):
            print(f"    {what:6s} {x:9.2f} -> {y:8.2f}   x{x / y:6.2f}")


if __name__ == "__main__":
    main()
