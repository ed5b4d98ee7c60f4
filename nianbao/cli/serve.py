"""`nianbao serve`: the HTTP API (FastAPI on uvicorn) over the store and the job queue."""

from __future__ import annotations

import argparse
from pathlib import Path

from nianbao.cli.options import add_redis_argument, add_store_argument
from nianbao.core.errors import UserError


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "serve",
        help="serve the HTTP API (uploads, jobs, results, review, export)",
        description=(
            "Serve the API on HOST:PORT (OpenAPI docs at /docs). Uploads go to the store and "
            "to the queue on Redis, where `nianbao worker` processes take them. Every "
            "endpoint but /health needs a token from `nianbao token create`. Settings also "
            "come from NIANBAO_* variables (docs/service.md)."
        ),
    )
    add_store_argument(p, resolved_by="service")
    add_redis_argument(p)
    p.add_argument("--host", default="127.0.0.1", help="default 127.0.0.1: this machine only")
    p.add_argument("--port", type=int, default=8000, help="default 8000")
    p.add_argument("--http-workers", type=int, default=1, help="uvicorn processes (default 1)")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    import uvicorn

    from nianbao.service.settings import ENV, from_env

    if not 0 < args.port < 65536:
        raise UserError(f"--port {args.port}: expected 1-65535")
    if not 1 <= args.http_workers <= 64:
        raise UserError(f"--http-workers {args.http_workers}: expected 1 to 64")
    settings = from_env(db=args.db, redis_url=args.redis)
    from nianbao.store import StoreError, open_store
    from nianbao.store.location import shown

    try:  # create and migrate the store now: a bad path is one line here, not a 500 later
        open_store(settings.db).close()
    except StoreError as exc:
        raise UserError(str(exc)) from None
    import os

    # The app factory reads the settings from the environment in every uvicorn process.
    db = settings.db
    os.environ[ENV["db"]] = str(db.resolve() if isinstance(db, Path) else db)
    os.environ[ENV["redis_url"]] = settings.redis_url
    print(
        f"nianbao serve: http://{args.host}:{args.port}  (docs /docs; store {shown(db)}; "
        f"queue {settings.redis_url})",
        flush=True,
    )
    uvicorn.run(
        "nianbao.service.factory:app",
        factory=True,
        host=args.host,
        port=args.port,
        workers=args.http_workers,
        log_level="warning",
        access_log=False,
    )
    return 0
