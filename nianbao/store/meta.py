"""Reviewing a report's meta (`meta.organ`, `meta.year`): the gold export and the series
check depend on them. The layout (`meta.template`) is not editable here: a different
layout is a different set of cells, so the report is re-run instead."""

from __future__ import annotations

import re

from nianbao.store.db import Conn, Row
from nianbao.store.types import StaleEdit, StoreError

FIELDS = ("meta.organ", "meta.year")
_SPACE = re.compile(r"\s+")


def parse_meta(key: str, raw: object) -> str | None:
    """A reviewer's input as stored text: the organ without whitespace, the year as digits."""
    if key not in FIELDS:
        if key == "meta.template":
            raise StoreError("meta.template cannot be changed in review: re-run the report")
        raise StoreError(f"{key}: not a reviewable meta field ({', '.join(FIELDS)})")
    text = "" if raw is None else _SPACE.sub("", str(raw))
    if not text:
        return None
    if key == "meta.year" and (not text.isdigit() or not 1990 <= int(text) <= 2100):
        raise StoreError(f"meta.year: {raw!r} is not a year between 1990 and 2100")
    return text


def get_meta(conn: Conn, result_id: int, key: str) -> str | None:
    column = key.removeprefix("meta.")
    value = conn.execute(f"SELECT {column} FROM results WHERE id = ?", (result_id,)).fetchone()[0]
    return None if value is None else str(value)


def set_meta(conn: Conn, result_id: int, key: str, text: str | None) -> None:
    column = key.removeprefix("meta.")
    value: str | int | None = int(text) if column == "year" and text is not None else text
    conn.execute(f"UPDATE results SET {column} = ? WHERE id = ?", (value, result_id))


def check_version(result: Row, expected: int | None, key: str) -> None:
    if expected is not None and result["version"] != expected:
        raise StaleEdit(
            f"{key}: the report changed since you loaded it (version {result['version']}, "
            f"you saw {expected}): reload before deciding"
        )


def undo_meta(conn: Conn, decision: Row) -> None:
    """Put the meta value back, if nobody changed it again since."""
    now = get_meta(conn, decision["result_id"], decision["key"])
    if now != decision["new_value"]:
        raise StaleEdit(
            f"{decision['key']} was changed again after decision {decision['id']} "
            f"(now {now}): undo the later change first"
        )
    set_meta(conn, decision["result_id"], decision["key"], decision["old_value"])


def carry_meta(conn: Conn, previous: int, result_id: int) -> list[tuple]:
    """Meta fixes standing on `previous`, applied to `result_id`: [(key, old, new, who, id)]."""
    out = []
    for key in FIELDS:
        row = conn.execute(
            "SELECT id, reviewer FROM decisions WHERE result_id = ? AND key = ? AND kind = 'fix'"
            " AND undone_by IS NULL ORDER BY id DESC LIMIT 1",
            (previous, key),
        ).fetchone()
        if row is None:
            continue
        value, old = get_meta(conn, previous, key), get_meta(conn, result_id, key)
        if value != old:
            set_meta(conn, result_id, key, value)
            out.append((key, old, value, row["reviewer"], row["id"]))
    return out
