"""Where the store lives: a SQLite file (the embedded default) or a Postgres URL.

`--db FILE` stays a SQLite file; `--db postgresql://user@host/db` (or $NIANBAO_DB_URL when
no --db is given) selects Postgres, the store of a deployment on several machines.
"""

from __future__ import annotations

import os
from pathlib import Path

from nianbao.store.types import StoreError

URL_ENV = "NIANBAO_DB_URL"
DEFAULT_DB = Path("nianbao.db")
_POSTGRES = ("postgresql://", "postgresql+psycopg://", "postgres://")
_SQLITE = "sqlite:///"


def is_postgres(target: str | Path) -> bool:
    return isinstance(target, str) and target.startswith(_POSTGRES)


def resolve(value: str | Path | None) -> str | Path:
    """The store named by a --db value: a Path for SQLite, the URL string for Postgres.

    None (no --db) means $NIANBAO_DB_URL, else ./nianbao.db.
    """
    if value is None or value == "":
        value = os.environ.get(URL_ENV) or DEFAULT_DB
    if isinstance(value, Path):
        return value
    if value.startswith(_POSTGRES):
        return value
    if value.startswith(_SQLITE):
        return Path(value[len(_SQLITE) :])
    if "://" in value:
        scheme = value.split("://", 1)[0]
        raise StoreError(
            f"{scheme}://...: not a store nianbao knows (a SQLite file, or postgresql://...)"
        )
    return Path(value)


def libpq_url(url: str) -> str:
    """The URL as libpq takes it (no SQLAlchemy driver suffix)."""
    for prefix in ("postgresql+psycopg://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql://" + url[len(prefix) :]
    return url


def sqlalchemy_url(url: str) -> str:
    """The URL as SQLAlchemy takes it, naming the psycopg (3) driver."""
    return "postgresql+psycopg://" + libpq_url(url)[len("postgresql://") :]


def shown(target: str | Path) -> str:
    """The store for messages: a Postgres URL without its password."""
    if not is_postgres(target):
        return str(target)
    head, sep, rest = str(target).partition("://")
    rest = rest.split("?", 1)[0]  # options may carry a password too
    if "@" in rest:
        cred, host = rest.rsplit("@", 1)
        user = cred.split(":", 1)[0]
        rest = f"{user}@{host}"
    return head + sep + rest


def exists(target: str | Path) -> bool:
    """Whether there is a store to open (a Postgres URL: assumed; opening says if not)."""
    return is_postgres(target) or Path(target).is_file()
