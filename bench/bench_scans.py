"""Score image-only scans cell by cell: right, flagged, silent errors, blanks filled, and how
precise the flags are (a flag is worth a reviewer's look when the cell is wrong).

Run on demand (Chromium prints, OCR reads: seconds a page):
  .venv/bin/python bench/bench_scans.py --seeds 7-9,11-14      generated reports
  .venv/bin/python bench/bench_scans.py --real                  the real eval set's golds
  .venv/bin/python bench/bench_scans.py --seeds 96-125 --zero-blanks --why
      blanks only where counts are 0 (every print consistent), and why each report waits
Each gold is laid out as the national tables (eval/synth/paper.py), printed by headless
Chromium, rendered at 150 dpi, degraded (skew, blur, noise, JPEG) and saved as an
image-only PDF, then read by the production path (OCR, grid, parser, identities, review
flags). `--cache DIR` keeps the page OCR between runs (cell re-reads are keyed apart).
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).parent.parent
sys.path.insert(0, str(ROOT))

from eval.synth.paper import (  # noqa: E402
    degrade,
    gold_report,
    image_pdf,
    page_images,
    print_pdf,
    report_html,
)
from extractor.parser import ParserExtractor  # noqa: E402
from extractor.readers import read_document  # noqa: E402
from nianbao.core.models import CanonicalReport  # noqa: E402
from rules.engine import check  # noqa: E402
from rules.verdict import verdict  # noqa: E402

REAL = ROOT / "eval" / "data" / "real"
OCR_NOTE = "OCR read "  # the note a low-score flag carries (extractor.geometry.provenance)


@dataclass
class Score:
    name: str
    pages: int = 0
    cells: int = 0
    right: int = 0
    flagged: int = 0
    flagged_wrong: int = 0  # flags on cells that are wrong: the useful ones
    ocr_flags: int = 0  # flags that come (also) from a low OCR score
    ocr_flags_wrong: int = 0
    consistent: bool = False  # the gold breaks no identity: a report that can be accepted
    accepted: bool = False  # every cell proven: no person looks at it
    causes: list[str] = field(default_factory=list)  # the first reason of each decision
    silent: list[str] = field(default_factory=list)  # wrong and not flagged
    filled: list[str] = field(default_factory=list)  # blank in the gold, a value read
    seconds: float = 0.0
    error: str = ""


def score(name: str, gold: CanonicalReport, seed: int, folder: Path) -> Score:
    out = Score(name)
    pdf = print_pdf(report_html(gold, organ=gold.meta.organ or "某某区人民政府"))
    rng = random.Random(seed)
    scans = [degrade(page, rng) for page in page_images(pdf, dpi=150)]
    out.pages = len(scans)
    path = folder / f"{name}.pdf"
    path.write_bytes(image_pdf(scans))
    started = time.perf_counter()
    try:
        doc = read_document(path)
        extraction = ParserExtractor().extract(doc)
        judged = verdict(extraction, doc.text)
        flags = judged.flags
    except Exception as exc:  # one line per report: the run goes on
        out.error = f"{exc.__class__.__name__}: {exc}"
        return out
    out.seconds = time.perf_counter() - started
    got, prov = extraction.report.cells, extraction.provenance
    # a printed blank counts as nothing there (0), as the proof counts it
    zeroed = gold.model_copy(update={"cells": {k: v or 0 for k, v in gold.cells.items()}})
    out.consistent = not check(zeroed).errors
    out.accepted = judged.accepted
    out.causes = [f"{d.cells[0]}: {d.reason}" for d in judged.proof.decisions]
    for key, value in gold.cells.items():
        out.cells += 1
        wrong = got.get(key) != value
        out.right += not wrong
        if key in flags:
            out.flagged += 1
            out.flagged_wrong += wrong
            if any(n.startswith(OCR_NOTE) for n in prov[key].notes):
                out.ocr_flags += 1
                out.ocr_flags_wrong += wrong
        elif wrong:
            out.silent.append(key)
        blank_filled = value is None and got.get(key) is not None
        if blank_filled and not (prov[key].method == "inferred" and key in flags):
            out.filled.append(key)
    return out


def seeds(spec: str) -> list[int]:
    found: list[int] = []
    for part in spec.split(","):
        lo, _, hi = part.partition("-")
        found += range(int(lo), int(hi or lo) + 1)
    return found


def real_golds() -> list[tuple[str, CanonicalReport]]:
    return [
        (p.name.removesuffix(".gold.json"), CanonicalReport.from_json(p.read_text("utf-8")))
        for p in sorted(REAL.glob("*.gold.json"))
    ]


def _pct(num: int, den: int) -> str:
    return f"{100 * num / den:5.1f}%" if den else "    -"


def table(scores: list[Score]) -> list[str]:
    lines = [
        "| report | pages | cells | right | flags | flags on wrong cells | OCR-score flags "
        "(on wrong) | silent wrong | blanks filled | accepted | s |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for s in scores:
        if s.error:
            lines.append(f"| {s.name} | {s.pages} | error: {s.error} |||||||")
            continue
        lines.append(
            f"| {s.name} | {s.pages} | {s.cells} | {s.right} | {s.flagged} | {s.flagged_wrong} "
            f"| {s.ocr_flags} ({s.ocr_flags_wrong}) | {len(s.silent)} {' '.join(s.silent)} "
            f"| {len(s.filled)} {' '.join(s.filled)} "
            f"| {'yes' if s.accepted else 'no'}{'' if s.consistent else ' (print breaks)'} "
            f"| {s.seconds:.1f} |"
        )
    ok = [s for s in scores if not s.error]
    cells = sum(s.cells for s in ok)
    flagged = sum(s.flagged for s in ok)
    useful = sum(s.flagged_wrong for s in ok)
    ocr_flags = sum(s.ocr_flags for s in ok)
    pages = sum(s.pages for s in ok)
    consistent = [s for s in ok if s.consistent]
    lines += [
        "",
        f"reports {len(ok)} (errors {len(scores) - len(ok)}), pages {pages}, cells {cells}: "
        f"right {_pct(sum(s.right for s in ok), cells)}; "
        f"flags per report {flagged / max(len(ok), 1):.1f}; "
        f"flag precision {_pct(useful, flagged)} ({useful}/{flagged}); "
        f"OCR-score flags per report {ocr_flags / max(len(ok), 1):.1f} "
        f"(precision {_pct(sum(s.ocr_flags_wrong for s in ok), ocr_flags)}); "
        f"silent wrong {sum(len(s.silent) for s in ok)}; "
        f"blanks filled {sum(len(s.filled) for s in ok)}; "
        f"consistent prints accepted {sum(s.accepted for s in consistent)}/{len(consistent)}, "
        f"accepted while wrong {sum(s.accepted and s.right < s.cells for s in ok)}; "
        f"OCR+parse {sum(s.seconds for s in ok) / max(pages, 1):.2f} s wall a page",
    ]
    return lines


def _show(score: Score, why: bool) -> None:
    print(table([score])[2], flush=True)
    if why and not score.accepted:
        for cause in score.causes:
            print(f"    - {cause[:160]}", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "bench").splitlines()[0])
    parser.add_argument("--seeds", default="", help="generated reports: e.g. 1-6 or 7-9,11-14")
    parser.add_argument("--real", action="store_true", help="the real eval set's golds")
    parser.add_argument("--cache", default="", help="OCR cache directory (default: fresh)")
    parser.add_argument("--out", default="", help="also write the table to this file")
    parser.add_argument(
        "--zero-blanks",
        action="store_true",
        help="blank cells only where the count is 0: prints consistent with blanks as nothing",
    )
    parser.add_argument("--why", action="store_true", help="print why each report waits")
    args = parser.parse_args()
    os.environ["NIANBAO_OCR_CACHE"] = args.cache or tempfile.mkdtemp(prefix="nianbao-scans-")
    folder = Path(tempfile.mkdtemp(prefix="nianbao-scans-pdf-"))
    scores: list[Score] = []
    for seed in seeds(args.seeds) if args.seeds else []:
        template = "2021" if seed % 2 else "2019"
        gold = gold_report(seed, template, blanks=8, zero_blanks=args.zero_blanks)
        scores.append(score(f"seed-{seed}-{template}", gold, seed, folder))
        _show(scores[-1], args.why)
    if args.real:
        for n, (name, gold) in enumerate(real_golds()):
            scores.append(score(name, gold, 1000 + n, folder))
            _show(scores[-1], args.why)
    lines = table(scores)
    print("\n".join(lines))
    if args.out:
        Path(args.out).write_text("\n".join(lines) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
