"""Paths and a store query shared by the tests that drive whole runs."""

from __future__ import annotations

import sqlite3
from pathlib import Path

ROOT = Path(__file__).parent.parent
REAL = ROOT / "eval" / "data" / "real"


def store_rows(db: Path, sql: str) -> list[tuple]:
    """Rows of `sql` on the SQLite store at `db`, read with a fresh connection (what a user
    inspecting the store after the run would see)."""
    conn = sqlite3.connect(db)
    try:
        return conn.execute(sql).fetchall()
    finally:
        conn.close()
