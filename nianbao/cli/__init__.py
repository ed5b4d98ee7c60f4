"""The `nianbao` command: one sub-module per sub-command, each registering its own parser."""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from nianbao.errors import UserError

# Sub-command modules; each defines `register(subparsers)` and sets `func` on its parser.
COMMANDS = ("check",)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="nianbao",
        description="Verified data from 政府信息公开工作年度报告 (annual disclosure reports).",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name in COMMANDS:
        importlib.import_module(f"nianbao.cli.{name}").register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except UserError as exc:
        print(f"nianbao: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("nianbao: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
