"""`python -m eval.synth --seed S --count N --out DIR`: write synthetic reports to look at."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from eval.synth import generate


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m eval.synth", description=__doc__)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--count", type=int, default=10)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    manifest = []
    for report in generate(args.seed, args.count):
        (args.out / f"{report.id}.{report.media}").write_text(report.text, encoding="utf-8")
        gold = report.gold.to_json(indent=1)
        (args.out / f"{report.id}.gold.json").write_text(gold + "\n", encoding="utf-8")
        manifest.append(report.manifest_entry())
    text = json.dumps(manifest, ensure_ascii=False, indent=1)
    (args.out / "manifest.json").write_text(text + "\n", encoding="utf-8")
    print(f"wrote {len(manifest)} reports to {args.out}")


if __name__ == "__main__":
    main()
