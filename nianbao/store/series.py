"""Cross-report checks: a body's carried-over applications against its previous year's
carried-forward ones (`t3.carried_over.*` this year = `t3.carried_forward.*` last year).

A mismatch is a warning on both reports, never an identity: bodies merge, split and restate.
Only current, non-failed results of the same organ (whitespace-insensitive; a name that ends
the other, such as 洪泽区人民政府 and 淮安市洪泽区人民政府, is the same body) are compared.
"""

from __future__ import annotations

import json

from nianbao.core.layout import T3_COLUMNS
from nianbao.store.db import Conn, Row
from rules.findings import Severity, Status

EFFECTIVE = "CASE WHEN c.review_state = 'fixed' THEN c.reviewed_value ELSE c.value END"
RULE = "series.carry"


def _row(conn: Conn, result_id: int) -> Row | None:
    return conn.execute(
        "SELECT r.id, r.organ, r.year, p.source_name FROM results r"
        " JOIN reports p ON p.id = r.report_id WHERE r.id = ?",
        (result_id,),
    ).fetchone()


# A body names itself with or without its higher levels ("淮安市洪泽区人民政府" one year,
# "洪泽区人民政府" the next): one name ending the other matches, when the shorter one is long
# enough to name a body on its own (not a bare "人民政府").
MIN_SUFFIX_CHARS = 5


def _neighbour(conn: Conn, organ: str, year: int) -> Row | None:
    """The newest current result of `organ` for `year`, if the store holds one: the same
    name first, else a name that ends the other."""
    # Suffixes with substr(x, length(x) - n + 1): the same on SQLite and Postgres (a negative
    # start, SQLite's shorthand, means something else on Postgres).
    n = len(organ)
    sql = (
        "SELECT r.id, r.organ, r.year, p.source_name FROM results r"
        " JOIN reports p ON p.id = r.report_id"
        " WHERE r.year = ? AND r.current = 1 AND r.status != 'failed'"
        " AND p.superseded_by IS NULL AND (r.organ = ?"
        "  OR (length(r.organ) >= ? AND length(r.organ) < ?"
        "      AND substr(CAST(? AS TEXT), ? - length(r.organ) + 1) = r.organ)"
    )
    params: list[object] = [year, organ, MIN_SUFFIX_CHARS, n, organ, n]
    if n >= MIN_SUFFIX_CHARS:
        sql += "  OR (length(r.organ) > ? AND substr(r.organ, length(r.organ) - ? + 1) = ?)"
        params += [n, n, organ]
    sql += ") ORDER BY r.organ = ? DESC, r.id DESC LIMIT 1"
    return conn.execute(sql, [*params, organ]).fetchone()


def _values(conn: Conn, result_id: int, row: str) -> dict[str, str | None]:
    found = conn.execute(
        f"SELECT c.key, {EFFECTIVE} AS v FROM cells c WHERE c.result_id = ? AND c.key LIKE ?",
        (result_id, f"t3.{row}.%"),
    ).fetchall()
    return {k: v for k, v in found}


def _mismatches(conn: Conn, prev: Row, this: Row) -> list[tuple[str, str]]:
    """(column, readable equation) for every column whose carry does not match."""
    before = _values(conn, prev["id"], "carried_forward")
    after = _values(conn, this["id"], "carried_over")
    out = []
    for col in (c.name for c in T3_COLUMNS):
        fwd, over = before.get(f"t3.carried_forward.{col}"), after.get(f"t3.carried_over.{col}")
        if fwd is None or over is None or int(fwd) == int(over):
            continue
        out.append(
            (
                col,
                f"{RULE}[{col}]: {prev['year']} carried forward {fwd} ({prev['source_name']}), "
                f"{this['year']} carried over {over} ({this['source_name']})",
            )
        )
    return out


def _recompute(conn: Conn, row: Row) -> None:
    """Replace the series warnings of one result (it owns the ones naming its own cells)."""
    conn.execute("DELETE FROM findings WHERE result_id = ? AND origin = 'series'", (row["id"],))
    found = []
    prev = _neighbour(conn, row["organ"], row["year"] - 1)
    if prev is not None:
        found += [(col, "carried_over", text) for col, text in _mismatches(conn, prev, row)]
    nxt = _neighbour(conn, row["organ"], row["year"] + 1)
    if nxt is not None:
        found += [(col, "carried_forward", text) for col, text in _mismatches(conn, row, nxt)]
    conn.executemany(
        "INSERT INTO findings (result_id, origin, rule, family, severity, status, cells,"
        " equation) VALUES (?, 'series', ?, ?, ?, ?, ?, ?)",
        [
            (
                row["id"],
                f"{RULE}[{col}]",
                RULE,
                Severity.WARNING.value,
                Status.FAILED.value,
                json.dumps([f"t3.{part}.{col}"]),
                text,
            )
            for col, part, text in found
        ],
    )
    conn.execute(
        "UPDATE results SET n_warnings = (SELECT COUNT(*) FROM findings f"
        " WHERE f.result_id = results.id AND f.severity = 'warning') WHERE id = ?",
        (row["id"],),
    )


def refresh_series(conn: Conn, result_id: int) -> None:
    """Recompute the series warnings of a result and of its previous and next years."""
    row = _row(conn, result_id)
    if row is None or row["organ"] is None or row["year"] is None:
        return
    rows = [row]
    for year in (row["year"] - 1, row["year"] + 1):
        other = _neighbour(conn, row["organ"], year)
        if other is not None:
            rows.append(other)
    for each in rows:
        _recompute(conn, each)
