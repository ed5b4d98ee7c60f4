"""`nianbao run --batch` against `run` on the simulated model: requests, tokens and cost per
report, and how many batches (rounds) a run takes.

    python bench/bench_llm_batch.py [--synth 20] [--modes none|all] [--backend llm]

The reports (the real set's text sources and `--synth` synthetic ones) are written to a
temporary folder and run twice into fresh SQLite stores, synchronously and through the
simulator's batch interface, priced as gpt-4o-mini (batch share 0.5 from the price table).
"""

from __future__ import annotations

import argparse
import os
import shutil
import tempfile
import time
from pathlib import Path

from eval.cases import real_cases, synth_cases
from eval.simulator import MODES, BatchSim, SimConfig, SimServer, SimulatedModel
from eval.simulator.documents import SimDoc
from nianbao.pipeline.batch import run_batch
from nianbao.pipeline.runner import run
from nianbao.store import open_store

REAL = Path(__file__).resolve().parents[1] / "eval" / "data" / "real"
CONFIG = "[llm]\nbatch_poll = 0.01\nbatch_poll_max = 0.05\n"


def main() -> None:
    ap = argparse.ArgumentParser(description="run --batch against run on the simulated model")
    ap.add_argument("--synth", type=int, default=20)
    ap.add_argument("--modes", default="none")
    ap.add_argument("--backend", default="llm")
    args = ap.parse_args()
    work = Path(tempfile.mkdtemp(prefix="bench-batch-"))
    folder = work / "reports"
    folder.mkdir()
    docs = []
    for case in real_cases():
        source = next((p for p in REAL.glob(f"{case.id}.*") if p.suffix in (".txt", ".md")), None)
        if case.doc is not None and source is not None:
            shutil.copy(source, folder)
            docs.append(SimDoc(case.id, case.doc.text, case.gold))
    for case in synth_cases(seed=1, count=args.synth):
        assert case.doc is not None
        (folder / case.doc.name).write_text(case.doc.text, encoding="utf-8")
        docs.append(SimDoc(case.id, case.doc.text, case.gold))
    (work / "c.toml").write_text(CONFIG, encoding="utf-8")
    os.environ |= {
        "OPENAI_API_KEY": "sk-sim",
        "NIANBAO_MODEL": "gpt-4o-mini",
        "NIANBAO_NO_CACHE": "1",
        "NIANBAO_CONFIG": str(work / "c.toml"),
    }
    modes = MODES if args.modes == "all" else ()
    files = sorted(folder.iterdir())
    n = len(files)
    print(f"{n} reports, backend {args.backend}, modes {args.modes}")
    print(
        "| path | requests/report | input tokens/report | output tokens/report "
        "| cost/report (USD) | batches | seconds |"
    )
    print("|---|---|---|---|---|---|---|")
    for path in ("sync", "batch"):
        model = SimulatedModel(docs, SimConfig(modes=modes, rate=0.33, seed=0))
        with SimServer(model, batch=BatchSim(polls=2)) as server:
            os.environ["OPENAI_BASE_URL"] = server.url
            store = open_store(work / f"{path}.db")
            start = time.perf_counter()
            if path == "sync":
                stats = run(store, files, args.backend, timeout=None)
            else:
                stats = run_batch(store, files, args.backend)
            seconds = time.perf_counter() - start
            store.close()
            print(
                f"| {path} | {stats.llm_calls / n:.2f} | {stats.input_tokens / n:.0f} "
                f"| {stats.output_tokens / n:.0f} | {stats.cost_usd / n:.6f} "
                f"| {len(server.desk.created)} | {seconds:.1f} |"
            )
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
