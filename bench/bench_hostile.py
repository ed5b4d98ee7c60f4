"""Benchmark: the hostile inputs of issue 11 read and parsed under the per-file budget.

Run on demand: `.venv/bin/python bench/bench_hostile.py [--scale 1.0]`. Each input is
written to a temporary folder and read + parsed exactly as `nianbao run` does it
(`worker.read_and_parse` in a child held to the default budget, the input cap raised to
128 MB so the size cases reach the reader). Prints per case: the outcome (parsed, refused
with its one line, or over budget), wall and CPU seconds, and the child's peak resident
memory. `--scale` multiplies the sizes (0.1 for a quick look).
"""

from __future__ import annotations

import argparse
import gc
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent.parent))

from nianbao.core.errors import NianbaoError
from nianbao.pipeline.budget import Budget, ChildFailed, OverBudget, bounded
from nianbao.pipeline.worker import read_and_parse
from tests import hostile


def cases(scale: float) -> Iterator[tuple[str, str, bytes]]:
    """One input at a time: the bench process holds only the current one, so the child
    forked from it starts small and its peak memory is its own."""
    n = lambda x: max(1, int(x * scale))  # noqa: E731 - a one-line size helper
    yield "row of 1,000 numbers", "wide1k.txt", hostile.wide_row(n(1_000)).encode()
    yield "row of 100,000 numbers", "wide100k.txt", hostile.wide_row(n(100_000)).encode()
    yield "5,000 glued digits", "glued.txt", hostile.glued_digits(n(5_000)).encode()
    yield "8,000 nested divs", "nest8k.html", hostile.nested_html(n(8_000)).encode()
    yield "100,000 nested divs", "nest100k.html", hostile.nested_html(n(100_000)).encode()
    yield "docx, 11 MB text node", "node.docx", hostile.docx_bomb(n(11 << 20))
    yield "docx expanding to 5 GB", "bomb.docx", hostile.docx_bomb(n(5 << 30))
    yield "docx, 100,000 merged rows", "spans.docx", hostile.docx_spans(n(100_000))
    yield "20 MB text", "t20.txt", hostile.big_text(n(20 << 20))
    yield "100 MB text", "t100.txt", hostile.big_text(n(100 << 20))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--scale", type=float, default=1.0)
    args = parser.parse_args()
    budget = replace(Budget(), file_mb=128)
    print(f"budget: {budget.describe()}")
    print(f"{'case':26} {'outcome':58} {'wall s':>7} {'cpu s':>6} {'peak MB':>8}")
    with tempfile.TemporaryDirectory() as tmp:
        for label, name, data in cases(args.scale):
            path = Path(tmp) / name
            path.write_bytes(data)
            del data
            gc.collect()
            started = time.perf_counter()
            cpu = peak = float("nan")
            try:
                (doc, _size, _reading), spent = bounded(
                    read_and_parse, (path, "parser", budget.max_bytes), budget
                )
                outcome, cpu, peak = (
                    f"parsed ({len(doc.text):,} chars)",
                    spent.cpu_seconds,
                    spent.peak_mb,
                )
            except ChildFailed as exc:
                cpu, peak = exc.spent.cpu_seconds, exc.spent.peak_mb
                kind = "refused" if isinstance(exc.error, NianbaoError) else "ERROR"
                outcome = f"{kind}: {exc.line.split(': ', 2)[-1]}"
            except OverBudget as exc:
                outcome = f"over budget: {exc}"
            wall = time.perf_counter() - started
            print(f"{label:26} {outcome[:58]:58} {wall:7.2f} {cpu:6.2f} {peak:8.0f}")
            path.unlink()


if __name__ == "__main__":
    main()
