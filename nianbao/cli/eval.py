"""`nianbao eval`: run a backend over the gold-labelled eval set and report how far to trust it."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "eval",
        help="measure a backend against the gold labels (accuracy, silent errors, cost)",
        description=(
            "Extract every eval report, check and flag it as the product does, and compare with "
            "the gold labels. Writes eval.json, summary.md and accuracy_by_damage.png into --out. "
            "Exit 1 when --baseline is given and a headline metric is worse beyond --tolerance."
        ),
    )
    p.add_argument(
        "--backend",
        choices=("parser", "llm", "both", "targeted"),
        default="parser",
        help="parser (default), llm (endpoint from the environment/config, see docs/llm.md), "
        "both reconciled, or targeted (the parser, the LLM asked about the rows it flags)",
    )
    p.add_argument(
        "--simulate",
        metavar="MODES",
        help="run the LLM against the local simulated model (eval/simulator) with these error "
        "modes, comma-separated; 'all' (the tuned modes), 'unseen' (the held-out ones), 'every' "
        "or 'none'; prints what became of each mode's errors",
    )
    p.add_argument(
        "--sim-rate",
        type=float,
        default=0.33,
        help="share of table requests the simulated model gets wrong (default 0.33)",
    )
    p.add_argument("--sim-seed", type=int, default=0, help="seed of the simulated model's errors")
    p.add_argument("--limit", type=int, help="only the first N reports of the set")
    p.add_argument(
        "--set",
        dest="which",
        choices=("real", "synth", "all"),
        default="all",
        help="real reports with gold labels, synthetic ones, or all (default)",
    )
    p.add_argument(
        "--data",
        type=Path,
        help="a folder of your own gold-labelled reports to use as the real set "
        "(manifest.json, or <stem>.gold.json beside each source; default eval/data/real)",
    )
    p.add_argument("--synth-count", type=int, default=60, help="synthetic reports (default 60)")
    p.add_argument("--seed", type=int, default=1, help="seed of the synthetic set (default 1)")
    p.add_argument(
        "--out", type=Path, default=Path("out/eval"), help="output directory (default out/eval)"
    )
    p.add_argument("--baseline", type=Path, help="a saved eval.json to compare with")
    p.add_argument(
        "--tolerance",
        type=float,
        default=None,
        help="allowed worsening of a headline metric, as a fraction (default 0: none)",
    )
    p.add_argument("--quiet", action="store_true", help="no progress lines")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from eval.baseline import DEFAULT_TOLERANCE, BaselineError, compare, load_baseline
    from eval.cases import EvalSetError
    from eval.harness import HarnessError, run_eval
    from eval.report import write_outputs
    from nianbao.core.errors import UserError

    if args.synth_count < 0:
        raise UserError(f"--synth-count: must be >= 0, not {args.synth_count}")
    tolerance = DEFAULT_TOLERANCE if args.tolerance is None else args.tolerance
    if tolerance < 0:
        raise UserError(f"--tolerance: must be >= 0, not {tolerance}")
    try:
        baseline = load_baseline(args.baseline) if args.baseline else None
    except BaselineError as exc:
        raise UserError(str(exc)) from None

    def progress(n: int, total: int, score) -> None:
        if not args.quiet:
            state = score.error or f"{score.total('correct')}/{score.total('cells')} cells"
            print(f"[{n}/{total}] {score.id}: {state}", file=sys.stderr)

    simulation = None
    try:
        if args.simulate is not None or args.limit is not None:
            simulation, (result, scores) = _limited_or_simulated(args, progress)
        else:
            result, scores = run_eval(
                args.backend,
                args.which,
                args.synth_count,
                args.seed,
                progress=progress,
                real_dir=args.data,
            )
    except (HarnessError, EvalSetError) as exc:
        raise UserError(str(exc)) from None
    if baseline is not None:
        result["comparison"] = compare(scores, baseline, tolerance)
    paths = write_outputs(result, scores, args.out)
    head = result["headline"]
    print(
        f"{head['reports']} reports, {head['failed']} failed: cell accuracy "
        f"{_pct(head['cell_accuracy'])}, exact match {_pct(head['exact_match_rate'])}, "
        f"silent errors {_pct(head['silent_error_rate'])}, flag precision "
        f"{_pct(head['flag_precision'])} per cell, {_pct(head['decision_precision'])} per "
        f"decision, accepted without review {_pct(head['accepted_without_review'])} "
        f"({_pct(head['accepted_consistent'])} of {head['consistent_reports']} consistent, "
        f"{_pct(head['accepted_complete'])} of {head['complete_reports']} complete), "
        f"accepted while wrong {head['accepted_wrong_reports']}, flags/report "
        f"{_num(head['flags_per_report'])}, decisions/report {_num(head['decisions_per_report'])}"
    )
    for name, m in result["by_set"].items():
        print(
            f"  {name}: {m['reports']} reports, accepted {_pct(m['accepted_without_review'])} "
            f"({_pct(m['accepted_consistent'])} of {m['consistent_reports']} consistent, "
            f"{_pct(m['accepted_complete'])} of {m['complete_reports']} complete), "
            f"accepted while wrong {m['accepted_wrong_reports']}, silent "
            f"{_pct(m['silent_error_rate'])}, flag precision {_pct(m['flag_precision'])} per "
            f"cell / {_pct(m['decision_precision'])} per decision, flags/report "
            f"{_num(m['flags_per_report'])}"
        )
    comparison = result.get("comparison")
    if comparison:
        print(_verdict(comparison))
    if simulation is not None:
        print(simulation)
    print("wrote " + ", ".join(str(p) for p in paths))
    return 1 if comparison and comparison["regressed"] else 0


def _limited_or_simulated(args: argparse.Namespace, progress):
    """(the simulation's table as text or None, (result, scores)) for --simulate / --limit."""
    from eval.cases import REAL_DIR, load_cases
    from eval.harness import run_eval
    from nianbao.core.errors import UserError

    if args.limit is not None and args.limit < 1:
        raise UserError(f"--limit: must be >= 1, not {args.limit}")
    synth = args.synth_count if args.which != "real" else 0
    cases = load_cases(args.which, synth, args.seed, args.data or REAL_DIR)[: args.limit]
    if args.simulate is None:
        return None, run_eval(
            args.backend, args.which, synth, args.seed, cases=cases, progress=progress
        )
    from eval.simulator import MODES, SimConfig
    from eval.simulator.run import simulate

    if args.backend == "parser":
        raise UserError("--simulate: needs --backend llm, both or targeted")
    names = args.simulate.strip().lower()
    modes = (
        MODES
        if names == "all"
        else ()
        if names == "none"
        else tuple(m.strip() for m in names.split(",") if m.strip())
    )
    if not 0 <= args.sim_rate <= 1:
        raise UserError(f"--sim-rate: must be between 0 and 1, not {args.sim_rate}")
    try:
        config = SimConfig(modes=modes, rate=args.sim_rate, seed=args.sim_seed)
    except ValueError as exc:
        raise UserError(f"--simulate: {exc}") from None
    sim = simulate(
        args.backend, cases, config, log_path=args.out / "sim_injections.jsonl", progress=progress
    )
    return sim.markdown(), (sim.result, sim.scores)


def _num(value: float | None) -> str:
    return "–" if value is None else f"{value:.2f}"


def _pct(value: float | None) -> str:
    return "–" if value is None else f"{100 * value:.2f}%"


def _verdict(comp: dict) -> str:
    parts = [
        f"{name} {_pct(m['baseline'])} -> {_pct(m['current'])}"
        + (" REGRESSED" if m["regressed"] else "")
        for name, m in comp["metrics"].items()
    ]
    head = "baseline: REGRESSION" if comp["regressed"] else "baseline: no regression"
    if comp.get("wrong_accepted"):
        head += f" (ACCEPTED WHILE WRONG: {', '.join(comp['wrong_accepted'][:5])})"
    return (
        f"{head} ({comp['compared_reports']} reports compared; "
        f"{len(comp['cells_worse'])} cells worse, {len(comp['cells_better'])} better): "
        + "; ".join(parts)
    )
