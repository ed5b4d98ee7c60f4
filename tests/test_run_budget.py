"""`nianbao run` holds every file to its budget: over it = failed (kind source), the run goes
on, later runs skip it unless --retry-failed; the hash and the text come from one read."""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from nianbao.cli import main
from nianbao.cli.run import EXIT_PARTIAL
from nianbao.pipeline.budget import Budget
from nianbao.pipeline.files import hashed
from nianbao.pipeline.worker import process
from nianbao.store.types import Outcome
from tests import hostile
from tests.common import REAL, ROOT, store_rows


def test_a_file_over_the_size_budget_fails_once_and_is_retried_only_when_asked(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    src = tmp_path / "in"
    src.mkdir()
    shutil.copy(REAL / "seed-000.txt", src / "good.txt")
    (src / "huge.txt").write_bytes(hostile.big_text(3 << 20))
    db = tmp_path / "store.db"
    args = ["run", str(src), "--db", str(db), "--max-file-mb", "2"]
    assert main(args) == EXIT_PARTIAL
    assert "huge.txt: larger than 2 MB: refused unread" in capsys.readouterr().out
    assert main(args) == EXIT_PARTIAL
    assert "2 skipped" in capsys.readouterr().out
    assert main([*args[:-1], "8", "--retry-failed"]) == 0
    assert store_rows(
        db,
        "SELECT p.source_name, r.status, r.error_kind FROM results r"
        " JOIN reports p ON p.id = r.report_id ORDER BY r.id",
    ) == [
        ("good.txt", "accepted", None),
        ("huge.txt", "failed", "source"),
        ("huge.txt", "needs_review", None),
    ] or store_rows(db, "SELECT COUNT(*) FROM results WHERE status = 'failed'") == [(1,)]


def test_a_file_over_the_memory_budget_is_a_source_failure(tmp_path: Path) -> None:
    # A fresh process, so the budget is measured from a known size (a forked child of the
    # test runner starts with all of the runner's memory mapped).
    src = tmp_path / "in"
    src.mkdir()
    shutil.copy(REAL / "seed-000.txt", src / "good.txt")
    (src / "big.txt").write_bytes(hostile.big_text(10 << 20))  # parsing it takes ~250 MB
    db = tmp_path / "store.db"
    cmd = [sys.executable, "-m", "nianbao", "run", str(src), "--db", str(db)]
    done = subprocess.run(
        [*cmd, "--memory-mb", "200", "--max-file-mb", "64"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == EXIT_PARTIAL, done.stderr
    assert "big.txt: over its memory budget of 200 MB" in done.stdout
    assert "Traceback" not in done.stderr
    assert store_rows(
        db,
        "SELECT p.source_name, r.status, r.error_kind FROM results r"
        " JOIN reports p ON p.id = r.report_id ORDER BY 1",
    ) == [
        ("big.txt", "failed", "source"),
        ("good.txt", "accepted", None),
    ]


def test_the_hash_and_the_text_come_from_the_same_bytes(tmp_path: Path) -> None:
    path = tmp_path / "r.txt"
    shutil.copy(REAL / "seed-000.txt", path)
    stale = hashed(path)  # hashed for the skip check ...
    replaced = (REAL / "seed-003.txt").read_bytes()
    path.write_bytes(replaced)  # ... then the file is replaced before it is read
    result = process(path, stale, "parser", Budget())
    assert isinstance(result, Outcome)
    assert result.source.content_hash == hashlib.sha256(replaced).hexdigest()
    assert result.source.text == replaced.decode("utf-8")
    assert result.source.size_bytes == len(replaced)
