"""Work items that queue workers claim: one worker per item at a time, on any number of machines.

A worker takes an item with `claim` (Postgres: SELECT ... FOR UPDATE SKIP LOCKED, so two
workers claiming at once never wait for, nor take, each other's rows; SQLite: its one writer
at a time does the same), holds it for a lease, and ends it with `finish`. A worker killed
mid-report never finishes: when its lease runs out the item can be claimed again, at most
`max_attempts` times in all (2: the job is retried once), then it is marked failed.

Leases are UTC timestamps from the claiming machine's clock: keep the machines' clocks in
step (NTP) and the lease well above the longest report (`nianbao run --timeout`, 300 s).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from nianbao.store.db import Database, Row
from nianbao.store.migrations import now
from nianbao.store.types import LostClaim, StoreError, UnknownReport

LEASE_SECONDS = 900.0
MAX_ATTEMPTS = 2
STATES = ("queued", "claimed", "done", "failed")


@dataclass(frozen=True)
class WorkItem:
    id: int
    key: str
    payload: dict[str, Any]
    state: str  # queued | claimed | done | failed
    worker: str | None
    attempts: int  # claims so far
    lease_until: str | None
    error: str | None
    result_id: int | None


def _item(row: Row) -> WorkItem:
    return WorkItem(
        id=row["id"],
        key=row["key"],
        payload=json.loads(row["payload"]),
        state=row["state"],
        worker=row["worker"],
        attempts=row["attempts"],
        lease_until=row["lease_until"],
        error=row["error"],
        result_id=row["result_id"],
    )


def _later(seconds: float) -> str:
    moment = datetime.now(UTC) + timedelta(seconds=seconds)
    return moment.isoformat(timespec="milliseconds")


def _who(worker: str) -> str:
    worker = (worker or "").strip()
    if not worker:
        raise StoreError("a claim needs the worker's name (e.g. host:pid)")
    return worker


def insert_item(conn: Any, key: str, payload: dict[str, Any] | None, stamp: str) -> WorkItem:
    """`enqueue` inside the caller's transaction (a job and its item are written together)."""
    conn.execute(
        "INSERT INTO work_items (key, payload, created_at, updated_at)"
        " VALUES (?, ?, ?, ?) ON CONFLICT (key) DO NOTHING",
        (key, json.dumps(payload or {}, ensure_ascii=False, sort_keys=True), stamp, stamp),
    )
    return _item(conn.execute("SELECT * FROM work_items WHERE key = ?", (key,)).fetchone())


class WorkQueue:
    """Enqueue, claim, renew, finish, release; mixed into `Store`."""

    db: Database

    def enqueue(self, key: str, payload: dict[str, Any] | None = None) -> WorkItem:
        """Add a unit of work under `key`; an existing key is returned as it stands (so a
        resubmitted job is one item, not two)."""
        with self.db.transaction(serial=False) as conn:
            return insert_item(conn, key, payload, now())

    def claim(
        self,
        worker: str,
        *,
        key: str | None = None,
        limit: int = 1,
        lease_seconds: float = LEASE_SECONDS,
        max_attempts: int = MAX_ATTEMPTS,
    ) -> list[WorkItem]:
        """Up to `limit` items no other worker holds, oldest first (or the one under `key`):
        queued ones, and claimed ones whose lease ran out. [] when there is none to take."""
        worker = _who(worker)
        stamp, until = now(), _later(lease_seconds)
        skip_locked = " FOR UPDATE SKIP LOCKED" if self.db.dialect == "postgresql" else ""
        where, params = "", [stamp, max_attempts]
        if key is not None:
            where, params = " AND key = ?", [*params, key]
        with self.db.transaction(serial=False) as conn:
            conn.execute(
                "UPDATE work_items SET state = 'failed', updated_at = ?,"
                " error = 'abandoned: the lease ran out ' || attempts || ' time(s)'"
                " WHERE state = 'claimed' AND lease_until < ? AND attempts >= ?",
                (stamp, stamp, max_attempts),
            )
            ids = [
                r[0]
                for r in conn.execute(
                    "SELECT id FROM work_items WHERE (state = 'queued'"
                    " OR (state = 'claimed' AND lease_until < ?)) AND attempts < ?"
                    f"{where} ORDER BY id LIMIT ?{skip_locked}",
                    [*params, int(limit)],
                ).fetchall()
            ]
            return [
                _item(
                    conn.execute(
                        "UPDATE work_items SET state = 'claimed', worker = ?, lease_until = ?,"
                        " attempts = attempts + 1, updated_at = ? WHERE id = ? RETURNING *",
                        (worker, until, stamp, item_id),
                    ).fetchone()
                )
                for item_id in ids
            ]

    def _held(self, conn: Any, item_id: int, worker: str) -> Row:
        row = conn.execute("SELECT * FROM work_items WHERE id = ?", (item_id,)).fetchone()
        if row is None:
            raise UnknownReport(f"no work item {item_id}")
        if row["state"] != "claimed" or row["worker"] != worker:
            holder = f"{row['state']}, worker {row['worker']}"
            raise LostClaim(f"work item {item_id} is no longer claimed by {worker} ({holder})")
        return row

    def renew(self, item_id: int, worker: str, lease_seconds: float = LEASE_SECONDS) -> WorkItem:
        """Extend the lease of an item this worker holds (a long report); LostClaim if not."""
        worker = _who(worker)
        with self.db.transaction(serial=False) as conn:
            self._held(conn, item_id, worker)
            row = conn.execute(
                "UPDATE work_items SET lease_until = ?, updated_at = ? WHERE id = ? RETURNING *",
                (_later(lease_seconds), now(), item_id),
            ).fetchone()
            return _item(row)

    def finish(
        self,
        item_id: int,
        worker: str,
        *,
        result_id: int | None = None,
        error: str | None = None,
    ) -> WorkItem:
        """Mark an item this worker holds done (or failed, with `error`); LostClaim when its
        lease ran out and another worker took it meanwhile."""
        worker = _who(worker)
        with self.db.transaction(serial=False) as conn:
            self._held(conn, item_id, worker)
            row = conn.execute(
                "UPDATE work_items SET state = ?, error = ?, result_id = ?, lease_until = NULL,"
                " updated_at = ? WHERE id = ? RETURNING *",
                ("failed" if error else "done", error, result_id, now(), item_id),
            ).fetchone()
            return _item(row)

    def release(self, item_id: int, worker: str) -> WorkItem:
        """Hand an item back unprocessed (a worker shutting down): queued again, the attempt
        not counted."""
        worker = _who(worker)
        with self.db.transaction(serial=False) as conn:
            self._held(conn, item_id, worker)
            row = conn.execute(
                "UPDATE work_items SET state = 'queued', worker = NULL, lease_until = NULL,"
                " attempts = attempts - 1, updated_at = ? WHERE id = ? RETURNING *",
                (now(), item_id),
            ).fetchone()
            return _item(row)

    def expire(self, item_id: int, worker: str) -> WorkItem:
        """End the lease of an item this worker holds now, the attempt counted (its work
        raised): the next claim takes it again at once, or fails it after `max_attempts`."""
        worker = _who(worker)
        with self.db.transaction(serial=False) as conn:
            self._held(conn, item_id, worker)
            row = conn.execute(
                "UPDATE work_items SET lease_until = ?, updated_at = ? WHERE id = ? RETURNING *",
                (_later(-1.0), now(), item_id),
            ).fetchone()
            return _item(row)

    def work_item(self, key: str) -> WorkItem | None:
        with self.db.reading() as conn:
            row = conn.execute("SELECT * FROM work_items WHERE key = ?", (key,)).fetchone()
        return None if row is None else _item(row)

    def work_counts(self) -> dict[str, int]:
        """How many items are in each state."""
        out: dict[str, int] = dict.fromkeys(STATES, 0)
        with self.db.reading() as conn:
            for row in conn.execute("SELECT state, COUNT(*) FROM work_items GROUP BY state"):
                out[row[0]] = int(row[1])
        return out
