"""The store tells the truth after faults: a killed run is marked interrupted and leaves no
process behind; two runs on one store never process a file twice (the second is refused)."""

from __future__ import annotations

import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from nianbao.cli import main
from nianbao.store import open_store
from nianbao.store.runlock import run_lock
from tests.common import REAL, ROOT, store_rows


def _descendants(pid: int) -> set[int]:
    """Every live process below `pid`, from /proc."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        children.setdefault(ppid, []).append(int(entry))
    found, todo = set(), [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.add(child)
            todo.append(child)
    return found


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"  # a zombie has exited; only its parent's wait is missing


def test_a_second_run_on_the_same_store_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    src = tmp_path / "in"
    src.mkdir()
    shutil.copy(REAL / "seed-000.txt", src / "a.txt")
    db = tmp_path / "store.db"
    open_store(db).close()
    with run_lock(db):  # as a run in another process would hold it
        assert main(["run", str(src), "--db", str(db)]) == 4
    err = capsys.readouterr().err.strip()
    assert (
        err
        == (
            f"nianbao: {db}: another nianbao run is writing to it (pid {os.getpid()}, since "
            + err.split("since ", 1)[1]
        )
        and "\n" not in err
    )
    assert store_rows(db, "SELECT COUNT(*) FROM results") == [(0,)]
    assert main(["run", str(src), "--db", str(db)]) == 0  # free again once it is released


def test_a_killed_run_is_marked_interrupted_and_leaves_no_process(tmp_path: Path) -> None:
    src = tmp_path / "many"
    src.mkdir()
    base = (REAL / "seed-000.txt").read_text(encoding="utf-8")
    for n in range(120):
        (src / f"r{n:03d}.txt").write_text(base + f"\n（第{n}份）\n", encoding="utf-8")
    db = tmp_path / "store.db"
    cmd = [sys.executable, "-m", "nianbao", "run", str(src), "--db", str(db)]
    proc = subprocess.Popen(
        [*cmd, "--jobs", "2"], cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        deadline = time.monotonic() + 240  # generous: CI shares two cores with other work
        while time.monotonic() < deadline and proc.poll() is None:
            try:
                if store_rows(db, "SELECT COUNT(*) FROM results")[0][0] >= 3:
                    break
            except sqlite3.OperationalError:
                pass  # not created yet
            time.sleep(0.02)
        assert proc.poll() is None, "the run ended before it could be killed"
        below = _descendants(proc.pid)
        assert len(below) >= 2  # the two workers (and their children)
        os.kill(proc.pid, signal.SIGKILL)
    finally:
        proc.kill()
        proc.wait()
    deadline = time.monotonic() + 60  # the kernel kills them at once; a loaded CPU delays it
    while [p for p in below if _alive(p)] and time.monotonic() < deadline:
        time.sleep(0.02)
    assert [p for p in below if _alive(p)] == [], "worker processes outlived the run"
    assert store_rows(db, "SELECT status FROM runs") == [("running",)]  # as the kill left it

    second = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, check=False)
    assert second.returncode == 0, second.stderr
    assert store_rows(db, "SELECT status FROM runs ORDER BY id") == [("interrupted",), ("ok",)]
    assert store_rows(db, "SELECT COUNT(*), COUNT(DISTINCT report_id) FROM results") == [(120, 120)]
