"""One `nianbao run` per store at a time, and a killed run found out by the next one.

The lock is an flock on a file beside the database: the kernel drops it when its holder
dies, however it dies (SIGKILL included), so a lock is never stale and a second run never
waits on a dead one. Whoever takes it knows no other run is alive: every run still marked
`running` was killed, and is marked `interrupted`. (flock is reliable on local disks; on a
network file system, run one `nianbao run` per store.)
"""

from __future__ import annotations

import fcntl
import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

from nianbao.core.errors import UserError


class StoreBusy(UserError):
    """Another `nianbao run` is writing to this store."""

    exit_code = 4


def lock_path(db: Path) -> Path:
    return db.with_name(db.name + ".run-lock")


@contextmanager
def run_lock(db: Path) -> Iterator[None]:
    """Hold the store's run lock for the body; StoreBusy at once if another run holds it."""
    path = lock_path(db)
    try:
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as exc:
        raise UserError(f"{path}: cannot create the run lock ({exc.strerror})") from None
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise StoreBusy(
                f"{db}: another nianbao run is writing to it ({_holder(fd)}); "
                "wait for it to finish, or use another --db"
            ) from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, json.dumps(_me()).encode("utf-8"), 0)
        yield
    finally:
        os.close(fd)  # releases the lock


def _me() -> dict[str, object]:
    return {"pid": os.getpid(), "since": datetime.now(UTC).isoformat(timespec="seconds")}


def _holder(fd: int) -> str:
    try:
        info = json.loads(os.pread(fd, 4096, 0) or b"{}")
        return f"pid {info['pid']}, since {info['since']}"
    except (ValueError, KeyError, OSError):
        return "pid unknown"
