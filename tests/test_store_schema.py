"""The store's one schema and one migration history, on SQLite and Postgres: a new database
migrates to exactly `nianbao.store.schema`, an old store made by the hand-written migrations
is upgraded in place, a store from a newer nianbao is refused."""

from __future__ import annotations

import gzip
import shutil
import sqlite3
from pathlib import Path

import pytest
import sqlalchemy
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory

from nianbao.store import SchemaTooNew, StoreUnavailable, open_store
from nianbao.store.location import is_postgres, sqlalchemy_url
from nianbao.store.migrations import SCRIPTS, head, migrate, revisions
from nianbao.store.schema import metadata
from tests.pipeline_fixtures import extraction, gold, outcome

# Made by nianbao before this port (commit 5ae6db0, hand-written migration 1): three reports
# run from samples/, one bad file, one reviewer's fix of seed-003's t3.new.total.
LEGACY = Path(__file__).parent / "data" / "legacy-store-v1.db.gz"
TABLES = {
    "reports",
    "source_paths",
    "runs",
    "results",
    "extractions",
    "cells",
    "findings",
    "suspects",
    "decisions",
    "work_items",
    "api_tokens",
    "jobs",
    "llm_batches",
    "llm_batch_items",
}
# added after the hand-written migrations: absent from a legacy store
NEWER = {"work_items", "api_tokens", "jobs", "llm_batches", "llm_batch_items"}


def _engine(target: str | Path) -> sqlalchemy.Engine:
    if is_postgres(target):
        return sqlalchemy.create_engine(sqlalchemy_url(str(target)))
    return sqlalchemy.create_engine(f"sqlite:///{target}")


def _diff(target: str | Path) -> list:
    """What Alembic's autogenerate would change to make the database match `schema.py`."""
    engine = _engine(target)
    try:
        with engine.connect() as conn:
            return compare_metadata(MigrationContext.configure(conn), metadata)
    finally:
        engine.dispose()


def _revision(target: str | Path) -> str:
    engine = _engine(target)
    try:
        with engine.connect() as conn:
            return conn.exec_driver_sql("SELECT version_num FROM alembic_version").scalar_one()
    finally:
        engine.dispose()


def test_the_light_revision_reader_agrees_with_alembic() -> None:
    script = ScriptDirectory(str(SCRIPTS))
    assert head() == script.get_current_head()
    assert list(revisions()) == [s.revision for s in reversed(list(script.walk_revisions()))]
    assert revisions()[0] == "0001"


def test_a_new_store_migrates_to_exactly_the_schema(store_target) -> None:
    with open_store(store_target) as store:
        assert store.db.dialect == ("postgresql" if is_postgres(store_target) else "sqlite")
        assert migrate(store.db) == []  # re-opening applies nothing twice
        if store.db.dialect == "sqlite":
            assert store.db.conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
            assert store.db.conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    assert _revision(store_target) == head()
    inspector_engine = _engine(store_target)
    try:
        tables = set(sqlalchemy.inspect(inspector_engine).get_table_names())
    finally:
        inspector_engine.dispose()
    assert tables == TABLES | {"alembic_version"}
    assert _diff(store_target) == []


def test_a_store_from_a_newer_nianbao_is_refused(store_target) -> None:
    open_store(store_target).close()
    engine = _engine(store_target)
    with engine.begin() as conn:
        conn.exec_driver_sql("UPDATE alembic_version SET version_num = '9999'")
    engine.dispose()
    with pytest.raises(SchemaTooNew, match="newer than this nianbao knows"):
        open_store(store_target)


def _legacy(tmp_path: Path) -> Path:
    path = tmp_path / "legacy.db"
    path.write_bytes(gzip.decompress(LEGACY.read_bytes()))
    return path


def _count(path: Path, table: str) -> int:
    conn = sqlite3.connect(path)
    try:
        return conn.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0]
    finally:
        conn.close()


def test_a_store_made_by_the_old_migrations_is_upgraded_in_place(tmp_path: Path) -> None:
    path = _legacy(tmp_path)
    before = {t: _count(path, t) for t in TABLES - NEWER}
    assert _count(path, "schema_version") == 1 and before["decisions"] == 1
    with open_store(path) as store:
        assert _revision(path) == head()
        after = {t: _count(path, t) for t in TABLES - NEWER}
        assert after == before  # nothing lost, nothing re-created
        by_name = {s.source_name: s for s in store.queue(status=None)}
        assert by_name["bad.txt"].status == "failed"
        seed = store.load_report(by_name["seed-003.txt"].report_id)
        assert seed.cells["t3.new.total"].value == 9 and seed.cells["t3.new.total"].extracted == 0
        (fix,) = seed.decisions
        assert (fix.reviewer, fix.new_value) == ("legacy-ann", "9")
        # the old store takes new work: a review, a new run, a claim
        store.undo(fix.id, "bo")
        assert store.load_report(seed.summary.report_id).cells["t3.new.total"].value == 0
        run = store.begin_run("parser", "fp-new", {})
        new = outcome("004.txt", {"parser": extraction(gold("seed-004"))})
        store.save_outcome(run, "fp-new", new)
        assert len(store.queue(status=None)) == 5
        store.enqueue("job-1")
        assert [i.key for i in store.claim("w1")] == ["job-1"]
    conn = sqlite3.connect(path)
    tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    conn.close()
    assert "schema_version" not in tables and tables >= TABLES
    # The adopted tables differ from new ones only in spellings SQLite treats alike:
    _only_spelling(_diff(path), path)


def _only_spelling(diff: list, path: Path) -> None:
    """Each difference autogenerate sees in an adopted store is one SQLite treats alike:
    REAL for DOUBLE; `id INTEGER PRIMARY KEY` without NOT NULL (a rowid, never NULL); an
    unnamed UNIQUE for a named one; ON DELETE CASCADE written inline, which reflection misses
    (checked against SQLite's own foreign-key list below)."""
    conn = sqlite3.connect(path)
    try:
        for entry in diff:
            change = entry[0] if isinstance(entry, list) else entry
            kind, table = change[0], None
            if kind == "modify_type":
                table, column, old, new = change[2], change[3], change[5], change[6]
                assert (str(old), str(new)) == ("REAL", "DOUBLE"), (table, column)
            elif kind == "modify_nullable":
                table, column = change[2], change[3]
                pk = [r[1] for r in conn.execute(f"PRAGMA table_info({table})") if r[5]]
                assert pk == [column], (table, column)
            elif kind == "add_constraint":
                assert change[1].name == "extractions_result_backend"
                indexes = conn.execute("PRAGMA index_list(extractions)").fetchall()
                assert any(r[2] == 1 and r[3] == "u" for r in indexes)  # unique, by constraint
            elif kind in ("remove_fk", "add_fk"):
                table = change[1].table.name
                fks = conn.execute(f"PRAGMA foreign_key_list({table})").fetchall()
                assert [(r[2], r[6]) for r in fks] == [("results", "CASCADE")], table
            else:
                raise AssertionError(f"unexpected schema difference: {change}")
    finally:
        conn.close()


def test_a_store_at_the_hand_written_migration_3_is_adopted_too(tmp_path: Path) -> None:
    """Versions 2 (cells.proof, cells.cause) and 3 (cells.page, cells.box) shipped on main
    before the port: such a store is stamped 0001 like a version 1 one, and revisions 0004
    and 0005 skip the columns it has."""
    path = _legacy(tmp_path)
    conn = sqlite3.connect(path)
    conn.execute("ALTER TABLE cells ADD COLUMN proof TEXT")
    conn.execute("ALTER TABLE cells ADD COLUMN cause TEXT")
    conn.execute("ALTER TABLE cells ADD COLUMN page INTEGER")
    conn.execute("ALTER TABLE cells ADD COLUMN box TEXT")
    conn.execute("UPDATE cells SET proof = 'read_confirmed' WHERE key = 't3.new.total'")
    conn.execute("INSERT INTO schema_version VALUES (2, 'cells.proof, cells.cause', '2026')")
    conn.execute("INSERT INTO schema_version VALUES (3, 'cells.page, cells.box', '2026')")
    conn.commit()
    conn.close()
    with open_store(path) as store:
        assert _revision(path) == head()
        (n,) = store.db.conn.execute(
            "SELECT COUNT(*) FROM cells WHERE proof = 'read_confirmed'"
        ).fetchone()
        assert n >= 1  # kept, not re-created
    _only_spelling(_diff(path), path)


def test_an_old_store_newer_than_the_last_hand_written_migration_is_refused(tmp_path) -> None:
    path = _legacy(tmp_path)
    conn = sqlite3.connect(path)
    conn.execute("INSERT INTO schema_version VALUES (4, 'from the future', '2099')")
    conn.commit()
    conn.close()
    with pytest.raises(SchemaTooNew, match="newer than this nianbao knows"):
        open_store(path)


def test_a_file_that_is_not_a_database_is_one_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "notes.db"
    path.write_text("not a database at all, just words " * 100)
    with pytest.raises(StoreUnavailable, match="cannot open the store"):
        open_store(path)


def test_an_unreachable_postgres_is_one_clear_error() -> None:
    # port 1 on loopback: nothing listens. One line, naming the store without its password.
    with pytest.raises(StoreUnavailable) as caught:
        open_store("postgresql://ann:secret@127.0.0.1:1/x?connect_timeout=5")
    message = str(caught.value)
    assert message.startswith("postgresql://ann@127.0.0.1:1/x: cannot open the store (")
    assert "refused" in message and "\n" not in message and "secret" not in message


def test_adding_a_column_is_one_generated_revision_that_upgrades_both_engines(
    store_target, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The documented step (docs/store.md): a column in schema.py, `revise` writes the
    revision, and a store already in use is upgraded on its next open, its rows kept."""
    from nianbao.store import migrations
    from nianbao.store.revise import NothingToWrite, revise

    with open_store(store_target) as store:
        done = outcome("004.txt", {"parser": extraction(gold("seed-004"))})
        store.save_outcome(store.begin_run("parser", "fp", {}), "fp", done)
    scripts = tmp_path / "alembic"
    shutil.copytree(SCRIPTS, scripts, ignore=shutil.ignore_patterns("__pycache__"))
    extended = sqlalchemy.MetaData()
    for table in metadata.tables.values():
        table.to_metadata(extended)
    column = sqlalchemy.Column("signed_in_reviewer", sqlalchemy.Text)
    extended.tables["results"].append_column(column)
    written = revise("results.signed_in_reviewer", scripts=scripts, metadata=extended)
    assert written.name.startswith(f"{int(head()) + 1:04d}_")
    assert "add_column" in written.read_text() and "signed_in_reviewer" in written.read_text()
    with pytest.raises(NothingToWrite):  # nothing left between the revisions and the schema
        revise("again", scripts=scripts, metadata=extended)

    monkeypatch.setattr(migrations, "SCRIPTS", scripts)
    migrations.revisions.cache_clear()
    try:
        with open_store(store_target) as store:
            assert _revision(store_target) == written.name[:4]
            (item,) = store.queue(status=None)
            assert item.source_name == "004.txt"  # the rows are kept
            with store.db.reading() as conn:
                row = conn.execute("SELECT signed_in_reviewer FROM results").fetchone()
            assert row[0] is None
    finally:
        migrations.revisions.cache_clear()
