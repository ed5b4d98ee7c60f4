"""Never a traceback: a full disk, a damaged store and hostile inputs each give one line and
the documented exit code; a full disk loses nothing stored and leaves no half-written file.

The full disk is real: a tiny tmpfs mounted for the test (the tests run as root in CI)."""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from nianbao.cli import main
from nianbao.cli.faults import EXIT_STORE
from tests import hostile
from tests.common import REAL, ROOT, store_rows


def _nianbao(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "nianbao", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )


def _one_line(err: str) -> str:
    lines = err.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in err, err
    return lines[0]


@pytest.fixture
def tiny_disk(tmp_path: Path) -> Iterator[Path]:
    """A 1 MB tmpfs, mounted for the test and unmounted after."""
    disk = tmp_path / "disk"
    disk.mkdir()
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(disk)], check=True)
    try:
        yield disk
    finally:
        subprocess.run(["umount", "-l", str(disk)], check=False)


def _fill(disk: Path) -> None:
    """Fill the disk to the last byte."""
    with (disk / "filler").open("wb", buffering=0) as handle:
        try:
            while True:
                handle.write(b"\0" * 4096)
        except OSError:
            pass


def _reports(folder: Path, n: int) -> Path:
    folder.mkdir()
    base = (REAL / "seed-000.txt").read_text(encoding="utf-8")
    for i in range(n):
        (folder / f"r{i:03d}.txt").write_text(base + f"\n（第{i}份）\n", encoding="utf-8")
    return folder


def test_run_on_a_full_disk_is_one_line_and_loses_nothing(tmp_path: Path, tiny_disk: Path) -> None:
    src = _reports(tmp_path / "in", 60)
    db = tiny_disk / "store.db"
    first = _nianbao("run", str(src), "--db", str(db))
    assert first.returncode == EXIT_STORE, first.stderr
    assert "the disk is full" in _one_line(first.stderr)
    stored = store_rows(db, "SELECT id, report_id FROM results ORDER BY id")
    assert 0 < len(stored) < 60
    assert store_rows(db, "PRAGMA integrity_check") == [("ok",)]
    assert store_rows(  # every stored report is whole
        db,
        "SELECT COUNT(*) FROM results r WHERE (SELECT COUNT(*) FROM cells c"
        " WHERE c.result_id = r.id) != 198",
    ) == [(0,)]
    subprocess.run(["mount", "-o", "remount,size=64m", str(tiny_disk)], check=True)
    second = _nianbao("run", str(src), "--db", str(db))
    assert second.returncode == 0, second.stderr
    assert store_rows(db, "SELECT id, report_id FROM results ORDER BY id")[: len(stored)] == stored
    assert store_rows(db, "SELECT COUNT(*), COUNT(DISTINCT report_id) FROM results") == [(60, 60)]
    assert store_rows(db, "SELECT status FROM runs ORDER BY id") == [("interrupted",), ("ok",)]


def test_extract_on_a_full_disk_leaves_the_old_output_and_no_half_file(
    tmp_path: Path, tiny_disk: Path
) -> None:
    src = tmp_path / "r.txt"
    shutil.copy(REAL / "seed-000.txt", src)
    (tiny_disk / "r.json").write_text("old\n", encoding="utf-8")
    _fill(tiny_disk)
    done = _nianbao("extract", str(src), "--out", str(tiny_disk))
    assert done.returncode == EXIT_STORE
    assert "cannot write (No space left on device)" in _one_line(done.stderr)
    assert (tiny_disk / "r.json").read_text(encoding="utf-8") == "old\n"
    assert sorted(p.name for p in tiny_disk.iterdir()) == ["filler", "r.json"]


def test_export_on_a_full_disk_leaves_no_half_table(tmp_path: Path, tiny_disk: Path) -> None:
    src = _reports(tmp_path / "in", 3)
    db = tmp_path / "store.db"
    assert main(["run", str(src), "--db", str(db)]) == 0
    _fill(tiny_disk)
    done = _nianbao("export", "--db", str(db), "--out", str(tiny_disk))
    assert done.returncode == EXIT_STORE
    assert "cannot write (No space left on device)" in _one_line(done.stderr)
    assert sorted(p.name for p in tiny_disk.iterdir()) == ["filler"]


def _damage(db: Path, tables: tuple[str, ...]) -> None:
    """Overwrite every page of `tables` with garbage, as a bad sector would."""
    conn = sqlite3.connect(db)
    marks = ",".join("?" * len(tables))
    pages = [
        p for (p,) in conn.execute(f"SELECT pageno FROM dbstat WHERE name IN ({marks})", tables)
    ]
    size = conn.execute("PRAGMA page_size").fetchone()[0]
    conn.close()
    with db.open("r+b") as handle:
        for page in pages:
            handle.seek((page - 1) * size)
            handle.write(b"\xa5" * size)


@pytest.mark.parametrize("command", ["run", "export"])
def test_a_damaged_store_is_one_line(tmp_path: Path, command: str) -> None:
    src = _reports(tmp_path / "in", 3)
    db = tmp_path / "store.db"
    assert main(["run", str(src), "--db", str(db)]) == 0
    _damage(db, ("reports", "results", "cells"))
    out = tmp_path / "export"
    args = ["run", str(src)] if command == "run" else ["export", "--out", str(out)]
    done = _nianbao(*args, "--db", str(db))
    assert done.returncode == EXIT_STORE
    assert "the store is damaged (SQLite: database disk image is malformed)" in _one_line(
        done.stderr
    )
    assert not out.exists() or [p.name for p in out.iterdir()] == []


def test_extract_reads_glued_digits_and_refuses_a_huge_docx_node_in_one_line(
    tmp_path: Path,
) -> None:
    glued = tmp_path / "glued.txt"
    glued.write_text(hostile.glued_digits(5_000), encoding="utf-8")
    node = tmp_path / "node.docx"
    node.write_bytes(hostile.docx_bomb(11 << 20))
    done = _nianbao("extract", str(glued), str(node), "--out", str(tmp_path / "out"))
    assert done.returncode == 2  # one file failed
    assert "node.docx: not a readable .docx" in _one_line(done.stderr)
    assert (tmp_path / "out" / "glued.json").is_file()
