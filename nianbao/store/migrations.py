"""Bringing a store's schema up to date: Alembic revisions, the same for SQLite and Postgres.

The revisions live in `nianbao/store/alembic/versions/` and are applied when a store is
opened; `schema.py` is the schema they add up to. Never edit a revision that has shipped (a
user's database has run it): add one (docs/store.md says how).

A store made before Alembic, by the hand-written migrations (table `schema_version`, last
version 1 to 3), is adopted in place: stamped with revision 0001 (exactly version 1), then
upgraded like any other (0004 and 0005 skip the columns versions 2 and 3 added).

Opening an up-to-date store only reads `alembic_version` (no write lock, no SQLAlchemy or
Alembic import); migrating runs under a lock (SQLite: BEGIN IMMEDIATE; Postgres: an advisory
lock) inside one transaction, so two processes opening a new store migrate it once.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from nianbao.store.types import SchemaTooNew

if TYPE_CHECKING:
    from nianbao.store.db import Database

SCRIPTS = Path(__file__).parent / "alembic"
BASELINE = "0001"  # the schema of hand-written migration 1
# The last hand-written migration: 2 added cells.proof and cells.cause, 3 cells.page and
# cells.box; revisions 0004 and 0005 add them only where they are missing, so a store at 1,
# 2 or 3 is adopted the same way.
LEGACY_FINAL = 3
MIGRATE_LOCK = 0x6E69616E62616F + 1  # pg_advisory_xact_lock key while migrating

Query = Callable[[str], Sequence[Any]]
_ASSIGN = {
    name: re.compile(rf"^{name} = (?:['\"]([^'\"]+)['\"]|None)\s*$", re.MULTILINE)
    for name in ("revision", "down_revision")
}


@lru_cache(maxsize=1)
def revisions() -> tuple[str, ...]:
    """Every revision, oldest first, read from the revision files' `revision` and
    `down_revision` lines: opening a store needs no Alembic import (tests check this
    agrees with Alembic's own reading)."""
    parent: dict[str, str | None] = {}
    for path in (SCRIPTS / "versions").glob("*.py"):
        text = path.read_text(encoding="utf-8")
        rev = _ASSIGN["revision"].search(text)
        down = _ASSIGN["down_revision"].search(text)
        if rev is None or down is None:
            continue
        parent[rev.group(1)] = down.group(1)
    chain: list[str] = []
    children = {down: rev for rev, down in parent.items()}
    if len(children) != len(parent):
        raise RuntimeError("the store's migrations branch: merge them into one line")
    node = children.get(None)
    while node is not None:
        chain.append(node)
        node = children.get(node)
    if len(chain) != len(parent):
        raise RuntimeError("the store's migrations do not form one line from the baseline")
    return tuple(chain)


def head() -> str:
    """The newest revision this nianbao knows."""
    return revisions()[-1]


def _tables(query: Query, dialect: str) -> set[str]:
    if dialect == "sqlite":
        rows = query(
            "SELECT name FROM sqlite_master WHERE type = 'table'"
            " AND name IN ('alembic_version', 'schema_version')"
        )
        return {r[0] for r in rows}
    (row,) = query(
        "SELECT to_regclass('alembic_version') IS NOT NULL,"
        " to_regclass('schema_version') IS NOT NULL"
    )
    names = ("alembic_version", "schema_version")
    return {name for name, there in zip(names, row, strict=True) if there}


def _state(query: Query, dialect: str) -> tuple[str | None, int | None]:
    """(Alembic revision, hand-written migration version) of the database; None: absent."""
    tables = _tables(query, dialect)
    revision = legacy = None
    if "alembic_version" in tables:
        rows = query("SELECT version_num FROM alembic_version")
        revision = rows[0][0] if rows else None
    if "schema_version" in tables:
        legacy = int(query("SELECT MAX(version) FROM schema_version")[0][0] or 0)
    return revision, legacy


def _check(revision: str | None, legacy: int | None) -> None:
    if revision is not None and revision not in revisions():
        raise SchemaTooNew(
            f"the store has schema revision {revision}, newer than this nianbao knows "
            f"({head()}): upgrade nianbao"
        )
    if revision is None and legacy is not None and legacy > LEGACY_FINAL:
        raise SchemaTooNew(
            f"the store has schema version {legacy}, newer than this nianbao knows: upgrade nianbao"
        )


def _engine(db: Database) -> Any:
    """A SQLAlchemy engine on a second connection to the same database, for Alembic."""
    import sqlalchemy
    from sqlalchemy.pool import NullPool

    from nianbao.store.location import sqlalchemy_url

    if db.dialect == "postgresql":
        return sqlalchemy.create_engine(sqlalchemy_url(str(db.target)), poolclass=NullPool)
    import sqlite3

    from nianbao.store.db import BUSY_TIMEOUT_MS

    def connect() -> sqlite3.Connection:
        # autocommit at the driver: our BEGIN IMMEDIATE is the one transaction
        return sqlite3.connect(str(db.target), isolation_level=None, timeout=BUSY_TIMEOUT_MS / 1000)

    return sqlalchemy.create_engine("sqlite://", creator=connect, poolclass=NullPool)


def migrate(db: Database) -> list[str]:
    """Apply every revision newer than the database; return the revisions applied."""
    revision, legacy = _state(lambda sql: db.conn.execute(sql).fetchall(), db.dialect)
    _check(revision, legacy)
    if revision == head():
        return []
    from alembic import command
    from alembic.config import Config

    engine = _engine(db)
    try:
        with engine.connect() as sa:
            if db.dialect == "sqlite":
                sa.exec_driver_sql("BEGIN IMMEDIATE")
            else:
                sa.exec_driver_sql(f"SELECT pg_advisory_xact_lock({MIGRATE_LOCK})")
            # Re-read under the lock: another process may have migrated meanwhile.
            revision, legacy = _state(lambda sql: sa.exec_driver_sql(sql).fetchall(), db.dialect)
            _check(revision, legacy)
            if revision == head():
                sa.commit()
                return []
            config = Config()
            config.set_main_option("script_location", str(SCRIPTS))
            config.attributes["connection"] = sa
            if revision is None and legacy is not None:
                command.stamp(config, BASELINE)
                revision = BASELINE
            command.upgrade(config, "head")
            sa.commit()
    finally:
        engine.dispose()
    known = list(revisions())
    start = 0 if revision is None else known.index(revision) + 1
    return known[start:]


def now() -> str:
    """UTC timestamp with milliseconds, sortable as text."""
    return datetime.now(UTC).isoformat(timespec="milliseconds")
