"""Tokens per report against the simulated model (eval/simulator), per prompt version.

    python bench/bench_llm_tokens.py [--synth 30] [--modes none|all]

For each configuration, on the real set and the synthetic set: calls, input and output
tokens per report, and input tokens against the report's own tokens (the simulator's
estimate, the same rule for both), for a full read (`llm`) and for `targeted`.
"""

from __future__ import annotations

import argparse

from eval.cases import load_cases
from eval.simulator import MODES, SimConfig
from eval.simulator.run import simulate

CONFIGS = {
    "v1: a request per part, JSON schema per row type": {"prompt_version": "v1"},
    "v2: one compact request, local re-asks": {"prompt_version": "v2"},
}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--synth", type=int, default=30)
    ap.add_argument("--modes", default="none")
    args = ap.parse_args()
    modes = MODES if args.modes == "all" else ()
    sets = {"real": load_cases("real", 0, 1), "synth": load_cases("synth", args.synth, 1)}
    print(
        "| configuration | backend | set | calls/report | input/report | output/report "
        "| input x report |"
    )
    print("|---|---|---|---|---|---|---|")
    for name, options in CONFIGS.items():
        for backend in ("llm", "targeted"):
            for set_name, cases in sets.items():
                sim = simulate(backend, cases, SimConfig(modes=modes, rate=0.33), options=options)
                u = sim.usage
                print(
                    f"| {name} | {backend} | {set_name} | {u['calls_per_report']} | "
                    f"{u['input_tokens_per_report']} | {u['output_tokens_per_report']} | "
                    f"{u['input_x_report']} |"
                )


if __name__ == "__main__":
    main()
