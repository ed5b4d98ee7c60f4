"""Benchmark: PDF reading before/after (pdfplumber vs pypdfium2 + grid) and OCR per page.

Run on demand: `.venv/bin/python bench/bench_geometry.py [--pages N] [--threads N]
[--report-pages N]`.

1. PDF read, per report: CPU seconds of the former path (pdfplumber's tables ->
   text) and of the new one (PDFium words -> grid builder), on the eval set's real PDFs and
   on PDFs headless Chromium prints from generated reports; best of 3 runs each; ratio.
2. OCR, per page: wall and CPU seconds and the process's peak memory (ru_maxrss) for N
   degraded 150-dpi scans made from generated reports, the OCR cache off. Wall time on a
   machine shared with other work is that machine's; the CPU time is the page's own.
3. Pages in parallel (--report-pages N): one scanned report of N pages read whole
   (render, OCR, grid) in a fresh process held to the pipeline's default budget (2048 MB
   address space), once with its pages one after the other (onnxruntime given every core)
   and once as the plan chooses (page processes of one thread each); wall and CPU (page
   processes included), as ratios from the one run.
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import sys
import tempfile
import time
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
from extractor.geometry.grid import build  # noqa: E402
from extractor.geometry.pdfium_text import pdf_words  # noqa: E402
from extractor.readers.pdf import pdf_to_text  # noqa: E402

REAL = ROOT / "eval" / "data" / "real"


def _best_cpu(fn: object, runs: int = 3) -> float:
    best = float("inf")
    for _ in range(runs):
        started = time.process_time()
        fn()  # type: ignore[operator]
        best = min(best, time.process_time() - started)
    return best


def pdf_reads(pdfs: list[tuple[str, bytes]]) -> None:
    print("PDF read per report, CPU s (best of 3): pdfplumber -> pypdfium2+grid")
    before_total = after_total = 0.0
    for name, raw in pdfs:
        before = _best_cpu(lambda raw=raw: pdf_to_text("r.pdf", raw))
        after = _best_cpu(lambda raw=raw: build(pdf_words("r.pdf", raw)))
        before_total += before
        after_total += after
        ratio = before / after
        print(f"  {name:40s} {before * 1000:7.1f} ms -> {after * 1000:6.1f} ms  x{ratio:5.1f}")
    print(
        f"  all {len(pdfs)} reports: {before_total * 1000:.0f} ms -> {after_total * 1000:.0f} ms"
        f"  x{before_total / after_total:.1f} less CPU"
    )


def ocr_pages(n: int) -> None:
    from extractor.geometry import ocr

    images = []
    seed = 0
    while len(images) < n:
        pdf = print_pdf(report_html(gold_report(seed)))
        rng = random.Random(seed)
        images += [degrade(page, rng) for page in page_images(pdf, dpi=150)]
        seed += 1
    images = images[:n]
    ocr.engine()  # model load is once per worker, not per page
    print(
        "OCR per page (150 dpi, threads="
        f"{os.environ.get('NIANBAO_OCR_THREADS') or ocr.worker_cores()}, cache off):"
    )
    walls, cpus, grid_walls, grid_cpus = [], [], [], []
    for n_page, image in enumerate(images):
        wall, cpu = time.perf_counter(), time.process_time()
        (page,) = ocr.ocr_pages([image])
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        # the grid build reads cells again (ink with no reading, low-score numbers): a
        # page's cost is the page reading plus these
        g_wall, g_cpu = time.perf_counter(), time.process_time()
        build([page], "ocr")
        g_wall, g_cpu = time.perf_counter() - g_wall, time.process_time() - g_cpu
        walls.append(wall + g_wall)
        cpus.append(cpu + g_cpu)
        grid_walls.append(g_wall)
        grid_cpus.append(g_cpu)
        print(
            f"  page {n_page}: {wall + g_wall:5.2f} s wall, {cpu + g_cpu:5.2f} s CPU "
            f"(grid + cell re-reads {g_wall:4.2f} s wall, {g_cpu:4.2f} s CPU), "
            f"{len(page.words)} words"
        )
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"  mean {sum(walls) / len(walls):.2f} s wall (max {max(walls):.2f}), "
        f"{sum(cpus) / len(cpus):.2f} s CPU per page, of which grid + cell re-reads "
        f"{sum(grid_walls) / len(walls):.2f} s wall, {sum(grid_cpus) / len(walls):.2f} s CPU;"
        f" peak memory {peak:.0f} MB (process, models included)"
    )
    load = os.getloadavg()[0]
    print(f"  load average during the run: {load:.1f} on {os.cpu_count()} cores")


def scanned_report(pages: int) -> bytes:
    """An image-only PDF of `pages` degraded 150-dpi pages (generated reports, in order)."""
    images: list[object] = []
    seed = 100
    while len(images) < pages:
        pdf = print_pdf(report_html(gold_report(seed)))
        rng = random.Random(seed)
        images += [degrade(page, rng) for page in page_images(pdf, dpi=150)]
        seed += 1
    return image_pdf(images[:pages])


def read_once(path: str, mode: str, memory_mb: int) -> None:
    """(In a fresh process) read the scan under the default budget; print one JSON line."""
    import json

    from extractor.geometry import ocr_pool
    from extractor.geometry.reader import read_pdf
    from nianbao.pipeline.budget import DEFAULT_MEMORY_MB

    limit = (memory_mb or DEFAULT_MEMORY_MB) << 20
    resource.setrlimit(resource.RLIMIT_AS, (limit, resource.RLIM_INFINITY))
    if mode == "serial":
        os.environ["NIANBAO_OCR_PARALLEL"] = "0"
    raw = Path(path).read_bytes()
    chosen = ocr_pool.plan(len(page_images(raw, dpi=72)))
    fell_back: list[str] = []
    pool_run = ocr_pool.PagePool._run

    def run(self: ocr_pool.PagePool, tasks: list[tuple[str, object, bool]]) -> list[object]:
        try:
            return pool_run(self, tasks)
        except MemoryError as exc:  # a page over its share: the read goes on here
            fell_back.append(str(exc))
            raise

    ocr_pool.PagePool._run = run
    wall, cpu = time.perf_counter(), time.process_time()
    text, geometry = read_pdf("scan.pdf", raw)
    wall = time.perf_counter() - wall
    cpu = time.process_time() - cpu
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    print(
        json.dumps(
            {
                "mode": mode,
                "processes": chosen.processes,
                "threads": chosen.threads,
                "wall": wall,
                "cpu": cpu + children.ru_utime + children.ru_stime,
                "anchors": len(geometry.anchors),
                "text": len(text),
                "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                "children_peak_mb": children.ru_maxrss / 1024,
                "fell_back": fell_back,
            }
        )
    )


def parallel_pages(pages: int, repeat: int = 1, memory_mb: int = 2048) -> None:
    import json
    import subprocess

    from extractor.geometry.ocr import worker_cores

    folder = Path(tempfile.mkdtemp(prefix="nianbao-bench-scan-"))
    scan = folder / "scan.pdf"
    scan.write_bytes(scanned_report(pages))
    print(
        f"One scanned report of {pages} pages, read whole, fresh OCR cache each time "
        f"({worker_cores()} cores, budget {memory_mb} MB address space):"
    )
    ratios: list[tuple[float, float]] = []
    for attempt in range(repeat):
        # alternate which goes first: a shared machine's load drifts within a run
        modes = ("serial", "planned") if attempt % 2 == 0 else ("planned", "serial")
        runs = {}
        for mode in modes:
            cache = folder / f"cache-{mode}-{attempt}"
            env = dict(os.environ, NIANBAO_OCR_CACHE=str(cache))
            out = subprocess.run(
                [sys.executable, __file__, "--read-once", str(scan), mode, str(memory_mb)],
                env=env,
                capture_output=True,
                text=True,
                check=True,
            )
            run = runs[mode] = json.loads((out.stdout or "").strip().splitlines()[-1])
            print(
                f"  {mode:8s} {run['processes']} process(es) x {run['threads']} thread(s): "
                f"{run['wall']:6.2f} s wall, {run['cpu']:6.2f} s CPU "
                f"({run['wall'] / pages:.2f} s wall a page); peak RSS {run['peak_mb']:.0f} MB "
                f"here, {run['children_peak_mb']:.0f} MB in a page process; "
                f"{run['anchors']} anchors"
                + (f"; FELL BACK to serial: {run['fell_back'][0]}" if run["fell_back"] else "")
            )
        serial, planned = runs["serial"], runs["planned"]
        same = "same" if serial["anchors"] == planned["anchors"] else "DIFFERENT"
        ratios.append((planned["wall"] / serial["wall"], planned["cpu"] / serial["cpu"]))
        print(
            f"  planned / serial: wall x{ratios[-1][0]:.2f}, CPU x{ratios[-1][1]:.2f} "
            f"({same} anchors)"
        )
    if repeat > 1:
        walls = sorted(r[0] for r in ratios)
        cpus = sorted(r[1] for r in ratios)
        print(
            f"  median of {repeat}: wall x{walls[len(walls) // 2]:.2f}, "
            f"CPU x{cpus[len(cpus) // 2]:.2f}"
        )
    load = os.getloadavg()[0]
    print(f"  load average during the run: {load:.1f} on {os.cpu_count()} cores")


def main() -> None:
    import logging

    logging.getLogger("pdfminer").setLevel(logging.ERROR)  # pdfplumber's font warnings
    parser = argparse.ArgumentParser(description=(__doc__ or "bench").splitlines()[0])
    parser.add_argument("--pages", type=int, default=4, help="OCR pages to time")
    parser.add_argument("--threads", type=int, default=0, help="onnxruntime threads")
    parser.add_argument("--synth-pdfs", type=int, default=4, help="generated PDFs to read")
    parser.add_argument(
        "--report-pages",
        type=int,
        default=0,
        help="time one scanned report of N pages: serial vs pages in parallel",
    )
    parser.add_argument("--repeat", type=int, default=1, help="--report-pages runs (median)")
    parser.add_argument(
        "--memory-mb", type=int, default=2048, help="--report-pages: the file's memory budget"
    )
    parser.add_argument("--read-once", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.read_once:
        read_once(args.read_once[0], args.read_once[1], int(args.read_once[2]))
        return
    if args.report_pages:
        parallel_pages(args.report_pages, args.repeat, args.memory_mb)
        return
    if args.threads:
        os.environ["NIANBAO_OCR_THREADS"] = str(args.threads)
    # a fresh, throw-away cache: every page is recognised, none is served from disk
    os.environ["NIANBAO_OCR_CACHE"] = tempfile.mkdtemp(prefix="nianbao-bench-ocr-")
    pdfs = [(p.name, p.read_bytes()) for p in sorted(REAL.glob("*.pdf"))]
    for seed in range(args.synth_pdfs):
        template = "2021" if seed % 2 == 0 else "2019"
        pdfs.append(
            (
                f"generated-{seed}-{template}.pdf",
                print_pdf(report_html(gold_report(seed, template))),
            )
        )
    pdf_reads(pdfs)
    if args.pages:
        ocr_pages(args.pages)


if __name__ == "__main__":
    main()
