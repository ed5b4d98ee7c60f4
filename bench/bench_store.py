"""Benchmark: the store alone: opening a new store, writing reports, reading and reviewing them.

Run on demand: `.venv/bin/python bench/bench_store.py [--n 300] [--db FILE|URL]` (default: a
fresh SQLite file in a temporary folder; give an empty Postgres database's URL to measure
Postgres). The reports are the eval set's gold labels with provenance, as the store tests
build them, saved under distinct names so each is new content. Prints wall and CPU time
per phase; CPU time of this process is the steadier number on a shared machine.

To compare two versions of the code on the same machine, run this file from each checkout
(it imports the code beside it) one after the other, alternating.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent.parent))

from nianbao.store import open_store
from tests.pipeline_fixtures import REAL, extraction, gold, outcome


class Clock:
    def __init__(self) -> None:
        self.wall, self.cpu = time.perf_counter(), time.process_time()

    def lap(self) -> tuple[float, float]:
        wall, cpu = time.perf_counter(), time.process_time()
        out = (wall - self.wall, cpu - self.cpu)
        self.wall, self.cpu = wall, cpu
        return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=300)
    ap.add_argument("--db", help="a store to fill (default: a new SQLite file)")
    args = ap.parse_args()
    stems = sorted(p.name.removesuffix(".gold.json") for p in REAL.glob("*.gold.json"))
    readings = [extraction(gold(stem)) for stem in stems]
    work = [
        outcome(f"{i:05d}-{stems[i % len(stems)]}", {"parser": readings[i % len(stems)]})
        for i in range(args.n)
    ]
    with tempfile.TemporaryDirectory() as tmp:
        target = args.db or str(Path(tmp) / "bench.db")
        clock = Clock()
        store = open_store(target)
        opened = clock.lap()
        run = store.begin_run("parser", "fp", {})
        for each in work:
            store.save_outcome(run, "fp", each)
        saved = clock.lap()
        ids = [s.report_id for s in store.queue(status=None)]
        for rid in ids:
            store.load_report(rid)
        loaded = clock.lap()
        for rid in ids[:50]:
            view = store.load_report(rid)
            key = next(iter(view.cells))
            store.record_decision(rid, key, "bench", kind="accept_cell")
        reviewed = clock.lap()
        store.close()
    n = args.n
    print(f"store {'postgres' if '://' in target else 'sqlite'}, {n} reports")
    print(
        f"open a new store (migrate): {opened[0] * 1000:.0f} ms wall, {opened[1] * 1000:.0f} ms CPU"
    )
    print(
        f"save_outcome: {saved[0] / n * 1000:.2f} ms wall, {saved[1] / n * 1000:.2f} ms CPU a"
        f" report ({n / saved[0]:.0f} reports/s)"
    )
    print(
        f"load_report: {loaded[0] / len(ids) * 1000:.2f} ms wall,"
        f" {loaded[1] / len(ids) * 1000:.2f} ms CPU a report"
    )
    k = min(50, len(ids))
    print(
        f"record_decision (re-check): {reviewed[0] / k * 1000:.2f} ms wall,"
        f" {reviewed[1] / k * 1000:.2f} ms CPU a decision"
    )


if __name__ == "__main__":
    main()
