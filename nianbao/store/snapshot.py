"""A store's stored results as plain data, free of what differs between two runs of the same
files (ids, timestamps, timings): to check that SQLite and Postgres hold the same thing.

`snapshot(store)` maps each report's content hash to its current result: status and counts,
every cell (value, status, reasons, both readings, span, review state), the findings and
suspects, the decisions; plus which path holds which content.
"""

from __future__ import annotations

import json
from typing import Any

from nianbao.store.db import Database

_RESULT = (
    "status",
    "review_status",
    "error_kind",
    "error",
    "organ",
    "year",
    "template",
    "n_broken",
    "n_disagreements",
    "n_low_confidence",
    "n_flagged",
    "n_warnings",
    "version",
)
_CELL = (
    "value",
    "status",
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
    "review_state",
    "reviewed_value",
    "version",
    "proof",
    "cause",
    "page",
    "box",
)
_FINDING = ("origin", "rule", "family", "severity", "status", "cells", "equation")
_DECISION = ("kind", "key", "old_value", "new_value", "old_state", "new_state", "reviewer")


def snapshot(store: Any) -> dict[str, Any]:
    """{"reports": {content_hash: {...}}, "paths": {path: content_hash}} (JSON-able)."""
    db: Database = store.db
    out: dict[str, Any] = {"reports": {}, "paths": {}}
    with db.reading() as conn:
        for row in conn.execute(
            "SELECT p.path, r.content_hash FROM source_paths p JOIN reports r ON r.id = p.report_id"
        ):
            out["paths"][row[0]] = row[1]
        heads = conn.execute(
            "SELECT r.id AS result_id, p.content_hash, p.source_name, p.media, p.size_bytes,"
            " p.superseded_by IS NOT NULL AS superseded, "
            + ", ".join(f"r.{c}" for c in _RESULT)
            + " FROM results r JOIN reports p ON p.id = r.report_id WHERE r.current = 1"
        ).fetchall()
        for head in heads:
            rid = head["result_id"]
            skip = ("result_id", "content_hash")
            entry = {k: head[k] for k in head.keys() if k not in skip}  # noqa: SIM118 - a row
            entry["superseded"] = bool(entry["superseded"])
            entry["cells"] = {
                c["key"]: [c[k] for k in _CELL]
                for c in conn.execute(
                    f"SELECT key, {', '.join(_CELL)} FROM cells WHERE result_id = ?", (rid,)
                )
            }
            entry["findings"] = sorted(
                [f[k] for k in _FINDING]
                for f in conn.execute(
                    f"SELECT {', '.join(_FINDING)} FROM findings WHERE result_id = ?", (rid,)
                )
            )
            entry["suspects"] = [
                [s["rank"], json.loads(s["body"])]
                for s in conn.execute(
                    "SELECT rank, body FROM suspects WHERE result_id = ? ORDER BY rank", (rid,)
                )
            ]
            entry["readings"] = sorted(
                [e[0], e[1]]
                for e in conn.execute(
                    "SELECT backend, extractor_version FROM extractions WHERE result_id = ?",
                    (rid,),
                )
            )
            entry["decisions"] = [
                [d[k] for k in _DECISION]
                for d in conn.execute(
                    f"SELECT {', '.join(_DECISION)} FROM decisions WHERE result_id = ? ORDER BY id",
                    (rid,),
                )
            ]
            out["reports"][head["content_hash"]] = entry
    return out
