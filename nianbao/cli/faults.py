"""The last line of defence: any error a command did not expect becomes one line and an
exit code, never a traceback (docs/pipeline.md lists the codes)."""

from __future__ import annotations

import errno
import sqlite3
import traceback
from pathlib import Path

EXIT_STORE = 4  # the store or the disk cannot be used: damaged, full, held by another run
EXIT_INTERNAL = 70  # a bug in nianbao (EX_SOFTWARE): the line says where
_DISK = {errno.ENOSPC, errno.EDQUOT, errno.EFBIG, errno.EROFS, errno.EIO}


def fault_line(exc: BaseException, db: Path | None = None) -> tuple[str, int]:
    """(one line, exit code) for an error no command handled."""
    where = f"{db}: " if db is not None else ""
    if isinstance(exc, sqlite3.DatabaseError):
        message = str(exc).splitlines()[0] if str(exc) else exc.__class__.__name__
        if "full" in message:
            return (
                f"{where}the disk is full (SQLite: {message}); every report stored before "
                "is kept: free some space and run again",
                EXIT_STORE,
            )
        if "malformed" in message or "not a database" in message or "corrupt" in message:
            return (
                f"{where}the store is damaged (SQLite: {message}); restore it from a backup "
                "or rescue it with `sqlite3 DB .recover`",
                EXIT_STORE,
            )
        return f"{where}the store failed (SQLite: {message})", EXIT_STORE
    if isinstance(exc, OSError):
        name = f"{exc.filename}: " if exc.filename else ""
        reason = exc.strerror or exc.__class__.__name__
        if exc.errno in _DISK:
            return f"{name}cannot write ({reason}); nothing half-written was left", EXIT_STORE
        return f"{name}{reason}", 2
    tb = traceback.extract_tb(exc.__traceback__)
    at = f" ({Path(tb[-1].filename).name}:{tb[-1].lineno})" if tb else ""
    message = str(exc).splitlines()[0][:200] if str(exc) else ""
    return (
        f"internal error {exc.__class__.__name__}: {message}{at}; please report it",
        EXIT_INTERNAL,
    )
