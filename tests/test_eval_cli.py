"""`nianbao eval` end to end: outputs, baseline exit codes, bad input as one line and exit 2."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from nianbao.cli import main


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


PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def _main(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    """`nianbao eval ARGS` in this process (the same entry point, without the start-up cost)."""
    code = main(["eval", *args])
    return code, capsys.readouterr().out


def test_eval_end_to_end_writes_every_metric_summary_and_plot(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out"
    code, stdout = _main(
        capsys, "--backend", "parser", "--set", "all", "--synth-count", "4", "--seed", "3",
        "--out", str(out), "--quiet",
    )  # fmt: skip
    assert code == 0
    data = json.loads((out / "eval.json").read_text(encoding="utf-8"))
    metrics = {
        "cell_accuracy", "exact_match_rate", "silent_error_rate", "flag_precision",
        "accepted_without_review", "llm_calls_per_report", "input_tokens_per_report",
        "output_tokens_per_report", "cost_usd_per_report", "seconds_per_report",
    }  # fmt: skip
    assert metrics <= set(data["headline"])
    assert set(data["by_part"]) == {"t2", "t3", "t4"}
    assert {"real", "synth"} == set(data["by_set"])
    assert {"2019", "2021"} <= set(data["by_template"])
    assert data["by_damage"] and data["headline"]["reports"] == len(data["reports"])
    assert data["config"]["synth_count"] == 4 and data["config"]["seed"] == 3
    summary = (out / "summary.md").read_text(encoding="utf-8")
    assert "## Headline" in summary and "## Worst reports" in summary
    assert "## Cells that went wrong silently" in summary
    assert "## Accepted without review, but wrong" in summary and "## Every report" in summary
    # the real set has consistent reports left for a person (glued part 二 rows): their causes
    waiting = summary.split("## What keeps consistent reports waiting")[1].split("## ")[0]
    assert "| ambiguous: " in waiting and "all right |" in waiting
    decisions = [d for r in data["reports"] for d in r["decisions"]]
    assert decisions and all(d["reason"] for d in decisions)
    assert (out / "accuracy_by_damage.png").read_bytes().startswith(PNG_SIGNATURE)
    assert "cell accuracy" in stdout


def test_baseline_comparison_exit_code(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    args = ["--set", "synth", "--synth-count", "3", "--quiet", "--out"]
    code, _ = _main(capsys, *args, str(tmp_path / "a"))
    assert code == 0
    saved = tmp_path / "a" / "eval.json"
    code, stdout = _main(capsys, *args, str(tmp_path / "b"), "--baseline", str(saved))
    assert code == 0 and "no regression" in stdout
    # a baseline that read every cell right: the current run can only be worse
    data = json.loads(saved.read_text(encoding="utf-8"))
    for report in data["reports"]:
        report.update(error=None, wrong={}, meta_ok={"template": True})
        for part in report["parts"].values():
            part.update(correct=part["cells"], silent=0)
    perfect = tmp_path / "perfect.json"
    perfect.write_text(json.dumps(data), encoding="utf-8")
    code, stdout = _main(capsys, *args, str(tmp_path / "c"), "--baseline", str(perfect))
    if data["headline"]["cell_accuracy"] < 1.0:
        assert code == 1 and "REGRESSION" in stdout
        summary = (tmp_path / "c" / "summary.md").read_text(encoding="utf-8")
        assert "## Against the baseline" in summary and "REGRESSED" in summary
    else:  # a perfect run cannot be worse than a perfect baseline
        assert code == 0


def test_own_gold_folder_as_the_real_set(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    real = Path(__file__).parent.parent / "eval" / "data" / "real"
    mine = tmp_path / "mine"
    mine.mkdir()
    for name in ("seed-004.txt", "seed-004.gold.json"):
        (mine / name).write_bytes((real / name).read_bytes())
    out = tmp_path / "out"
    code, _ = _main(capsys, "--set", "real", "--data", str(mine), "--out", str(out), "--quiet")
    assert code == 0
    data = json.loads((out / "eval.json").read_text(encoding="utf-8"))
    assert [r["id"] for r in data["reports"]] == ["seed-004"]
    empty = tmp_path / "empty"
    empty.mkdir()
    assert main(["eval", "--set", "real", "--data", str(empty)]) == 2
    assert "no gold-labelled reports" in capsys.readouterr().err


def test_a_synthetic_report_the_reader_refuses_is_one_failed_case(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # synth-8079-0282: damage took every part-三 label, so the product's reader refuses the
    # file. It stopped the whole seed's eval ("nianbao: …: no annual report table found");
    # it is one failed report now, as an unreadable real file is, and the run carries on
    import eval.synth
    from eval.cases import synth_cases
    from eval.harness import evaluate_case, make_backend
    from eval.synth import synth_report

    refused, good = synth_report(8079, 282), synth_report(8079, 0)
    monkeypatch.setattr(eval.synth, "generate", lambda seed, count: iter([refused, good]))
    cases = synth_cases(8079, 2)
    assert [c.id for c in cases] == [refused.id, good.id]
    assert cases[0].doc is None and "no annual report table found" in (cases[0].error or "")
    assert cases[1].doc is not None and cases[1].error is None
    backend = make_backend("parser")
    scores = [evaluate_case(c, backend) for c in cases]
    assert scores[0].failed and not scores[1].failed
