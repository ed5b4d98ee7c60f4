"""The service's settings: one set of environment variables read by the API and the workers."""

from __future__ import annotations

import os
from dataclasses import dataclass, fields, replace
from pathlib import Path

from nianbao.core.errors import UserError
from nianbao.store.location import resolve
from nianbao.store.types import StoreError

ENV = {
    "db": "NIANBAO_DB",
    "redis_url": "NIANBAO_REDIS_URL",
    "backend": "NIANBAO_BACKEND",
    "max_upload_bytes": "NIANBAO_MAX_UPLOAD_BYTES",
    "max_files": "NIANBAO_MAX_FILES",
    "max_queue": "NIANBAO_MAX_QUEUE",
    "retry_after": "NIANBAO_RETRY_AFTER",
    "heartbeat_ms": "NIANBAO_HEARTBEAT_MS",
    "job_timeout": "NIANBAO_JOB_TIMEOUT",
    "lease_seconds": "NIANBAO_LEASE_SECONDS",
}


@dataclass(frozen=True)
class Settings:
    # a SQLite file (one machine) or a postgresql:// URL (the deployment's store); from
    # $NIANBAO_DB, else $NIANBAO_DB_URL, else ./nianbao.db
    db: str | Path = Path("nianbao.db")
    redis_url: str = "redis://127.0.0.1:6379/0"
    backend: str = "parser"  # the workers' `nianbao run --backend`
    max_upload_bytes: int = 20 * 1024 * 1024  # one report; scanned PDFs of 100 pages fit
    max_files: int = 100  # per upload request
    max_queue: int = 10_000  # jobs waiting or in work before uploads are refused (429)
    retry_after: int = 30  # seconds a refused client is asked to wait
    # A worker silent this long is dead: its unfinished message goes back to the queue.
    heartbeat_ms: int = 60_000
    job_timeout: float = 300.0  # seconds per report, as `nianbao run --timeout`
    # A worker's claim on a job: renewed every quarter of it while the worker lives; a killed
    # worker's job is taken again once this has run out (docs/service.md).
    lease_seconds: float = 60.0

    @property
    def max_request_bytes(self) -> int:
        """A whole upload request: every file at its limit, plus the multipart framing."""
        return self.max_files * self.max_upload_bytes + 1024 * 1024


def from_env(**overrides: object) -> Settings:
    """Settings from NIANBAO_* variables, then `overrides` that are not None (CLI flags)."""
    values: dict[str, object] = {}
    for f in fields(Settings):
        raw = os.environ.get(ENV[f.name])
        if raw is None or raw == "":
            continue
        try:
            values[f.name] = _typed(f.name, raw)
        except ValueError:
            raise UserError(f"{ENV[f.name]}={raw!r}: not a valid {f.name}") from None
    values.update({k: v for k, v in overrides.items() if v is not None})
    try:
        values["db"] = resolve(values.get("db"))  # type: ignore[arg-type]
    except StoreError as exc:
        raise UserError(str(exc)) from None
    settings = replace(Settings(), **values)
    if settings.lease_seconds < 4:
        raise UserError(f"lease {settings.lease_seconds:g}s: expected 4 seconds or more")
    if settings.backend not in ("parser", "llm", "both", "targeted"):
        raise UserError(f"backend {settings.backend!r}: expected parser, llm, both or targeted")
    return settings


def _typed(name: str, raw: str) -> object:
    default = getattr(Settings(), name)
    if name == "db":
        return raw  # a file or a URL: `resolve` tells which
    if isinstance(default, bool):
        return raw.lower() in ("1", "true", "yes")
    if isinstance(default, int):
        return int(raw)
    if isinstance(default, float):
        return float(raw)
    return raw
