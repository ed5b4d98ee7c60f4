"""Benchmark: N reports through `nianbao run`'s pipeline with the parser, into a fresh store.

Run on demand: `.venv/bin/python bench/bench_pipeline.py [--n 1000] [--jobs 1]`. The reports
are copies of the eval set's text reports with their numbers varied (each digit run in the
tables changed with some probability), so every copy is new content. Prints throughput and
the resident memory after every tenth of the run: it must stay flat (rows are streamed to
the store, nothing accumulates), and the peak RSS of this process and of its workers.
"""

from __future__ import annotations

import argparse
import random
import re
import resource
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent.parent))

from nianbao.pipeline.files import discover
from nianbao.pipeline.runner import run
from nianbao.store import open_store

REAL = Path(__file__).parent.parent / "eval" / "data" / "real"
_DIGITS = re.compile(r"\d+")


def rss_mb() -> float:
    """Current resident set size of this process, from /proc (Linux)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def varied(text: str, rng: random.Random) -> str:
    """The report with some of its numbers changed (lengths kept, so the layout is intact)."""

    def change(m: re.Match[str]) -> str:
        digits = m.group(0)
        if len(digits) > 3 or rng.random() > 0.3:
            return digits  # years, dates and most cells as printed
        return "".join(rng.choice("0123456789") for _ in digits)

    return _DIGITS.sub(change, text)


def make_corpus(folder: Path, n: int, seed: int = 7) -> None:
    rng = random.Random(seed)
    # the eval set's text reports: the ones with a gold label beside them
    sources = sorted(
        p
        for p in REAL.iterdir()
        if p.suffix in (".txt", ".md") and (REAL / f"{p.stem}.gold.json").exists()
    )
    texts = [(p, p.read_text(encoding="utf-8")) for p in sources]
    for i in range(n):
        path, text = texts[i % len(texts)]
        (folder / f"{i:05d}-{path.stem}{path.suffix}").write_text(
            varied(text, rng) + f"\n<!-- copy {i} -->\n", encoding="utf-8"
        )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=1000)
    ap.add_argument("--jobs", type=int, default=1)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "reports"
        folder.mkdir()
        make_corpus(folder, args.n)
        files = discover([folder])
        store = open_store(Path(tmp) / "bench.db")
        samples: list[tuple[int, float]] = []
        done = 0

        def tick(k: int) -> None:
            nonlocal done
            done += k
            if done % max(1, args.n // 10) == 0:
                samples.append((done, rss_mb()))

        before = rss_mb()
        started, cpu = time.perf_counter(), time.process_time()
        stats = run(store, files, "parser", args.jobs, progress=tick)
        seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
        db_mb = sum(p.stat().st_size for p in Path(tmp).glob("bench.db*")) / 2**20
        store.close()
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(
        f"{len(files)} reports, parser, --jobs {args.jobs}: {seconds:.1f}s, "
        f"{len(files) / seconds:.1f} reports/s ({1000 * seconds / len(files):.1f} ms each)"
    )
    print(
        f"CPU time of this process: {cpu:.1f}s ({1000 * cpu / len(files):.1f} ms a report; "
        "wall time also counts other load on the machine)"
    )
    print(f"statuses: {dict(stats.statuses)}; store {db_mb:.1f} MB")
    print(
        f"RSS before the run {before:.0f} MB; during the run (reports done: MB): "
        + ", ".join(f"{d}: {m:.0f}" for d, m in samples)
    )
    print(f"peak RSS: this process {own:.0f} MB, largest worker {children:.0f} MB")


if __name__ == "__main__":
    main()
