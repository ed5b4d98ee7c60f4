"""Benchmark: parser throughput on one core (target: >= 200 typical reports per second).

Run on demand: `.venv/bin/python bench/bench_parser.py [SECONDS]`. Reads the real reports in
eval/data/real once (reading is not timed), then extracts them round-robin for SECONDS
(default 3) of CPU time: process time, so other load on a shared machine does not count.
Prints reports per second for all of them and for the typical ones (every cell read directly,
no glued or misaligned row to decode), and the slowest report. PDF reading is shown apart:
pdfplumber's table finding dominates it.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

ROOT = Path(__file__).parent.parent
sys.path.insert(0, str(ROOT))

from extractor.parser import ParserExtractor  # noqa: E402
from extractor.readers import read_document  # noqa: E402
from nianbao.core.document import SourceDocument  # noqa: E402

REAL = ROOT / "eval" / "data" / "real"
DIRECT = {"read", "blank", "missing"}


def rate(parser: ParserExtractor, docs: list[SourceDocument], seconds: float) -> float:
    done, started = 0, time.process_time()
    while time.process_time() - started < seconds:
        for doc in docs:
            parser.extract(doc)
        done += len(docs)
    return done / (time.process_time() - started)


def main(seconds: float = 3.0) -> None:
    docs = [  # the reports themselves: seed-*, corpus-* (not README, SOURCES, notes)
        read_document(p)
        for p in sorted(REAL.iterdir())
        if p.suffix in (".txt", ".md")
        and p.name.startswith(("seed-", "corpus-"))
        and not p.name.endswith(".notes.md")
    ]
    parser = ParserExtractor()
    own: dict[str, float] = {}
    typical: list[SourceDocument] = []
    for doc in docs:  # warm-up, each report's own time, and which ones are typical
        started = time.process_time()
        extraction = parser.extract(doc)
        own[doc.name] = time.process_time() - started
        if all(p.method in DIRECT for p in extraction.provenance.values()):
            typical.append(doc)
    slowest = max(own, key=own.__getitem__)
    print(f"all {len(docs)} reports: {rate(parser, docs, seconds):.0f} reports/s")
    if typical:
        names = ", ".join(d.name.split("_")[0].removesuffix(".txt") for d in typical)
        print(f"typical ({names}): {rate(parser, typical, seconds):.0f} reports/s")
    print(f"slowest: {slowest} {own[slowest] * 1000:.1f} ms")
    for pdf in sorted(REAL.glob("*.pdf")):
        started = time.process_time()
        read_document(pdf)
        print(f"read {pdf.name}: {(time.process_time() - started) * 1000:.0f} ms (pdfplumber)")


if __name__ == "__main__":
    main(float(sys.argv[1]) if len(sys.argv) > 1 else 3.0)
