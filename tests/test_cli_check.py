"""`nianbao check` as a user runs it: exit codes, one-line errors, readable output."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

GOLD_003 = Path(__file__).parent.parent / "eval" / "data" / "real" / "seed-003.gold.json"


def nianbao(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "nianbao", *args], capture_output=True, text=True, check=False
    )


def test_consistent_report_exits_0(tmp_path: Path) -> None:
    data = json.loads(GOLD_003.read_text(encoding="utf-8"))
    data["cells"].update({"t3.new.natural": 9, "t3.new.commercial": 0, "t3.new.total": 9})
    path = tmp_path / "fixed.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    run = nianbao("check", str(path))
    assert run.returncode == 0, run.stdout
    assert "every identity holds" in run.stdout


def test_one_changed_cell_is_named_first_with_its_value(tmp_path: Path) -> None:
    data = json.loads(GOLD_003.read_text(encoding="utf-8"))
    data["cells"].update({"t3.new.natural": 9, "t3.new.commercial": 0, "t3.new.total": 9})
    data["cells"]["t3.unable.not_held.natural"] = 3  # gold says 8
    path = tmp_path / "changed.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    run = nianbao("check", str(path), "--format", "json")
    assert run.returncode == 1
    result = json.loads(run.stdout)
    first = result["suspects"][0]
    assert first["cells"] == ["t3.unable.not_held.natural"]
    assert first["implied"] == {"t3.unable.not_held.natural": 8}
    text = nianbao("check", str(path)).stdout
    assert "t3.unable.not_held.natural  3 -> 8" in text


def test_seed_003_gold_names_the_new_row() -> None:
    run = nianbao("check", str(GOLD_003))
    assert run.returncode == 1
    assert "t3.row_sum[new]" in run.stdout and "8+1+0+0+0+0 = 9, printed total 0" in run.stdout
    assert "t3.new.natural, t3.new.commercial, t3.new.total" in run.stdout


def test_bad_inputs_exit_2_with_one_line(tmp_path: Path) -> None:
    bad_json = tmp_path / "bad.json"
    bad_json.write_text("{not json", encoding="utf-8")
    binary = tmp_path / "blob.json"
    binary.write_bytes(b"\x89PNG\r\n\x1a\n\xff\xfe\x00")
    wrong_keys = tmp_path / "keys.json"
    wrong_keys.write_text(json.dumps({"meta": {"template": "2019"}, "cells": {"x": 1}}))
    for path in (bad_json, binary, wrong_keys, tmp_path / "missing.json"):
        run = nianbao("check", str(path))
        assert run.returncode == 2, path
        assert run.stderr.count("\n") == 1 and run.stderr.startswith("nianbao: "), run.stderr
        assert "Traceback" not in run.stderr


def test_output_into_a_closed_pipe_is_quiet() -> None:
    # `nianbao schema | head -1`: the reader leaves early; no traceback, exit 0
    proc = subprocess.Popen(
        [sys.executable, "-m", "nianbao", "schema", "--form", "typed"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert proc.stdout is not None and proc.stderr is not None
    proc.stdout.readline()
    proc.stdout.close()
    err = proc.stderr.read().decode()
    assert proc.wait(timeout=60) == 0
    assert "Traceback" not in err and "BrokenPipe" not in err
