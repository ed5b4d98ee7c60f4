"""`nianbao check REPORT.json`: the rule engine's findings and suspects for one report."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from nianbao.cli.display import table
from nianbao.core.errors import CanonicalError, UserError
from nianbao.core.models import CanonicalReport
from rules.engine import check
from rules.findings import CheckResult


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "check",
        help="check a canonical report JSON against the identities",
        description="Exit 0 when every identity holds, 1 when one breaks, 2 on bad input.",
    )
    p.add_argument("report", type=Path, help="a report JSON: {meta, cells} (extra keys ignored)")
    p.add_argument("--format", choices=("text", "json"), default="text")
    p.set_defaults(func=run)


def load_report(path: Path) -> CanonicalReport:
    """Read a canonical (or richer) report JSON; a clear UserError for anything else."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise UserError(f"{path}: no such file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise UserError(f"{path}: cannot read as UTF-8 JSON ({exc.__class__.__name__})") from None
    try:
        return CanonicalReport.from_json(text)
    except CanonicalError as exc:
        raise UserError(f"{path}: {exc}") from None


def render_text(path: Path, result: CheckResult) -> str:
    counts = result.counts()
    head = (
        f"{path}: template {result.template}, identities: {counts['passed']} passed, "
        f"{counts['failed']} failed, {counts['unknown']} unknown"
    )
    out = [head]
    if result.findings:
        rows = [[f.severity.value, f.rule, f.equation.split(": ", 1)[-1]] for f in result.findings]
        out += ["", "Findings", table(["severity", "rule", "equation"], rows)]
    if result.suspects:
        rows = [
            [
                str(s.rank),
                ", ".join(s.cells),
                ", ".join(
                    f"{s.current[k]} -> {'?' if s.implied[k] is None else s.implied[k]}"
                    for k in s.cells
                ),
                ", ".join(s.fixes),
            ]
            for s in result.suspects
        ]
        out += ["", "Suspects (cells whose change alone repairs every identity; nothing changed)"]
        out.append(table(["rank", "cells", "printed -> implied", "repairs"], rows))
    elif result.implicated:
        out += [
            "",
            "No small set of cells repairs every identity. Cells in most broken identities:",
        ]
        out.append("  " + ", ".join(result.implicated))
    out += ["", "verdict: " + ("every identity holds" if result.holds else "identities break")]
    return "\n".join(out)


def run(args: argparse.Namespace) -> int:
    report = load_report(args.report)
    result = check(report)
    if args.format == "json":
        print(json.dumps(result.model_dump(mode="json"), ensure_ascii=False, indent=2))
    else:
        print(render_text(args.report, result))
    return 0 if result.holds else 1
