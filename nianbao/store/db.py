"""The SQLite connection: WAL, foreign keys, a busy timeout, one transaction at a time."""

from __future__ import annotations

import signal
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import FrameType

from nianbao.store.migrations import migrate

BUSY_TIMEOUT_MS = 30_000  # a second writer waits for the first instead of failing


def connect(path: str | Path) -> sqlite3.Connection:
    """A connection in autocommit mode: every write goes through `Database.transaction`."""
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

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.conn = connect(self.path)
        self._lock = threading.RLock()
        try:
            migrate(self.conn)
        except BaseException:
            self.conn.close()
            raise

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """BEGIN IMMEDIATE ... COMMIT: writers queue up; an exception rolls everything back."""
        with interrupts_deferred(), self._lock:
            self.conn.execute("BEGIN IMMEDIATE")
            try:
                yield self.conn
            except BaseException:
                # SQLite may have rolled back already (a full disk: SQLITE_FULL); a second
                # ROLLBACK would raise and hide the real error
                if self.conn.in_transaction:
                    self.conn.execute("ROLLBACK")
                raise
            self.conn.execute("COMMIT")

    @contextmanager
    def reading(self) -> Iterator[sqlite3.Connection]:
        """A consistent snapshot for several SELECTs."""
        with interrupts_deferred(), self._lock:
            self.conn.execute("BEGIN")
            try:
                yield self.conn
            finally:
                self.conn.execute("COMMIT")

    def close(self) -> None:
        with self._lock:
            self.conn.close()
