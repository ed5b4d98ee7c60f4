"""`python -m nianbao.store.revise -m "what changed"`: write the next migration.

After a change to `schema.py` (a new column, index or table), this writes the Alembic
revision that takes a store from the newest revision to the new schema: Alembic's
autogenerate, run against a scratch SQLite store brought to the newest revision. Read the
file it writes (autogenerate sees columns, types, nullability, indexes, constraints; not a
renamed column, which it reads as a drop and an add), then run the store tests: they check
that a new database migrated to the head equals `schema.py`, on SQLite and Postgres.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path
from typing import Any

from nianbao.store.migrations import SCRIPTS
from nianbao.store.types import StoreError


class NothingToWrite(StoreError):
    """schema.py and the revisions agree."""


def _next_id(scripts: Path) -> str:
    from alembic.script import ScriptDirectory

    ids = [int(s.revision) for s in ScriptDirectory(str(scripts)).walk_revisions()]
    return f"{max(ids, default=0) + 1:04d}"


def revise(message: str, *, scripts: Path = SCRIPTS, metadata: Any = None) -> Path:
    """Write the revision from the newest one to `metadata` (default: schema.py); its path."""
    import sqlalchemy
    from alembic import command
    from alembic.config import Config

    empty: list[bool] = []

    def skip_empty(context: Any, revision: Any, directives: list[Any]) -> None:
        if directives[0].upgrade_ops.is_empty():
            directives[:] = []
            empty.append(True)

    with tempfile.TemporaryDirectory() as tmp:
        engine = sqlalchemy.create_engine(f"sqlite:///{Path(tmp) / 'scratch.db'}")
        try:
            with engine.connect() as conn:
                config = Config()
                config.set_main_option("script_location", str(scripts))
                config.attributes["connection"] = conn
                config.attributes["directives"] = skip_empty
                if metadata is not None:
                    config.attributes["metadata"] = metadata
                command.upgrade(config, "head")
                conn.commit()
                script = command.revision(
                    config, message=message, autogenerate=True, rev_id=_next_id(scripts)
                )
        finally:
            engine.dispose()
    if empty or script is None:
        raise NothingToWrite("schema.py and the migrations agree: no revision to write")
    return Path(script.path)  # type: ignore[union-attr]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m nianbao.store.revise", description=__doc__)
    ap.add_argument("-m", "--message", required=True, help="what the revision changes")
    args = ap.parse_args(argv)
    try:
        path = revise(args.message)
    except NothingToWrite as exc:
        print(f"revise: {exc}", file=sys.stderr)
        return 1
    print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
