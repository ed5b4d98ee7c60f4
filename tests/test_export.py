"""`nianbao export`: every format reads back, with the reviewed value in place."""

from __future__ import annotations

import csv
import json
from decimal import Decimal
from pathlib import Path

import pytest

from nianbao.cli import main
from nianbao.store import open_store
from tests.pipeline_fixtures import extraction, gold, outcome


@pytest.fixture
def db(tmp_path: Path) -> Path:
    path = tmp_path / "store.db"
    with open_store(path) as store:
        run = store.begin_run("parser", "fp", {})
        store.save_outcome(run, "fp", outcome("003.txt", {"parser": extraction(gold("seed-003"))}))
        fees = extraction(gold("seed-004"), t2__fees__change=-2)
        fees.report.cells["t2.procurement.amount_wan"] = Decimal("373.9265")
        store.save_outcome(run, "fp", outcome("004.txt", {"parser": fees}))
        rid = next(s.report_id for s in store.queue(status=None) if s.source_name == "003.txt")
        store.record_decision(rid, "t3.new.total", "ann", value=9, reason="row sum")
    return path


def _read(fmt: str, path: Path) -> list[dict]:
    if fmt == "csv":
        with path.open(encoding="utf-8-sig", newline="") as handle:
            return list(csv.DictReader(handle))
    if fmt == "jsonl":
        return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    if fmt == "parquet":
        import pyarrow.parquet as pq

        return pq.read_table(path).to_pylist()
    from openpyxl import load_workbook

    rows = list(load_workbook(path, read_only=True)["data"].iter_rows(values_only=True))
    return [dict(zip(rows[0], r, strict=True)) for r in rows[1:]]


@pytest.mark.parametrize("fmt", ["csv", "jsonl", "parquet", "xlsx"])
def test_export_reads_back_with_the_reviewed_value(fmt: str, db: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert main(["export", "--format", fmt, "--db", str(db), "--out", str(out)]) == 0
    wide = {r["source_name"]: r for r in _read(fmt, out / f"reports.{fmt}")}
    assert set(wide) == {"003.txt", "004.txt"}
    same = (lambda v: v) if fmt != "csv" else str
    assert wide["003.txt"]["t3.new.total"] == same(9)  # reviewed, not the printed 0
    assert wide["003.txt"]["t3.new.natural"] == same(8)
    assert wide["003.txt"]["n_reviewed"] == same(1)
    assert wide["004.txt"]["t2.fees.change"] == same(-2)
    amount = wide["004.txt"]["t2.procurement.amount_wan"]
    assert Decimal(str(amount)) == Decimal("373.9265")
    assert wide["004.txt"]["t2.rules.issued"] in (None, "")  # a 2021 key on a 2019 report
    cells = [r for r in _read(fmt, out / f"cells.{fmt}") if r["source_name"] == "003.txt"]
    assert len(cells) == 200
    fixed = next(r for r in cells if r["key"] == "t3.new.total")
    assert (fixed["value"], fixed["extracted_value"], fixed["review_state"]) == ("9", "0", "fixed")
    assert "breaks t3.row_sum[new]" in fixed["reasons"] and fixed["status"] == "flagged"


def test_export_filters_by_status_and_rejects_a_missing_store(
    db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out"
    assert main(["export", "--db", str(db), "--out", str(out), "--status", "accepted"]) == 0
    names = [r["source_name"] for r in _read("csv", out / "reports.csv")]
    assert names == ["004.txt"]
    assert main(["export", "--db", str(tmp_path / "none.db")]) == 2
    assert "no such store" in capsys.readouterr().err
