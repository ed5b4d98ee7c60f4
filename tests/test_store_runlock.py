"""One `nianbao run` per store on both engines (an flock beside a SQLite file, a session
advisory lock on Postgres), and the service workers' runs are never taken for killed runs."""

from __future__ import annotations

import pytest

from nianbao.store import open_store
from nianbao.store.runlock import StoreBusy, store_run_lock


def test_a_second_run_on_the_same_store_is_refused_then_may_start(store_target) -> None:
    with open_store(store_target) as first, open_store(store_target) as second:
        with (
            store_run_lock(first.db),
            pytest.raises(StoreBusy, match="another nianbao run is writing to it"),
            store_run_lock(second.db),
        ):
            pass
        with store_run_lock(second.db):  # released: the next run goes ahead
            pass


def test_killed_runs_are_closed_but_a_live_service_worker_is_not(store_target) -> None:
    with open_store(store_target) as store:
        killed = store.begin_run("parser", "fp", {"backend": "parser"})
        worker = store.begin_run("parser", "fp", {"backend": "parser", "service_worker": "h:1"})
        assert store.close_killed_runs() == 1
        with store.db.reading() as conn:
            status = dict(conn.execute("SELECT id, status FROM runs").fetchall())
    assert status == {killed: "interrupted", worker: "running"}
