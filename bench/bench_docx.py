"""Benchmark: synthetic gold reports rendered as Word files (`eval.synth.word`), read by
`nianbao eval` through the product's .docx reader and scored cell by cell.

Run on demand: `.venv/bin/python bench/bench_docx.py [--sets 7:40:0,11:40:4,12:40:2]`; each
set is seed:count:blanks (blanks: cells each report prints empty, null in its gold). Prints
the eval's headline line per set (accuracy, accepted share, accepted while wrong, silent).
Measured 2026-12-06 (tuned on seed 1, figures on held-out seeds):

    set          tab-line reader (before)         via HTML (after)           after + htmlgrid
    7:40:0       99.97% acc, 70.0% acc'd, 6.72 f   99.97%, 70.0%, 6.42 f      100%, 82.5%, 6.20 f
    11:40:4      99.18%, 7.5%, 31.35 f             99.49%, 12.5%, 23.60 f     100%, 45.0%, 17.82 f
    12:40:2      99.64%, 22.5%, 23.25 f            99.64%, 22.5%, 22.82 f     100%, 55.0%, 13.50 f

(f: flags per report; silent errors 0 and accepted-while-wrong 0 in every run.)
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent.parent))

from eval.synth.word import write_set


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sets", default="7:40:0,11:40:4,12:40:2")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        for spec in args.sets.split(","):
            seed, count, blanks = (int(x) for x in spec.split(":"))
            folder = Path(tmp) / spec.replace(":", "-")
            write_set(folder, seed, count, blanks)
            done = subprocess.run(
                [
                    sys.executable,
                    "-m",
                    "nianbao",
                    "eval",
                    "--set",
                    "real",
                    "--data",
                    str(folder),
                    "--out",
                    str(folder / "out"),
                    "--quiet",
                ],
                capture_output=True,
                text=True,
                check=False,
            )
            lines = (done.stdout or done.stderr).splitlines()
            print(f"{spec}: {lines[0] if lines else f'exit {done.returncode}'}")


if __name__ == "__main__":
    main()
