"""The store's connection: SQLite (WAL, a busy timeout) or Postgres, one transaction at a time.

The store's queries are plain SQL written once for both engines, with `?` placeholders and
rows read by column name (`row["key"]`). SQLite runs them as they are on a `sqlite3`
connection (the embedded default pays nothing for the port); for Postgres `PgConnection`
rewrites the placeholders for psycopg and returns rows that read the same way.

Writers on both engines are serialised, so every write sees the one before it (the series
check reads other reports' cells, a review re-reads the version it guards):
  SQLite:   BEGIN IMMEDIATE (a second writer waits for the first);
  Postgres: a transaction-level advisory lock taken first thing (released at COMMIT or
            ROLLBACK, and by the server when a killed worker's connection drops).
A write is one report's rows (milliseconds); extraction (seconds) runs outside it, in parallel
on any number of machines. Claiming work (`claims.py`) takes no store-wide lock: row locks
with SKIP LOCKED.
"""

from __future__ import annotations

import re
import signal
import sqlite3
import threading
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path
from types import FrameType
from typing import Any, Protocol

from nianbao.store.location import is_postgres, libpq_url, shown
from nianbao.store.migrations import migrate
from nianbao.store.types import StoreUnavailable

BUSY_TIMEOUT_MS = 30_000  # a second writer waits for the first instead of failing
# pg_advisory_xact_lock keys (any bigint; chosen to be recognisable in pg_locks)
WRITE_LOCK = 0x6E69616E62616F  # "nianbao"


class Row(Protocol):
    """A result row: by position or by column name, like sqlite3.Row."""

    def __getitem__(self, key: int | str) -> Any: ...
    def keys(self) -> list[str]: ...


class Conn(Protocol):
    """What the store's modules use of a connection (sqlite3.Connection or PgConnection)."""

    def execute(self, sql: str, params: Sequence[Any] = ...) -> Any: ...
    def executemany(self, sql: str, params: Iterable[Sequence[Any]]) -> Any: ...


def connect(path: str | Path) -> sqlite3.Connection:
    """A SQLite connection in autocommit mode: every write goes through `Database.transaction`."""
    path = Path(path)
    if path.parent and not path.parent.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(
        str(path), isolation_level=None, check_same_thread=False, timeout=BUSY_TIMEOUT_MS / 1000
    )
    conn.row_factory = sqlite3.Row
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=NORMAL")  # WAL + NORMAL: a commit survives a killed process
    conn.execute("PRAGMA foreign_keys=ON")
    conn.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    return conn


# ---- Postgres ---------------------------------------------------------------------------------
_QUOTED_OR_MARK = re.compile(r"'(?:[^']|'')*'|\?|%")


@lru_cache(maxsize=512)
def pg_sql(sql: str) -> str:
    """`?` -> `%s` and a literal `%` -> `%%` (psycopg's placeholders), outside quoted text."""

    def swap(m: re.Match[str]) -> str:
        token = m.group(0)
        return {"?": "%s", "%": "%%"}.get(token, token)

    return _QUOTED_OR_MARK.sub(swap, sql)


class PgRow:
    """A psycopg row read like sqlite3.Row: row[0], row["name"], row.keys(), iteration."""

    __slots__ = ("_index", "_values")

    def __init__(self, values: Sequence[Any], index: dict[str, int]) -> None:
        self._values = values
        self._index = index

    def __getitem__(self, key: int | str) -> Any:
        if isinstance(key, str):
            return self._values[self._index[key]]
        return self._values[key]

    def keys(self) -> list[str]:
        return list(self._index)

    def __iter__(self) -> Iterator[Any]:
        return iter(self._values)

    def __len__(self) -> int:
        return len(self._values)

    def __repr__(self) -> str:
        return f"PgRow({dict(zip(self._index, self._values, strict=True))!r})"


def _pg_rows(cursor: Any) -> Any:
    """psycopg row factory making PgRows (one name index per result set)."""
    if cursor.description is None:
        return tuple
    index = {d.name: n for n, d in enumerate(cursor.description)}
    return lambda values: PgRow(values, index)


class PgConnection:
    """A psycopg connection with the sqlite3.Connection calls the store uses."""

    dialect = "postgresql"

    def __init__(self, url: str) -> None:
        import psycopg

        self.raw = psycopg.connect(libpq_url(url), autocommit=True, row_factory=_pg_rows)

    @property
    def lost(self) -> bool:
        """The server closed the connection (restarted, or ended an idle session)."""
        return bool(self.raw.closed or self.raw.broken)

    def execute(self, sql: str, params: Sequence[Any] = ()) -> Any:
        query: Any = sql  # psycopg's types want a literal; the store's SQL is its own text
        if not params:  # psycopg leaves a query without parameters as it is: no %% needed
            return self.raw.execute(query)
        query = pg_sql(sql)
        return self.raw.execute(query, tuple(params))

    def executemany(self, sql: str, params: Iterable[Sequence[Any]]) -> Any:
        rows = [tuple(p) for p in params]
        cur = self.raw.cursor()
        if rows:
            query: Any = pg_sql(sql)  # see execute
            cur.executemany(query, rows)
        return cur

    def close(self) -> None:
        self.raw.close()


def _driver_errors() -> tuple[type[BaseException], ...]:
    """The errors that mean "cannot open this store" (not a database, refused, bad login)."""
    errors: list[type[BaseException]] = [sqlite3.Error, OSError]
    try:
        import psycopg

        errors.append(psycopg.Error)
    except ImportError:  # pragma: no cover - psycopg is a dependency
        pass
    return tuple(errors)


def _damaged(exc: BaseException) -> bool:
    """A SQLite file that is a database but damaged (a bad sector: "disk image is
    malformed"), as opposed to one that cannot be opened at all."""
    return (
        type(exc) is sqlite3.DatabaseError  # not OperationalError (locked, no such file)
        and "not a database" not in str(exc)
    )


def _cannot_open(target: str | Path, exc: BaseException) -> str:
    """One line naming the store (never its password) and the driver's reason."""
    return f"{shown(target)}: cannot open the store ({' '.join(str(exc).split())})"


@contextmanager
def interrupts_deferred() -> Iterator[None]:
    """Hold back Ctrl-C (SIGINT) until the block is done, then raise it.

    A KeyboardInterrupt can be raised between any two Python instructions, including inside
    a context manager's `__exit__` before it reaches COMMIT or ROLLBACK; the transaction is
    then left open and the interrupted run's final write ("cannot start a transaction within
    a transaction") replaces the interrupt with a traceback. A transaction is short, so the
    interrupt waits for it. Only the main thread receives signals; elsewhere this does
    nothing.
    """
    if (
        threading.current_thread() is not threading.main_thread()
        or signal.getsignal(signal.SIGINT) is None  # a handler set outside Python: leave it
    ):
        yield
        return
    received: list[int] = []

    def hold(signum: int, _frame: FrameType | None) -> None:
        received.append(signum)

    previous = signal.signal(signal.SIGINT, hold)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)
    if not received:
        return
    if callable(previous):
        previous(signal.SIGINT, None)  # Python's default handler raises KeyboardInterrupt
    elif previous == signal.SIG_DFL:
        signal.raise_signal(signal.SIGINT)  # the OS default: end the process, as it would have


class Database:
    """One connection, shared by threads (Streamlit reruns) behind a lock."""

    def __init__(self, target: str | Path) -> None:
        self.target = target
        self.dialect = "postgresql" if is_postgres(target) else "sqlite"
        self.path: str | Path = shown(target) if self.dialect == "postgresql" else Path(target)
        self._lock = threading.RLock()
        try:
            self.conn: Any = (
                PgConnection(str(target)) if self.dialect == "postgresql" else connect(target)
            )
        except _driver_errors() as exc:
            raise StoreUnavailable(_cannot_open(target, exc)) from exc
        try:
            migrate(self)
        except StoreUnavailable:
            self.conn.close()
            raise
        except _driver_errors() as exc:
            self.conn.close()
            if _damaged(exc):  # the CLI's fault handler says so in one line, exit 4
                raise
            raise StoreUnavailable(_cannot_open(target, exc)) from exc
        except BaseException:
            self.conn.close()
            raise

    @contextmanager
    def transaction(self, *, serial: bool = True) -> Iterator[Any]:
        """One write transaction; an exception rolls everything back.

        `serial` (Postgres): take the store-wide write lock first, as SQLite's BEGIN IMMEDIATE
        does; claiming work passes False and relies on row locks instead.
        """
        with interrupts_deferred(), self._lock:
            if self.dialect == "sqlite":
                self.conn.execute("BEGIN IMMEDIATE")
            else:
                self._reconnect_if_lost()
                self.conn.execute("BEGIN")
            try:
                if serial and self.dialect == "postgresql":
                    self.conn.execute(f"SELECT pg_advisory_xact_lock({WRITE_LOCK})")
                yield self.conn
            except BaseException:
                self._rollback()
                raise
            self.conn.execute("COMMIT")

    @contextmanager
    def reading(self) -> Iterator[Any]:
        """A consistent snapshot for several SELECTs."""
        with interrupts_deferred(), self._lock:
            if self.dialect == "sqlite":
                self.conn.execute("BEGIN")
            else:
                self._reconnect_if_lost()
                self.conn.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
            try:
                yield self.conn
            except BaseException:
                self._rollback()
                raise
            self.conn.execute("COMMIT")

    def _reconnect_if_lost(self) -> None:
        """A Postgres connection the server dropped (a restart) is opened again before the
        next transaction: a long-lived API or worker process outlives a database restart.
        A transaction cut off midway is not retried here: it failed, and was rolled back."""
        if self.conn.lost:
            try:
                self.conn = PgConnection(str(self.target))
            except _driver_errors() as exc:
                raise StoreUnavailable(_cannot_open(self.target, exc)) from exc

    def _rollback(self) -> None:
        # SQLite may have rolled back already (a full disk: SQLITE_FULL); a second ROLLBACK
        # would raise and hide the real error
        if self.dialect == "sqlite" and not self.conn.in_transaction:
            return
        try:
            self.conn.execute("ROLLBACK")
        except _driver_errors():  # the connection itself broke: the server rolled back
            pass

    def close(self) -> None:
        with self._lock:
            self.conn.close()
