"""`nianbao schema`: the JSON schema of the canonical form (or the typed, nested form)."""

from __future__ import annotations

import argparse
import json

from nianbao.core.models import canonical_json_schema, typed_json_schema


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("schema", help="print the JSON schema of a report")
    p.add_argument(
        "--form",
        choices=("canonical", "typed"),
        default="canonical",
        help="canonical: {meta, cells} with exactly the template's keys (default); "
        "typed: the nested Pydantic models",
    )
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    schema = canonical_json_schema() if args.form == "canonical" else typed_json_schema()
    print(json.dumps(schema, ensure_ascii=False, indent=1))
    return 0
