"""SQLite and Postgres behave the same: the same files give the same stored results, a
Postgres run resumes like a SQLite one, concurrent writers on one store lose nothing."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import psycopg
import pytest

from nianbao.cli import main
from nianbao.cli.run import EXIT_PARTIAL
from nianbao.core.models import CanonicalReport
from nianbao.store import open_store
from nianbao.store.location import is_postgres, libpq_url
from nianbao.store.snapshot import snapshot
from tests.pipeline_fixtures import extraction, gold, outcome

ROOT = Path(__file__).parent.parent
REAL = ROOT / "eval" / "data" / "real"


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """The bundled samples, a GBK copy, a copy under a second name, and two bad files."""
    src = tmp_path / "in"
    src.mkdir()
    for path in sorted((ROOT / "samples").glob("*.txt")):
        shutil.copy(path, src / path.name)
    text = (REAL / "seed-004.txt").read_text(encoding="utf-8")
    (src / "seed-004-gbk.txt").write_bytes(text.encode("gbk"))
    (src / "copy").mkdir()
    shutil.copy(REAL / "seed-000.txt", src / "copy" / "same-as-seed-000.txt")
    (src / "photo.txt").write_bytes(bytes(range(256)) * 8)
    (src / "empty.txt").write_bytes(b"")
    return src


def _review(target: str | Path) -> None:
    """The same reviewer's decisions, to compare the audit trail and re-checks too."""
    with open_store(target) as store:
        item = next(s for s in store.queue(status=None) if s.source_name == "seed-003.txt")
        view = store.load_report(item.report_id)
        cell = view.cells["t3.new.total"]
        store.record_decision(item.report_id, "t3.new.total", "ann", value=9,
                              expected_version=cell.version)  # fmt: skip
        store.record_decision(item.report_id, "t3.new.natural", "ann", kind="accept_cell")
        store.record_decision(item.report_id, "meta.organ", "bo", value="某街道办事处")


def test_the_same_files_give_the_same_stored_results_on_both_engines(
    folder: Path, tmp_path: Path, pg_cluster, capsys: pytest.CaptureFixture[str]
) -> None:
    lite, pg = tmp_path / "store.db", pg_cluster.new_database()
    for target in (lite, pg):
        assert main(["run", str(folder), "--db", str(target)]) == EXIT_PARTIAL
        _review(target)
    capsys.readouterr()
    with open_store(lite) as a, open_store(pg) as b:
        one, two = snapshot(a), snapshot(b)
    reports = one["reports"]
    assert len(reports) == len(list((ROOT / "samples").glob("*.txt"))) + 3  # gbk, 2 bad
    statuses = sorted(r["status"] for r in reports.values())
    assert statuses.count("failed") == 2 and "needs_review" in statuses
    assert sum(len(r["cells"]) for r in reports.values()) > 1000
    assert sum(len(r["findings"]) for r in reports.values()) > 0
    assert any(len(r["decisions"]) == 3 for r in reports.values())
    assert len(one["paths"]) == len(reports) + 1  # the copy is a second path to seed-000
    for key in reports:  # per report first: a difference names the report
        assert two["reports"].get(key) == reports[key], reports[key]["source_name"]
    assert two == one

    # Postgres resumes like SQLite: a second run processes nothing and changes nothing.
    assert main(["run", str(folder), "--db", pg]) == EXIT_PARTIAL
    assert "0 processed" in capsys.readouterr().out
    with open_store(pg) as b:
        assert snapshot(b) == two

    # The exports (every status, reviewed values in place) are the same files, byte for byte.
    for target, out in ((lite, tmp_path / "out-lite"), (pg, tmp_path / "out-pg")):
        assert main(["export", "--db", str(target), "--out", str(out)]) == 0
    for table in ("reports.csv", "cells.csv"):
        lite_rows = (tmp_path / "out-lite" / table).read_bytes()
        assert lite_rows.count(b"\n") > 10
        assert (tmp_path / "out-pg" / table).read_bytes() == lite_rows, table


def test_a_store_url_nianbao_does_not_know_is_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["run", str(REAL / "seed-000.txt"), "--db", "mysql://ann:pw@host/db"])
    err = capsys.readouterr().err
    assert code == 2 and "mysql://...: not a store nianbao knows" in err
    assert "Traceback" not in err and "pw" not in err


def _another(target: str | Path, request: pytest.FixtureRequest) -> str | Path:
    """A second, empty store on the same engine as `target`."""
    if is_postgres(target):
        return request.getfixturevalue("pg_cluster").new_database()
    return Path(target).with_name("sequential.db")


def test_concurrent_writers_keep_every_series_check_and_one_current_result(
    store_target, request: pytest.FixtureRequest
) -> None:
    """Three workers, each with its own connection, store seven years of one body (and the
    same report twice) at once: every cross-year check stands as if stored one by one."""
    stems = [f"corpus-00{n}_pingtan-{2018 + n}-webtext" for n in range(1, 8)]
    work = [
        outcome(stem, {"parser": extraction(gold(stem), t3__carried_over__natural=n)})
        for n, stem in enumerate(stems)
    ]
    work.append(work[3])  # one report stored by two workers
    sequential = _another(store_target, request)
    with open_store(sequential) as store:
        run = store.begin_run("parser", "fp", {})
        for each in work:
            store.save_outcome(run, "fp", each)
        expected = snapshot(store)
    with open_store(store_target) as store:
        run = store.begin_run("parser", "fp", {})
    stores = [open_store(store_target) for _ in range(3)]
    start = threading.Barrier(len(stores))
    errors: list[BaseException] = []

    def write(store, items) -> None:
        start.wait()
        try:
            for each in items:
                store.save_outcome(run, "fp", each)
        except BaseException as exc:  # reported below
            errors.append(exc)

    threads = [
        threading.Thread(target=write, args=(s, work[n :: len(stores)]))
        for n, s in enumerate(stores)
    ]
    try:
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=240)
        assert not errors, errors
        got = snapshot(stores[0])
        with stores[0].db.reading() as conn:
            per_report = conn.execute(
                "SELECT report_id, SUM(current) FROM results GROUP BY report_id"
            ).fetchall()
    finally:
        for s in stores:
            s.close()
    assert sorted(int(r[1]) for r in per_report) == [1] * len(stems)

    def series(snap: dict) -> int:
        return sum(
            1 for r in snap["reports"].values() for f in r["findings"] if f[2] == "series.carry"
        )

    assert series(expected) >= 4  # the varied carries warn on both sides of each year
    assert series(got) == series(expected)
    assert got == expected


def test_a_report_without_a_year_or_organ_stores_alike(store_target) -> None:
    report = gold("seed-003")
    blank = CanonicalReport(meta=report.meta.model_copy(update={"organ": None, "year": None}),
                            cells=report.cells)  # fmt: skip
    with open_store(store_target) as store:
        store.save_outcome(store.begin_run("parser", "fp", {}), "fp",
                           outcome("x.txt", {"parser": extraction(blank)}))  # fmt: skip
        (item,) = store.queue(status=None)
        assert (item.organ, item.year) == (None, None)
        assert store.facets()["template"] == ["2021"]


def test_a_killed_postgres_run_loses_nothing_and_redoes_nothing(tmp_path: Path, pg_cluster) -> None:
    """kill -9 mid-run: the server rolls the report in flight back (and frees the write lock);
    every committed report is whole; the next run does only the rest."""
    src = tmp_path / "many"
    src.mkdir()
    base = (REAL / "seed-000.txt").read_text(encoding="utf-8")
    for n in range(80):
        (src / f"r{n:03d}.txt").write_text(base + f"\n（第{n}份）\n", encoding="utf-8")
    url = pg_cluster.new_database()

    def rows(sql: str) -> list[tuple]:
        with psycopg.connect(libpq_url(url)) as conn:
            return conn.execute(sql).fetchall()

    cmd = [sys.executable, "-m", "nianbao", "run", str(src), "--db", url]
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 180  # a bound for a stuck run, not a pace
        while time.monotonic() < deadline and proc.poll() is None:
            try:
                if rows("SELECT COUNT(*) FROM results")[0][0] >= 10:
                    break
            except psycopg.errors.UndefinedTable:
                pass  # the schema is not there yet
            time.sleep(0.02)
        os.kill(proc.pid, signal.SIGKILL)
    finally:
        proc.wait()
    done = rows("SELECT report_id, id FROM results ORDER BY id")
    assert 10 <= len(done) < 80, "the run was killed halfway"
    assert rows(
        "SELECT COUNT(*) FROM results r WHERE (SELECT COUNT(*) FROM cells c"
        " WHERE c.result_id = r.id) != 198"
    ) == [(0,)]
    second = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, check=False)
    assert second.returncode == 0, second.stderr
    assert f"{80 - len(done)} processed, {len(done)} skipped" in second.stdout
    assert rows("SELECT COUNT(*), COUNT(DISTINCT report_id) FROM results") == [(80, 80)]
    assert rows("SELECT report_id, id FROM results ORDER BY id")[: len(done)] == done
