"""`nianbao worker`: process uploaded reports from the service's queue (Dramatiq on Redis)."""

from __future__ import annotations

import argparse

from nianbao.cli.options import add_redis_argument, add_store_argument
from nianbao.core.errors import UserError


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "worker",
        help="process uploaded reports from the service's queue",
        description=(
            "Take jobs from the queue on Redis and run each through the same pipeline as "
            "`nianbao run`, into the store. Start one per core, on any number of machines "
            "sharing the store and Redis. Settings also come from NIANBAO_* variables "
            "(docs/service.md)."
        ),
    )
    add_store_argument(p, resolved_by="service")
    add_redis_argument(p)
    p.add_argument(
        "--backend",
        choices=("parser", "llm", "both", "targeted"),
        help="as `nianbao run --backend` (default $NIANBAO_BACKEND or parser)",
    )
    p.add_argument(
        "--threads",
        type=int,
        default=None,
        help="reports worked on at once (default 1 for the CPU-bound parser, 4 with the LLM)",
    )
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from nianbao.service.settings import from_env
    from nianbao.service.worker import run_worker
    from nianbao.store import StoreError

    settings = from_env(db=args.db, redis_url=args.redis, backend=args.backend)
    threads = (
        args.threads if args.threads is not None else (1 if settings.backend == "parser" else 4)
    )
    if not 1 <= threads <= 64:
        raise UserError(f"--threads {threads}: expected 1 to 64")
    try:
        from redis import Redis

        Redis.from_url(settings.redis_url, socket_connect_timeout=5).ping()
    except Exception as exc:
        raise UserError(f"{settings.redis_url}: Redis does not answer ({exc})") from None
    try:
        return run_worker(settings, threads)
    except StoreError as exc:  # cannot open the store: one line
        raise UserError(str(exc)) from None
