"""Which split of a report into requests gives the best accuracy per token, on a real endpoint.

Runs the LLM extractor once per split over the gold-labelled real reports
(eval/data/real/<stem>.gold.json) and prints, per split, cell accuracy against gold, tokens
in and out per report, cost, calls and re-asks. Needs a real endpoint in the environment
(OPENAI_API_KEY, OPENAI_BASE_URL, NIANBAO_MODEL, or NIANBAO_CONFIG); it is never run by the
tests. Answers are cached (NIANBAO_CACHE_DIR), so a second run costs nothing; pass
--no-cache to measure afresh.

    python bench/bench_llm_split.py --splits whole parts rows:8 --reasks 0
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from extractor.llm import LLMExtractor  # noqa: E402
from extractor.readers import SUFFIXES, read_document  # noqa: E402
from nianbao.core.errors import BackendError, ExtractorError  # noqa: E402
from nianbao.core.models import CanonicalReport  # noqa: E402

REAL = ROOT / "eval" / "data" / "real"


def gold_reports(limit: int | None) -> list[tuple[Path, CanonicalReport]]:
    """(source file, gold report) for every gold label whose source is in the eval set."""
    out = []
    for gold_path in sorted(REAL.glob("*.gold.json")):
        stem = gold_path.name.removesuffix(".gold.json")
        sources = [
            p
            for p in REAL.glob(f"{stem}.*")
            if p.suffix in SUFFIXES and not p.name.endswith((".notes.md", ".gold.json"))
        ]
        if sources:
            out.append((sources[0], CanonicalReport.from_json(gold_path.read_text("utf-8"))))
    return out[:limit] if limit else out


def score(found: CanonicalReport, gold: CanonicalReport) -> tuple[int, int]:
    """(cells equal to gold, cells in gold); a wrong template scores 0 of the gold's cells."""
    if found.meta.template != gold.meta.template:
        return 0, len(gold.cells)
    return sum(found.cells[k] == v for k, v in gold.cells.items()), len(gold.cells)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--splits", nargs="+", default=["whole", "parts", "rows:8"])
    parser.add_argument("--reasks", type=int, default=0, help="identity re-ask rounds (0: off)")
    parser.add_argument("--limit", type=int, default=None, help="first N gold reports only")
    parser.add_argument("--no-cache", action="store_true")
    args = parser.parse_args(argv)

    reports = gold_reports(args.limit)
    if not reports:
        print("no gold labels in eval/data/real", file=sys.stderr)
        return 2
    print(f"{len(reports)} gold reports; splits: {', '.join(args.splits)}")
    header = f"{'split':<10} {'accuracy':>9} {'in tok/rep':>11} {'out tok/rep':>12} "
    header += f"{'USD/rep':>9} {'calls/rep':>10} {'acc per 10k tok':>16} {'failed':>7}"
    rows = []
    for split in args.splits:
        try:
            extractor = LLMExtractor(
                split=split, max_reasks=args.reasks, no_cache=args.no_cache or None
            )
        except BackendError as exc:
            print(f"bench_llm_split: {exc}", file=sys.stderr)
            return 2
        right = total = tokens_in = tokens_out = calls = failed = 0
        cost = 0.0
        for path, gold in reports:
            try:
                extraction = extractor.extract(read_document(path))
            except BackendError as exc:
                print(f"bench_llm_split: {exc}", file=sys.stderr)
                return 2
            except ExtractorError as exc:
                print(f"  {split} {path.name}: failed ({exc})", file=sys.stderr)
                failed += 1
                total += len(gold.cells)
                continue
            r, t = score(extraction.report, gold)
            right, total = right + r, total + t
            usage = extraction.usage
            tokens_in += int(usage.get("input_tokens", 0))
            tokens_out += int(usage.get("output_tokens", 0))
            calls += int(usage.get("calls", 0)) + int(usage.get("cached_calls", 0))
            cost += float(usage.get("cost_usd", 0.0))
            print(f"  {split} {path.name}: {r}/{t} cells, {usage}")
        extractor.close()
        n = len(reports)
        accuracy = right / total if total else 0.0
        per_tokens = accuracy / ((tokens_in + tokens_out) / n / 10_000) if tokens_in else 0.0
        rows.append(
            f"{split:<10} {accuracy:>9.3f} {tokens_in / n:>11.0f} {tokens_out / n:>12.0f} "
            f"{cost / n:>9.4f} {calls / n:>10.1f} {per_tokens:>16.3f} {failed:>7}"
        )
    print()
    print(header)
    print("\n".join(rows))
    print("(tokens and cost count only requests not served from the cache)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
