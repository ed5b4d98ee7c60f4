"""`nianbao eval` from the command line: bad input is one line and exit 2."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path


def _run(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "nianbao", "eval", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        check=False,
    )


def test_unreadable_baseline_is_one_line_and_exit_2(tmp_path: Path) -> None:
    bad = tmp_path / "baseline.json"
    bad.write_text("{not json", encoding="utf-8")
    run = _run("--set", "synth", "--synth-count", "1", "--baseline", str(bad), cwd=tmp_path)
    assert run.returncode == 2
    assert run.stderr.strip().splitlines() == [
        f"nianbao: {bad}: not an eval.json (JSONDecodeError)"
    ]
    missing = _run("--baseline", str(tmp_path / "nope.json"), cwd=tmp_path)
    assert missing.returncode == 2 and "no such file" in missing.stderr
    assert "Traceback" not in run.stderr + missing.stderr


def test_negative_counts_are_refused(tmp_path: Path) -> None:
    run = _run("--synth-count", "-3", cwd=tmp_path)
    assert run.returncode == 2
    assert run.stderr.strip() == "nianbao: --synth-count: must be >= 0, not -3"
