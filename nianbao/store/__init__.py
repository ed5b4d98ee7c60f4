"""The store: reports, runs, per-cell results with provenance, findings, reviews, work items.

`open_store(target)` is the one entry point; the CLI, the pipeline, the export, the review
screen and the service all go through the `Store` it returns. The target is a SQLite file
(the embedded default) or a `postgresql://` URL (a deployment on several machines): the same
schema, migrations and behaviour on both (docs/store.md).
"""

from __future__ import annotations

from pathlib import Path

from nianbao.store.batches import BatchLedger, BatchLine, BatchRecord
from nianbao.store.claims import WorkItem
from nianbao.store.db import Database
from nianbao.store.decisions import DecisionResult, ReviewDesk
from nianbao.store.jobs import JobBook, JobRecord, JobStatus
from nianbao.store.location import DEFAULT_DB, URL_ENV, resolve
from nianbao.store.tokens import TokenBook, TokenRecord
from nianbao.store.types import (
    CellView,
    DecisionKind,
    DecisionView,
    LostClaim,
    NotClean,
    Outcome,
    ReportSummary,
    ReportView,
    ReviewStatus,
    SchemaTooNew,
    SourceInfo,
    StaleEdit,
    StoreError,
    StoreUnavailable,
    UnknownReport,
)
from nianbao.store.views import STATUSES, Reader
from nianbao.store.writer import RunWriter


class Store(Reader, ReviewDesk, RunWriter, JobBook, TokenBook, BatchLedger):
    """The store on a SQLite file or a Postgres database. Safe to share between threads;
    open one per process."""

    def __init__(self, path: str | Path) -> None:
        self.db = Database(resolve(path))
        self.path = self.db.path  # the file, or the URL without its password

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def open_store(path: str | Path = DEFAULT_DB) -> Store:
    """Open (creating and migrating as needed) the store at `path`: a SQLite file, or a
    `postgresql://user@host/db` URL. Raises StoreUnavailable when it cannot."""
    return Store(path)


__all__ = [
    "DEFAULT_DB",
    "STATUSES",
    "URL_ENV",
    "BatchLine",
    "BatchRecord",
    "CellView",
    "DecisionKind",
    "DecisionResult",
    "DecisionView",
    "JobRecord",
    "JobStatus",
    "LostClaim",
    "NotClean",
    "Outcome",
    "ReportSummary",
    "ReportView",
    "ReviewStatus",
    "SchemaTooNew",
    "SourceInfo",
    "StaleEdit",
    "Store",
    "StoreError",
    "StoreUnavailable",
    "TokenRecord",
    "UnknownReport",
    "WorkItem",
    "open_store",
]
