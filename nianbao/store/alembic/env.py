"""Alembic's entry: always online, on the connection `nianbao.store.migrations` passes in.

The caller holds the migration lock (SQLite: BEGIN IMMEDIATE; Postgres: an advisory lock)
in an open transaction, so Alembic runs every revision inside it: all or nothing.
"""

from __future__ import annotations

from alembic import context

from nianbao.store.schema import metadata

connection = context.config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=metadata,
    render_as_batch=connection.dialect.name == "sqlite",  # ALTERs SQLite lacks, by copy
)
with context.begin_transaction():
    context.run_migrations()
