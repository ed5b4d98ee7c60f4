"""Alembic's entry: always online, on the connection its caller passes in.

`nianbao.store.migrations` holds the migration lock (SQLite: BEGIN IMMEDIATE; Postgres: an
advisory lock) in an open transaction, so every revision runs inside it: all or nothing.
`nianbao.store.revise` passes a scratch store and, in its tests, a metadata of its own.
"""

from __future__ import annotations

from alembic import context

from nianbao.store.schema import metadata

attributes = context.config.attributes
connection = attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=attributes.get("metadata", metadata),
    render_as_batch=True,  # generated ALTERs that SQLite lacks become a table copy there
    process_revision_directives=attributes.get("directives"),
)
with context.begin_transaction():
    context.run_migrations()
