"""cells.page and cells.box: where a value sits on the page of a PDF or a scan.

A store made by the hand-written migrations' version 3 (main's, before the Alembic port) has
these columns already and is adopted at 0001: they are added only where missing.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

COLUMNS = {"page": sa.Integer, "box": sa.Text}


def upgrade() -> None:
    present = {c["name"] for c in sa.inspect(op.get_bind()).get_columns("cells")}
    missing = [name for name in COLUMNS if name not in present]
    if not missing:
        return
    with op.batch_alter_table("cells", schema=None) as batch_op:
        for name in missing:
            batch_op.add_column(sa.Column(name, COLUMNS[name](), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("cells", schema=None) as batch_op:
        batch_op.drop_column("box")
        batch_op.drop_column("page")
