"""Replacing a result's rule findings and suspects (used on write and on every re-check)."""

from __future__ import annotations

import json
from collections.abc import Iterable

from nianbao.store.db import Conn
from rules.findings import Finding, Suspect


def write_check(
    conn: Conn,
    result_id: int,
    findings: Iterable[Finding],
    suspects: Iterable[Suspect],
) -> None:
    """Replace a result's rule findings and suspects (series findings are kept)."""
    conn.execute("DELETE FROM findings WHERE result_id = ? AND origin = 'rules'", (result_id,))
    conn.execute("DELETE FROM suspects WHERE result_id = ?", (result_id,))
    conn.executemany(
        "INSERT INTO findings (result_id, origin, rule, family, severity, status, cells,"
        " equation) VALUES (?, 'rules', ?, ?, ?, ?, ?, ?)",
        [
            (
                result_id,
                f.rule,
                f.family,
                f.severity.value,
                f.status.value,
                json.dumps(f.cells),
                f.equation,
            )
            for f in findings
        ],
    )
    conn.executemany(
        "INSERT INTO suspects (result_id, rank, body) VALUES (?, ?, ?)",
        [(result_id, s.rank or n + 1, s.model_dump_json()) for n, s in enumerate(suspects)],
    )
