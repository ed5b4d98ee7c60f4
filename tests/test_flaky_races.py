"""The two races that made CI flaky, each provoked deterministically.

1. A worker process dies while `submit` is starting its replacement: CPython's manager thread
   closes the call queue that `submit` is pickling for the new worker, and `submit` raises
   `OSError: handle is closed` instead of `BrokenProcessPool`.
2. Ctrl-C lands inside a store transaction's exit, before COMMIT: the transaction stayed open
   and the run's final "interrupted" write failed with a traceback (exit 1, not 130).
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import time
from pathlib import Path

import pytest

from nianbao.pipeline.files import discover, iter_sources
from nianbao.pipeline.runner import _Pool
from nianbao.pipeline.worker import Failure
from nianbao.store.db import Database, interrupts_deferred

REAL = Path(__file__).parent.parent / "eval" / "data" / "real"


def _wait(condition, what: str, seconds: float = 60.0) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, f"gave up waiting for {what}"
        time.sleep(0.01)


def test_a_pool_that_breaks_inside_submit_is_rebuilt(tmp_path: Path) -> None:
    src = tmp_path / "in"
    src.mkdir()
    base = (REAL / "seed-000.txt").read_text(encoding="utf-8")
    for n in range(6):
        (src / f"r{n}.txt").write_text(base + f"\n（第{n}份）\n", encoding="utf-8")
    sources = list(iter_sources(discover([src])))

    pool = _Pool("parser", 2, timeout=None)
    first = pool.executor
    assert first is not None
    first.submit(os.getpid).result(timeout=120)  # one worker up and idle
    spawn = first._adjust_process_count  # type: ignore[attr-defined]
    provoked: list[str] = []

    def die_then_spawn() -> None:
        # The interleaving CI met by chance: submit has passed its "broken?" check; the only
        # worker dies and the manager thread tears the pool down (closing the call queue)
        # before submit pickles that queue for a replacement worker.
        if not provoked:
            for proc in list(first._processes.values()):  # type: ignore[attr-defined]
                os.kill(proc.pid, signal.SIGKILL)
            _wait(lambda: first._broken, "the pool to notice its dead worker")  # type: ignore[attr-defined]
            _wait(lambda: first._call_queue._reader.closed, "the call queue to close")  # type: ignore[attr-defined]
        try:
            spawn()
        except OSError as exc:
            provoked.append(str(exc))
            raise

    first._idle_worker_semaphore.acquire(blocking=False)  # type: ignore[attr-defined]  # none idle: spawn
    first._adjust_process_count = die_then_spawn  # type: ignore[method-assign]
    try:
        results = list(pool.results(iter(sources)))
    finally:
        pool.shutdown(wait_for_workers=True)
    assert provoked == ["handle is closed"]  # CPython raised it inside submit, as on CI
    assert pool.executor is not first
    assert len(results) == 6
    assert not [r for r in results if isinstance(r, Failure)]


def test_ctrl_c_inside_a_transaction_waits_for_its_commit(tmp_path: Path) -> None:
    db = Database(tmp_path / "s.db")
    db.conn.execute("CREATE TABLE t (x INTEGER)")
    with pytest.raises(KeyboardInterrupt), db.transaction() as conn:
        conn.execute("INSERT INTO t VALUES (1)")
        signal.raise_signal(signal.SIGINT)  # Ctrl-C mid-transaction
        conn.execute("INSERT INTO t VALUES (2)")  # the transaction still finishes
    assert not db.conn.in_transaction
    assert [r[0] for r in db.conn.execute("SELECT x FROM t")] == [1, 2]
    with db.transaction() as conn:  # the store is usable: the run can record "interrupted"
        conn.execute("INSERT INTO t VALUES (3)")
    db.close()


def test_deferral_restores_the_handler_and_stays_out_of_other_threads() -> None:
    before = signal.getsignal(signal.SIGINT)
    with interrupts_deferred():
        assert signal.getsignal(signal.SIGINT) is not before
    assert signal.getsignal(signal.SIGINT) is before
    seen: list[object] = []

    def in_thread() -> None:
        with interrupts_deferred():  # signal.signal would raise ValueError off the main thread
            seen.append(signal.getsignal(signal.SIGINT))

    import threading

    worker = threading.Thread(target=in_thread)
    worker.start()
    worker.join()
    assert seen == [before]
    assert multiprocessing.current_process().name == "MainProcess"


def test_ctrl_c_wrapped_by_a_library_still_stops_the_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """pydantic turns a KeyboardInterrupt raised in a serializer into its own error; the run
    must still stop as interrupted, not record the report as failed and go on."""
    import pydantic

    from nianbao.pipeline import runner, worker
    from nianbao.store import open_store

    class Interrupting(pydantic.BaseModel):
        x: int = 1

        @pydantic.field_serializer("x")
        def _ctrl_c(self, value: int) -> int:
            signal.raise_signal(signal.SIGINT)
            return value

    class Backend:
        name, version = "parser", "test"

        def extract(self, doc: object) -> object:
            Interrupting().model_dump_json()  # raises PydanticSerializationError, not KI
            raise AssertionError("unreachable")

    src = tmp_path / "in"
    src.mkdir()
    (src / "a.txt").write_text((REAL / "seed-000.txt").read_text("utf-8"), encoding="utf-8")
    store = open_store(tmp_path / "s.db")
    monkeypatch.setattr(worker, "extractors", lambda backend: {"parser": Backend()})
    monkeypatch.setattr(runner, "configuration", lambda backend: {"backend": backend})
    with pytest.raises(KeyboardInterrupt):
        runner.run(store, discover([src]), "parser", jobs=1, timeout=None)
    status = store.db.conn.execute("SELECT status FROM runs").fetchone()[0]
    failures = store.db.conn.execute("SELECT COUNT(*) FROM results").fetchone()[0]
    store.close()
    assert (status, failures) == ("interrupted", 0)


def test_a_worker_whose_run_died_before_it_started_exits() -> None:
    """A worker spawned just before the run was killed is re-parented while it imports; the
    pid its run handed down no longer matches its parent, so it exits instead of lingering."""
    import subprocess
    import sys

    gone = 2**22 + 1  # above Linux's default pid_max: no process has this pid
    code = (
        "from nianbao.pipeline.budget import die_with_parent\n"
        f"die_with_parent({gone})\n"
        "print('still running')\n"
    )
    child = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120
    )
    assert (child.returncode, child.stdout) == (1, "")
    ours = subprocess.run(
        [sys.executable, "-c", code.replace(str(gone), "__import__('os').getppid()")],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert (ours.returncode, ours.stdout) == (0, "still running\n")
