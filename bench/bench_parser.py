"""Benchmark: parser throughput on one core (target: >= 200 typical reports per second).

Run on demand: `.venv/bin/python bench/bench_parser.py [SECONDS]`. Reads every text report in
eval/data/real once (readers are not timed), then extracts them round-robin for SECONDS
(default 3) of CPU time: process time, so other load on a shared machine does not count.
Prints reports per second and the slowest report's time; PDF reading is shown separately
(pdfplumber's table finding dominates it).
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

ROOT = Path(__file__).parent.parent
sys.path.insert(0, str(ROOT))

from extractor.parser import ParserExtractor  # noqa: E402
from extractor.readers import read_document  # noqa: E402

REAL = ROOT / "eval" / "data" / "real"


def main(seconds: float = 3.0) -> None:
    docs = [
        read_document(p)
        for p in sorted(REAL.iterdir())
        if p.suffix in (".txt", ".md")
        and p.name != "SOURCES.md"
        and not p.name.endswith(".notes.md")
    ]
    parser = ParserExtractor()
    worst: dict[str, float] = {}
    for doc in docs:  # warm-up, and each report's own time
        started = time.process_time()
        parser.extract(doc)
        worst[doc.name] = time.process_time() - started
    done, started = 0, time.process_time()
    while time.process_time() - started < seconds:
        for doc in docs:
            parser.extract(doc)
        done += len(docs)
    elapsed = time.process_time() - started
    slowest = max(worst, key=worst.__getitem__)
    print(f"parser: {done / elapsed:.0f} reports/s over {done} extractions of {len(docs)} reports")
    print(f"slowest: {slowest} {worst[slowest] * 1000:.1f} ms")
    for pdf in sorted(REAL.glob("*.pdf")):
        t0 = time.process_time()
        read_document(pdf)
        print(f"read {pdf.name}: {(time.process_time() - t0) * 1000:.0f} ms (pdfplumber)")


if __name__ == "__main__":
    main(float(sys.argv[1]) if len(sys.argv) > 1 else 3.0)
