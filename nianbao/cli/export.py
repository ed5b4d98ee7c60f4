"""`nianbao export`: the store as a wide table (a row per report) and a long one (per cell)."""

from __future__ import annotations

import argparse
from pathlib import Path

from nianbao.cli.options import add_store_argument
from nianbao.core.errors import UserError
from nianbao.pipeline.export import FORMATS
from nianbao.store.views import STATUSES


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "export",
        help="export the store's current results (reviewed values in place)",
        description=(
            "Write OUT/reports.FORMAT (one row per report: meta, status, one column per "
            "canonical key) and OUT/cells.FORMAT (one row per cell: value, status, reasons, "
            "both backends' readings, span). A value a reviewer fixed is exported as fixed."
        ),
    )
    p.add_argument("--format", choices=FORMATS, default="csv")
    p.add_argument("--status", nargs="+", choices=STATUSES, help="only reports with these statuses")
    add_store_argument(p)
    p.add_argument("--out", type=Path, default=Path("export"), help="folder (default: export)")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from nianbao.pipeline.atomic import staging
    from nianbao.pipeline.export import export
    from nianbao.store import StoreError, open_store
    from nianbao.store.location import exists, resolve

    try:
        target = resolve(args.db)
    except StoreError as exc:
        raise UserError(str(exc)) from None
    if not exists(target):
        raise UserError(f"{target}: no such store (run `nianbao run` first)")
    if args.out.exists() and not args.out.is_dir():
        raise UserError(f"{args.out}: exists and is not a folder")
    try:
        store = open_store(target)
    except StoreError as exc:
        raise UserError(str(exc)) from None
    try:
        # written into a staging folder, then renamed into place: a full disk or a damaged
        # store half-way leaves no half-written table, and the previous export as it was
        with staging(args.out) as stage:
            written = export(store, args.format, stage, args.status)
    finally:
        store.close()
    for table, (path, rows) in written.items():
        print(f"{table}: {rows} rows -> {args.out / path.name}")
    return 0
