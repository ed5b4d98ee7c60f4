"""`nianbao extract FILE...`: read every table cell of each report into one JSON per report.

Writes `OUT/<input stem>.json` (default OUT: ./out); a stem met twice in one command gets
`-2`, `-3` … so no output overwrites another. The rich format carries meta, cells,
per-cell provenance, the review flags with their reasons, and the rule engine's findings and
suspects; `--format canonical` writes exactly {"meta", "cells", "flags": [keys]}. A file that
cannot be read is reported on one stderr line and the others are still processed; the exit
code is 2 when any file failed, 0 otherwise.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

DEFAULT_OUT = Path("out")


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "extract",
        help="extract every table cell of annual reports into JSON",
        description=(
            "Read .txt/.md (UTF-8, GB18030/GBK, UTF-16), .html, .docx or text-layer .pdf "
            "reports; write OUT/<stem>.json per report. Exit 2 when any file failed, 4 when "
            "the disk is full (no half-written output is left)."
        ),
    )
    p.add_argument("files", nargs="+", type=Path, metavar="FILE")
    p.add_argument("--backend", choices=("parser", "llm"), default="parser")
    p.add_argument("--out", type=Path, default=DEFAULT_OUT, help="output directory (./out)")
    p.add_argument("--format", choices=("rich", "canonical"), default="rich")
    p.add_argument(
        "--no-cache",
        action="store_true",
        help="LLM: neither read nor write the answer cache (same as NIANBAO_NO_CACHE=1)",
    )
    p.set_defaults(func=run)


def rich_output(
    extraction: Any, result: Any, flags: dict[str, list[str]], proof: Any = None
) -> dict[str, Any]:
    """The rich JSON: values, proof levels, provenance, flags with reasons and decisions,
    findings and suspects."""
    from dataclasses import asdict

    from rules.proving import prove

    proof = proof or prove(extraction, result)
    data = extraction.report.to_json_dict()
    return {
        "source": extraction.source_name,
        "extractor": extraction.extractor,
        "extractor_version": extraction.extractor_version,
        "status": "accepted" if proof.accepted else "needs_review",
        **data,
        "proof": {k: v.value for k, v in proof.levels.items()},
        "decisions": [
            {**asdict(d), "suspects": [s.model_dump(mode="json") for s in d.suspects]}
            for d in proof.decisions
        ],
        "provenance": {
            k: p.model_dump(mode="json", exclude_defaults=False)
            for k, p in extraction.provenance.items()
        },
        "flags": flags,
        "findings": [f.model_dump(mode="json") for f in result.findings],
        "suspects": [s.model_dump(mode="json") for s in result.suspects],
        "usage": extraction.usage,
    }


def extract_one(path: Path, backend: Any, fmt: str) -> dict[str, Any]:
    """Read, extract and check one file; raises ExtractorError for a bad file."""
    from extractor.damage import mark_damage
    from extractor.readers import read_document
    from rules.verdict import verdict

    doc = read_document(path)
    if doc.damaged:  # the report is kept; the cells on damaged lines are flagged
        n = sum(b - a for a, b in doc.damaged)
        print(
            f"nianbao: {path}: {n} undecodable byte(s) replaced by U+FFFD "
            f"(first at character {doc.damaged[0][0]}); cells on those lines are flagged",
            file=sys.stderr,
        )
    extraction = mark_damage(doc, backend.extract(doc))
    judged = verdict(extraction, doc.text)
    if fmt == "canonical":
        return {
            **extraction.report.to_json_dict(),
            "status": judged.status.value,
            "proof": {k: v.value for k, v in judged.proof.levels.items()},
            "flags": list(judged.flags),
        }
    rich = rich_output(extraction, judged.check, judged.flags, judged.proof)
    return {**rich, "damaged_spans": doc.damaged}


def output_paths(files: list[Path], out: Path) -> list[Path]:
    """OUT/<stem>.json per input; a stem met again gets -2, -3 … (never one over another)."""
    taken: set[str] = set()
    paths = []
    for path in files:
        name, n = f"{path.stem}.json", 1
        while name.casefold() in taken:  # casefold: one file on a case-insensitive disk
            n += 1
            name = f"{path.stem}-{n}.json"
        taken.add(name.casefold())
        paths.append(out / name)
    return paths


def run(args: argparse.Namespace) -> int:
    import json

    from extractor.registry import get_extractor
    from nianbao.cli.faults import fault_line
    from nianbao.core.errors import ExtractorError, UserError
    from nianbao.pipeline.atomic import write_atomic

    try:
        options = {"no_cache": True} if args.no_cache and args.backend == "llm" else {}
        backend = get_extractor(args.backend, **options)
    except (ExtractorError, ValueError) as exc:
        raise UserError(f"backend {args.backend}: {exc}") from None
    except ImportError as exc:  # a backend whose optional parts are not installed
        raise UserError(f"backend {args.backend} is not available ({exc.name})") from None
    try:
        args.out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UserError(f"{args.out}: cannot create output directory ({exc.strerror})") from None
    failed = 0
    usage: dict[str, float] = {}
    for path, target in zip(args.files, output_paths(args.files, args.out), strict=True):
        try:
            data = extract_one(path, backend, args.format)
        except ExtractorError as exc:
            print(f"nianbao: {exc}", file=sys.stderr)
            failed += 1
            continue
        except Exception as exc:  # a bug on one file: say so in one line, read the others
            print(f"nianbao: {path.name}: {fault_line(exc)[0]}", file=sys.stderr)
            failed += 1
            continue
        if target.stem != path.stem:
            print(f"nianbao: {path}: same stem as an earlier input; -> {target}", file=sys.stderr)
        # whole or absent: a full disk leaves no half-written file (and the old one intact)
        write_atomic(target, json.dumps(data, ensure_ascii=False, indent=2) + "\n")
        print(f"{path} -> {target} ({len(data['flags'])} cells flagged)")
        for key, value in data.get("usage", {}).items():
            usage[key] = usage.get(key, 0) + value
    if args.backend == "llm" and usage:
        print(usage_line(usage))
    return 2 if failed else 0


def usage_line(usage: dict[str, float]) -> str:
    """The LLM's bill for the whole command, from each report's usage."""
    return (
        f"LLM: {int(usage.get('calls', 0))} calls ({int(usage.get('cached_calls', 0))} cached), "
        f"{int(usage.get('input_tokens', 0))} input + {int(usage.get('output_tokens', 0))} "
        f"output tokens, ${usage.get('cost_usd', 0.0):.4f}"
    )
