"""`nianbao run PATH...`: extract, reconcile, check and store every report; print a summary."""

from __future__ import annotations

import argparse
import os
from pathlib import Path
from typing import Any

from nianbao.cli.options import add_store_argument
from nianbao.core.errors import UserError
from nianbao.pipeline.budget import (
    DEFAULT_CPU_SECONDS,
    DEFAULT_FILE_MB,
    DEFAULT_MEMORY_MB,
    DEFAULT_SECONDS,
    Budget,
)

EXIT_PARTIAL = 3  # some files failed (each recorded with its reason); the rest are stored


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "run",
        help="extract report files into the store (resumable)",
        description=(
            "Read every report file (folders are walked), extract with the parser, the LLM or "
            "both, reconcile, check, and store each report. Files already processed with the "
            "same configuration are skipped. Exit 0 when every file succeeded, "
            f"{EXIT_PARTIAL} when some failed (recorded in the store), 2 on bad arguments."
        ),
    )
    p.add_argument("paths", nargs="+", type=Path, metavar="PATH", help="report files or folders")
    p.add_argument(
        "--backend",
        choices=("parser", "llm", "both", "targeted"),
        default="parser",
        help="parser (default, offline); llm; both (each reads everything, reconciled cell by "
        "cell); targeted (the parser, then the LLM asked only about the rows it flags)",
    )
    add_store_argument(p)
    p.add_argument(
        "--jobs",
        type=int,
        default=1,
        help="parallel workers: processes for the parser, threads with the LLM (default 1)",
    )
    budget = p.add_argument_group(
        "budget per file",
        "Reading and parsing each file runs in a child process held to these limits; a file "
        "over any of them is recorded as failed (kind source, with the reason) and the run "
        "goes on. Later runs skip it unless --retry-failed.",
    )
    budget.add_argument(
        "--timeout",
        type=float,
        default=DEFAULT_SECONDS,
        metavar="SECONDS",
        help=f"wall-clock seconds per file, LLM requests included at any --jobs "
        f"(default {DEFAULT_SECONDS:g})",
    )
    budget.add_argument(
        "--cpu-seconds",
        type=float,
        default=DEFAULT_CPU_SECONDS,
        metavar="SECONDS",
        help=f"CPU seconds per file (default {DEFAULT_CPU_SECONDS:g})",
    )
    budget.add_argument(
        "--memory-mb",
        type=int,
        default=DEFAULT_MEMORY_MB,
        metavar="MB",
        help=f"memory (address space) per file, interpreter included (default {DEFAULT_MEMORY_MB})",
    )
    budget.add_argument(
        "--max-file-mb",
        type=float,
        default=DEFAULT_FILE_MB,
        metavar="MB",
        help=f"larger files are refused unread (default {DEFAULT_FILE_MB:g})",
    )
    p.add_argument(
        "--retry-failed",
        action="store_true",
        help="process again the files an earlier run recorded as failed because of the file "
        "itself (unreadable, over budget)",
    )
    p.add_argument(
        "--batch",
        action="store_true",
        help="LLM: send the requests through the provider's batch interface (/v1/files + "
        "/v1/batches; billed at about half price, answered within 24h); the run waits, and a "
        "re-run after a stop resumes the open batch instead of submitting again "
        "(docs/llm.md). With --backend llm, both or targeted",
    )
    p.add_argument(
        "--no-cache",
        action="store_true",
        help="LLM: neither read nor write the answer cache (same as NIANBAO_NO_CACHE=1)",
    )
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from tqdm import tqdm

    from nianbao.cli.summary import render
    from nianbao.pipeline.files import discover
    from nianbao.pipeline.runner import run as run_files
    from nianbao.store import StoreError, open_store
    from nianbao.store.location import resolve

    if args.jobs < 1 or args.jobs > 4 * (os.cpu_count() or 1) + 32:
        raise UserError(
            f"--jobs {args.jobs}: expected a number from 1 to {4 * (os.cpu_count() or 1) + 32}"
        )
    for flag, value in (
        ("--timeout", args.timeout),
        ("--cpu-seconds", args.cpu_seconds),
        ("--memory-mb", args.memory_mb),
        ("--max-file-mb", args.max_file_mb),
    ):
        if not value > 0:
            raise UserError(f"{flag} {value:g}: expected a positive number")
    if args.memory_mb < 100:
        raise UserError(f"--memory-mb {args.memory_mb}: the interpreter alone needs 100")
    budget = Budget(args.timeout, args.cpu_seconds, args.memory_mb, args.max_file_mb)
    if args.no_cache:
        os.environ["NIANBAO_NO_CACHE"] = "1"  # read by every worker's LLM configuration
    files = discover(args.paths)
    if not files:
        raise UserError(f"{' '.join(map(str, args.paths))}: no report files found")
    try:
        store = open_store(resolve(args.db))
    except StoreError as exc:  # e.g. a file that is not a database, a server that refuses
        raise UserError(str(exc)) from None
    if args.batch and args.backend == "parser":
        store.close()
        raise UserError(
            "--batch sends the LLM's requests: use it with --backend llm, both or targeted"
        )
    bar: Any = tqdm(total=len(files), unit="report", dynamic_ncols=True, disable=None)
    try:
        if args.batch:
            from nianbao.pipeline.batch import run_batch

            stats = run_batch(
                store,
                files,
                args.backend,
                progress=bar.update,
                budget=budget,
                retry_failed=args.retry_failed,
                notify=lambda line: bar.write(f"nianbao: {line}"),
            )
        else:
            stats = run_files(
                store,
                files,
                args.backend,
                args.jobs,
                progress=bar.update,
                budget=budget,
                retry_failed=args.retry_failed,
            )
    finally:
        bar.close()
    try:
        print(render(store, stats))
    finally:
        store.close()
    return 0 if stats.ok else EXIT_PARTIAL
