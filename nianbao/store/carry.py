"""Carrying a person's review over to a new result of the same report (a re-run with a new
parser, model or prompt): the source is byte for byte the same, so what a reviewer read in
it still holds. Each carried change is logged as a decision naming where it came from.
"""

from __future__ import annotations

from nianbao.store.db import Conn
from nianbao.store.meta import carry_meta
from nianbao.store.migrations import now
from nianbao.store.recheck import current_values, recheck


def _reviewer(conn: Conn, result_id: int, key: str | None) -> tuple[str, int | None]:
    """Who made the standing decision on `key` (None: the report's verdict), and its id."""
    # `key IS ?` reads NULL as NULL on SQLite only: spell the two cases out for Postgres
    match, params = ("key IS NULL", (result_id,)) if key is None else ("key = ?", (result_id, key))
    row = conn.execute(
        f"SELECT id, reviewer FROM decisions WHERE result_id = ? AND {match} AND kind != 'undo'"
        " AND undone_by IS NULL ORDER BY id DESC LIMIT 1",
        params,
    ).fetchone()
    return (row["reviewer"], row["id"]) if row else ("unknown", None)


def _log(
    conn: Conn,
    result_id: int,
    kind: str,
    key: str | None,
    old: tuple[str | None, str],
    new: tuple[str | None, str],
    who: tuple[str, int | None],
    source_result: int,
    version_after: int,
) -> None:
    reason = f"carried over from result {source_result}" + (
        f" (decision {who[1]})" if who[1] else ""
    )
    conn.execute(
        "INSERT INTO decisions (result_id, kind, key, old_value, new_value, old_state,"
        " new_state, reviewer, reason, created_at, version_after)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            result_id,
            kind,
            key,
            old[0],
            new[0],
            old[1],
            new[1],
            who[0],
            reason,
            now(),
            version_after,
        ),
    )


def carry_reviews(conn: Conn, previous: int, result_id: int) -> bool:
    """Copy fixed cells, accepted cells whose value is unchanged, and the report's verdict when
    the values it was given on are the values now. True when anything was carried."""
    carried = False
    reviewed = conn.execute(
        "SELECT key, value, review_state, reviewed_value FROM cells"
        " WHERE result_id = ? AND review_state != 'none'",
        (previous,),
    ).fetchall()
    for old in reviewed:
        new = conn.execute(
            "SELECT value FROM cells WHERE result_id = ? AND key = ?", (result_id, old["key"])
        ).fetchone()
        if new is None:  # the new reading chose another layout: the key is not there
            continue
        fixed = old["review_state"] == "fixed"
        if not fixed and new["value"] != old["value"]:
            continue  # a confirmation of a value the new reading no longer has
        conn.execute(
            "UPDATE cells SET review_state = ?, reviewed_value = ?, version = version + 1"
            " WHERE result_id = ? AND key = ?",
            (old["review_state"], old["reviewed_value"], result_id, old["key"]),
        )
        _log(
            conn,
            result_id,
            "fix" if fixed else "accept_cell",
            old["key"],
            (new["value"], "none"),
            (old["reviewed_value"] if fixed else new["value"], old["review_state"]),
            _reviewer(conn, previous, old["key"]),
            previous,
            1,
        )
        carried = True
    for key, old_text, new_text, who, decision_id in carry_meta(conn, previous, result_id):
        _log(
            conn,
            result_id,
            "fix",
            key,
            (old_text, "none"),
            (new_text, "fixed"),
            (who, decision_id),
            previous,
            1,
        )
        carried = True
    verdict = conn.execute(
        "SELECT review_status FROM results WHERE id = ?", (previous,)
    ).fetchone()[0]
    if verdict != "pending" and (
        current_values(conn, previous).cells == current_values(conn, result_id).cells
    ):
        conn.execute("UPDATE results SET review_status = ? WHERE id = ?", (verdict, result_id))
        kind = "accept_report" if verdict == "accepted" else "accept_with_source_error"
        _log(
            conn,
            result_id,
            kind,
            None,
            (None, "pending"),
            (None, verdict),
            _reviewer(conn, previous, None),
            previous,
            1,
        )
        carried = True
    if carried:
        recheck(conn, result_id)
    return carried
