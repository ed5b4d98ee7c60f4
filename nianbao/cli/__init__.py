"""The `nianbao` command: one sub-module per sub-command, each registering its own parser."""

from __future__ import annotations

import argparse
import importlib
import os
import pkgutil
import sys
from collections.abc import Sequence

from nianbao.cli.faults import fault_line
from nianbao.core.errors import NianbaoError
from nianbao.pipeline import interrupts


def _command_modules() -> list[str]:
    """Every module in this package that defines `register(subparsers)`."""
    names = [m.name for m in pkgutil.iter_modules(__path__) if not m.name.startswith("_")]
    return sorted(
        n for n in names if hasattr(importlib.import_module(f"{__name__}.{n}"), "register")
    )


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="nianbao",
        description="Verified data from 政府信息公开工作年度报告 (annual disclosure reports).",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name in _command_modules():
        importlib.import_module(f"{__name__}.{name}").register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except NianbaoError as exc:  # the one root: an error a user can act on, as one line
        print(f"nianbao: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("nianbao: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # `nianbao ... | head`: the reader left; stop quietly as Unix tools do (point stdout
        # at /dev/null so the interpreter's final flush does not raise again).
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except Exception as exc:  # a full disk, a damaged store, a bug: one line, never a traceback
        if interrupts.requested():  # Ctrl-C that a library turned into an error of its own
            print("nianbao: interrupted", file=sys.stderr)
            return 130
        line, code = fault_line(exc, getattr(args, "db", None))
        print(f"nianbao: {line}", file=sys.stderr)
        return code


if __name__ == "__main__":
    sys.exit(main())
