"""Export the store: a wide table (one row per report) and a long one (one row per cell).

Values are the current ones: where a person fixed a cell, the reviewed value. Rows are
written as they are read, one report at a time, so an export never holds the whole store.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Any

from nianbao.core.layout import LAYOUTS, ValueKind
from nianbao.pipeline.safe_values import csv_field, json_value, xlsx_cell
from nianbao.store import ReportSummary, Store
from nianbao.store.db import Row
from nianbao.store.values import decode

FORMATS = ("csv", "jsonl", "parquet", "xlsx")
META_COLUMNS = (
    "report_id",
    "source_name",
    "source_path",
    "organ",
    "year",
    "template",
    "status",
    "review_status",
    "n_broken",
    "n_flagged",
    "n_reviewed",
    "error",
)
CELL_COLUMNS = (
    "report_id",
    "source_name",
    "organ",
    "year",
    "template",
    "key",
    "value",
    "extracted_value",
    "review_state",
    "status",
    "proof",
    "cause",
    "reasons",
    "agreement",
    "parser_value",
    "llm_value",
    "span_start",
    "span_end",
    "snippet",
    "method",
    "alignment",
    "confidence",
)
BATCH = 500  # rows per parquet row group


@cache
def cell_keys() -> tuple[str, ...]:
    """Every canonical key of either layout, part by part, 2019's order then 2021's extras."""
    out: dict[str, None] = {}
    for part in ("t2", "t3", "t4"):
        for layout in LAYOUTS.values():
            out.update((k, None) for k in layout.keys if k.startswith(part + "."))
    return tuple(out)


@cache
def amount_keys() -> frozenset[str]:
    return frozenset(
        s.key for layout in LAYOUTS.values() for s in layout.cells if s.kind is ValueKind.AMOUNT
    )


def _status(s: ReportSummary) -> str:
    if s.status == "failed":
        return "failed"
    return "reviewed" if s.review_status != "pending" else s.status


def _effective(template: str, cell: Row) -> Any:
    text = cell["reviewed_value"] if cell["review_state"] == "fixed" else cell["value"]
    return decode(template, cell["key"], text)


def wide_rows(store: Store, statuses: list[str] | None) -> Iterator[dict[str, Any]]:
    for s, cells in store.iter_current(statuses):
        row: dict[str, Any] = {
            "report_id": s.report_id,
            "source_name": s.source_name,
            "source_path": s.source_path,
            "organ": s.organ,
            "year": s.year,
            "template": s.template,
            "status": _status(s),
            "review_status": s.review_status,
            "n_broken": s.n_broken,
            "n_flagged": s.n_flagged,
            "n_reviewed": sum(1 for c in cells if c["review_state"] != "none"),
            "error": s.error,
        }
        row.update(dict.fromkeys(cell_keys()))
        for c in cells:
            row[c["key"]] = _effective(s.template or "", c)
        yield row


def long_rows(store: Store, statuses: list[str] | None) -> Iterator[dict[str, Any]]:
    for s, cells in store.iter_current(statuses):
        if s.template is None:
            continue
        order = {k: n for n, k in enumerate(LAYOUTS[s.template].keys)}
        for c in sorted(cells, key=lambda c: order[c["key"]]):
            value = _effective(s.template, c)
            yield {
                "report_id": s.report_id,
                "source_name": s.source_name,
                "organ": s.organ,
                "year": s.year,
                "template": s.template,
                "key": c["key"],
                "value": None if value is None else str(value),
                "extracted_value": c["value"],
                "review_state": c["review_state"],
                "status": c["status"],
                "proof": c["proof"],
                "cause": c["cause"],
                "reasons": "; ".join(json.loads(c["reasons"])),
                "agreement": c["agreement"],
                "parser_value": c["parser_value"],
                "llm_value": c["llm_value"],
                "span_start": c["span_start"],
                "span_end": c["span_end"],
                "snippet": c["snippet"],
                "method": c["method"],
                "alignment": c["alignment"],
                "confidence": c["confidence"],
            }


# ---- writers (each value through nianbao.pipeline.safe_values) --------------------------------
def _write_csv(path: Path, columns: tuple[str, ...], rows: Iterator[dict[str, Any]]) -> int:
    n = 0
    with path.open("w", encoding="utf-8-sig", newline="") as handle:  # BOM: Excel reads UTF-8
        writer = csv.DictWriter(handle, fieldnames=columns)
        writer.writeheader()
        for row in rows:
            writer.writerow({k: csv_field(v) for k, v in row.items()})
            n += 1
    return n


def _write_jsonl(path: Path, columns: tuple[str, ...], rows: Iterator[dict[str, Any]]) -> int:
    n = 0
    with path.open("w", encoding="utf-8") as handle:
        for row in rows:
            handle.write(json.dumps({k: json_value(row[k]) for k in columns}, ensure_ascii=False))
            handle.write("\n")
            n += 1
    return n


def _arrow_schema(columns: tuple[str, ...]) -> Any:
    import pyarrow as pa

    ints = {"report_id", "year", "n_broken", "n_flagged", "n_reviewed", "span_start", "span_end"}
    fields = []
    for name in columns:
        if name in ints or (name in cell_keys() and name not in amount_keys()):
            fields.append(pa.field(name, pa.int64()))
        elif name in amount_keys():
            fields.append(pa.field(name, pa.decimal128(38, 18)))  # exact 万元 amounts
        elif name == "confidence":
            fields.append(pa.field(name, pa.float64()))
        else:
            fields.append(pa.field(name, pa.string()))
    return pa.schema(fields)


def _write_parquet(path: Path, columns: tuple[str, ...], rows: Iterator[dict[str, Any]]) -> int:
    import pyarrow as pa
    import pyarrow.parquet as pq

    schema = _arrow_schema(columns)
    n = 0
    with pq.ParquetWriter(path, schema) as writer:
        batch: list[dict[str, Any]] = []
        for row in rows:
            batch.append(row)
            n += 1
            if len(batch) >= BATCH:
                writer.write_table(pa.Table.from_pylist(batch, schema=schema))
                batch = []
        writer.write_table(pa.Table.from_pylist(batch, schema=schema))
    return n


def _write_xlsx(path: Path, columns: tuple[str, ...], rows: Iterator[dict[str, Any]]) -> int:
    from openpyxl import Workbook

    book = Workbook(write_only=True)  # streams rows to disk
    sheet = book.create_sheet("data")
    sheet.append(list(columns))
    n = 0
    for row in rows:
        sheet.append([xlsx_cell(sheet, row[k]) for k in columns])
        n += 1
    book.save(path)
    return n


WRITERS = {"csv": _write_csv, "jsonl": _write_jsonl, "parquet": _write_parquet, "xlsx": _write_xlsx}


TABLES = ("reports", "cells")


def write_table(
    store: Store, fmt: str, table: str, path: Path, statuses: list[str] | None = None
) -> int:
    """Write one table to `path`: "reports" (wide, a row per report) or "cells" (long)."""
    write = WRITERS[fmt]
    if table == "reports":
        return write(path, (*META_COLUMNS, *cell_keys()), wide_rows(store, statuses))
    if table == "cells":
        return write(path, CELL_COLUMNS, long_rows(store, statuses))
    raise ValueError(f"unknown table {table!r}: expected one of {', '.join(TABLES)}")


def export(
    store: Store, fmt: str, out: Path, statuses: list[str] | None = None
) -> dict[str, tuple[Path, int]]:
    """Write `out/reports.<fmt>` (wide) and `out/cells.<fmt>` (long); {table: (path, rows)}."""
    out.mkdir(parents=True, exist_ok=True)
    written = {}
    for table in TABLES:
        path = out / f"{table}.{fmt}"
        written[table] = (path, write_table(store, fmt, table, path, statuses))
    return written
