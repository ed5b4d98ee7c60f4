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
    "v3: squeezed text, shape said once, no schema": {"prompt_version": "v3"},
}


def main() -> None:
    ap = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    ap.add_argument("--synth", type=int, default=30)
    ap.add_argument("--modes", default="none")
    ap.add_argument("--seed", type=int, default=1, help="synthetic set seed")
    ap.add_argument("--only", nargs="*", help="configurations whose name starts with these")
    # prompt caching: OpenAI caches prefixes of >= 1024 tokens in blocks of 128; DeepSeek
    # caches any prefix in blocks of 64 (--cache-min 0 --cache-block 64)
    ap.add_argument("--cache-min", type=int, default=1024)
    ap.add_argument("--cache-block", type=int, default=128)
    args = ap.parse_args()
    modes = MODES if args.modes == "all" else ()
    sets = {"real": load_cases("real", 0, 1), "synth": load_cases("synth", args.synth, args.seed)}
    print(
        "| configuration | backend | set | calls/report | input/report | output/report "
        "| cached input/report | input x report |"
    )
    print("|---|---|---|---|---|---|---|---|")
    for name, options in CONFIGS.items():
        if args.only and not any(name.startswith(o) for o in args.only):
            continue
        for backend in ("llm", "targeted"):
            for set_name, cases in sets.items():
                config = SimConfig(
                    modes=modes, rate=0.33, cache_min=args.cache_min, cache_block=args.cache_block
                )
                sim = simulate(backend, cases, config, options=options)
                u = sim.usage
                print(
                    f"| {name} | {backend} | {set_name} | {u['calls_per_report']} | "
                    f"{u['input_tokens_per_report']} | {u['output_tokens_per_report']} | "
                    f"{u['cached_input_tokens_per_report']} | {u['input_x_report']} |"
                )


if __name__ == "__main__":
    main()
