"""`nianbao extract`: one JSON per report, bad files reported and skipped, exit 2 on any."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

from nianbao.cli import main
from nianbao.core.layout import layout_for

REAL = Path(__file__).parent.parent / "eval" / "data" / "real"


def test_rich_output_has_provenance_flags_and_findings(tmp_path: Path, capsys) -> None:
    code = main(["extract", str(REAL / "seed-003.txt"), "--out", str(tmp_path)])
    assert code == 0
    data = json.loads((tmp_path / "seed-003.json").read_text(encoding="utf-8"))
    assert data["meta"] == {"organ": data["meta"]["organ"], "year": 2021, "template": "2021"}
    assert list(data["cells"]) == list(layout_for("2021").keys)
    assert set(data["provenance"]) == set(data["cells"])
    prov = data["provenance"]["t3.new.natural"]
    assert data["cells"]["t3.new.natural"] == 8 and prov["snippet"] == "8"
    assert prov["method"] == "read" and prov["span"][1] - prov["span"][0] == 1
    # 003 prints row 一 with total 0: the rule engine's finding and the flag are in the file
    assert any(f["rule"] == "t3.row_sum[new]" for f in data["findings"])
    assert "t3.new.total" in data["flags"] and data["flags"]["t3.new.total"]
    assert "seed-003.json" in capsys.readouterr().out


def test_canonical_format_is_meta_cells_status_proof_flags(tmp_path: Path) -> None:
    code = main(
        ["extract", str(REAL / "seed-000.txt"), "--out", str(tmp_path), "--format", "canonical"]
    )
    assert code == 0
    data = json.loads((tmp_path / "seed-000.json").read_text(encoding="utf-8"))
    assert set(data) == {"meta", "cells", "status", "proof", "flags"}
    assert data["cells"]["t2.procurement.amount_wan"] == 373.9265
    assert data["cells"]["t2.procurement.items"] == 61
    assert data["flags"] == []
    # every cell proven, so the report is accepted with no human look
    assert set(data["proof"]) == set(data["cells"])
    assert set(data["proof"].values()) <= {"read_confirmed", "blank_proven"}
    assert data["status"] == "accepted"


def test_bad_file_is_one_line_and_the_rest_still_run(tmp_path: Path) -> None:
    bad = tmp_path / "garbage.txt"
    bad.write_bytes(bytes(range(256)) * 4)
    news = tmp_path / "news.txt"
    news.write_text("今日，市政府召开新闻发布会，介绍经济运行情况。", encoding="utf-8")
    out = tmp_path / "out"
    exe = shutil.which("nianbao", path=str(Path(sys.executable).parent))
    assert exe
    run = subprocess.run(
        [exe, "extract", str(bad), str(REAL / "seed-004.txt"), str(news), "--out", str(out)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert run.returncode == 2
    lines = run.stderr.strip().splitlines()
    assert len(lines) == 2, run.stderr
    assert "garbage.txt" in lines[0] and "news.txt" in lines[1]
    assert "Traceback" not in run.stderr
    assert sorted(p.name for p in out.iterdir()) == ["seed-004.json"]


def test_default_backend_is_the_parser(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    assert main(["extract", str(REAL / "seed-004.txt")]) == 0
    data = json.loads((tmp_path / "out" / "seed-004.json").read_text(encoding="utf-8"))
    assert data["extractor"] == "parser" and data["extractor_version"].startswith("parser-")
